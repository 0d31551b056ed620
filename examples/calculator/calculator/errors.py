"""The errors of every stage, under one base class so callers can catch them together."""

from __future__ import annotations


class CalculatorError(Exception):
    """A problem with the user's input; `column` is 1-based when it is known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        # The column goes into the text so a one-line report points at the problem.
        super().__init__(message if column is None else f"{message} at column {column}")


class TokenizeError(CalculatorError):
    """A character or number the tokenizer cannot read."""


class ParseError(CalculatorError):
    """Tokens that do not form an expression."""


class EvaluationError(CalculatorError):
    """A well-formed expression that has no value: 1 / 0, an unknown name, ..."""
