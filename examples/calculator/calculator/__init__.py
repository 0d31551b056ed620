"""A small calculator: tokenizer, recursive-descent parser, evaluator and command line.

    >>> from calculator import evaluate
    >>> evaluate("1 + 2 * 3")
    7.0
"""

from calculator.errors import CalculatorError, EvaluationError, ParseError, TokenizeError
from calculator.evaluator import Evaluator, Function, evaluate
from calculator.formatting import format_number
from calculator.parser import parse, parse_statement

__all__ = [
    "CalculatorError",
    "EvaluationError",
    "Evaluator",
    "Function",
    "ParseError",
    "TokenizeError",
    "evaluate",
    "format_number",
    "parse",
    "parse_statement",
]
