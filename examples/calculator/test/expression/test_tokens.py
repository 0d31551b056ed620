"""The tokenizer: numbers, operators and names, and errors that point at a column."""

from __future__ import annotations

from thinking_tests import run_current_module, test

from calculator.errors import TokenizeError
from calculator.tokens import Kind, Token, tokenize
from test.helpers import error_of


def kinds(text: str) -> list[Kind]:
    return [token.kind for token in tokenize(text)]


@test
def splits_a_simple_sum() -> None:
    assert kinds("1 + 2") == [Kind.NUMBER, Kind.OPERATOR, Kind.NUMBER, Kind.END]


NUMBERS = ["3.14", ".5", "5.", "1e3", "2.5E-3"]


# Each text must come out as one NUMBER token, not a number followed by something else.
@test(params=NUMBERS, ids=NUMBERS)
def reads_a_whole_number(text: str) -> None:
    assert tokenize(text) == [Token(Kind.NUMBER, text, 1), Token(Kind.END, "", len(text) + 1)]


@test("columns are 1-based and count the spaces skipped", tags=["fast"])
def records_columns() -> None:
    positions = [(token.text, token.column) for token in tokenize("  12 *(x)")]
    assert positions == [("12", 3), ("*", 6), ("(", 7), ("x", 8), (")", 9), ("", 10)]


@test
def reads_operators_and_punctuation() -> None:
    tokens = tokenize("+-*/^%(),=")
    assert [token.text for token in tokens[:6]] == list("+-*/^%")
    assert {token.kind for token in tokens[:6]} == {Kind.OPERATOR}
    assert [token.kind for token in tokens[6:]] == [
        Kind.LPAREN, Kind.RPAREN, Kind.COMMA, Kind.EQUALS, Kind.END,
    ]


@test("names hold letters, digits and underscores", tags=["fast"])
def reads_names() -> None:
    tokens = tokenize("x_1 + _tmp2")
    assert [(token.kind, token.text) for token in tokens] == [
        (Kind.NAME, "x_1"), (Kind.OPERATOR, "+"), (Kind.NAME, "_tmp2"), (Kind.END, ""),
    ]
    # A name cannot start with a digit: "2x" is a number, then a name.
    assert kinds("2x") == [Kind.NUMBER, Kind.NAME, Kind.END]


@test
def reads_blank_input_as_just_the_end() -> None:
    assert tokenize("   ") == [Token(Kind.END, "", 4)]


@test(
    params=[
        ("1 $ 2", 3, "unexpected character '$'"),
        ("1e+", 1, "malformed number '1e+'"),
        ("1.2.3", 1, "malformed number '1.2.'"),
        ("3²", 2, "unexpected character '²'"),
    ],
    ids=["dollar", "bare-exponent", "two-points", "superscript"],
)
def rejects_with_the_column(text: str, column: int, message: str) -> None:
    error = error_of(TokenizeError, lambda: tokenize(text))
    assert (error.column, error.message) == (column, message)
    assert str(error) == f"{message} at column {column}"


if __name__ == "__main__":
    run_current_module()
