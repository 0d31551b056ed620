"""Tokenizer: turns the text of an expression into a list of tokens ending with END."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from calculator.errors import TokenizeError


class Kind(Enum):
    # The values read well in messages: "expected a name, found '='".
    NUMBER = "a number"
    NAME = "a name"
    OPERATOR = "an operator"
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    EQUALS = "'='"
    END = "end of input"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    column: int  # 1-based, so it matches what an editor shows


# ASCII only: str.isdigit() also accepts characters such as "²" that float() rejects.
DIGITS = frozenset("0123456789")
OPERATORS = frozenset("+-*/^%")
PUNCTUATION = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA, "=": Kind.EQUALS}


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; raise TokenizeError naming the column of a bad character."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        column = position + 1
        if char.isspace():
            position += 1
        elif char in DIGITS or (char == "." and _is_digit_at(text, position + 1)):
            end = _scan_number(text, position)
            tokens.append(Token(Kind.NUMBER, text[position:end], column))
            position = end
        elif char.isalpha() or char == "_":
            end = position + 1
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            tokens.append(Token(Kind.NAME, text[position:end], column))
            position = end
        elif char in OPERATORS:
            tokens.append(Token(Kind.OPERATOR, char, column))
            position += 1
        elif char in PUNCTUATION:
            tokens.append(Token(PUNCTUATION[char], char, column))
            position += 1
        else:
            raise TokenizeError(f"unexpected character {char!r}", column)
    tokens.append(Token(Kind.END, "", len(text) + 1))
    return tokens


def _is_digit_at(text: str, position: int) -> bool:
    return position < len(text) and text[position] in DIGITS


def _scan_number(text: str, start: int) -> int:
    """Return the end of the number at `start`: digits, optional fraction, optional exponent."""
    end = _skip_digits(text, start)
    if end < len(text) and text[end] == ".":
        end = _skip_digits(text, end + 1)
    if end < len(text) and text[end] in "eE":
        exponent = end + 1
        if exponent < len(text) and text[exponent] in "+-":
            exponent += 1
        if not _is_digit_at(text, exponent):
            raise TokenizeError(f"malformed number {text[start:exponent]!r}", start + 1)
        end = _skip_digits(text, exponent)
    # "1.2.3" or "1e5.0" would otherwise silently become two numbers side by side.
    if end < len(text) and text[end] == ".":
        raise TokenizeError(f"malformed number {text[start:end + 1]!r}", start + 1)
    return end


def _skip_digits(text: str, position: int) -> int:
    while position < len(text) and text[position] in DIGITS:
        position += 1
    return position
