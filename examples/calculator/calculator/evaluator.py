"""Evaluate a syntax tree with variables and functions, in floating point.

Every failure is an EvaluationError with a message a user can act on: division by zero,
an unknown name, a function called with the wrong number of arguments, a result that is
not a real number or too large to represent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from calculator.errors import EvaluationError
from calculator.formatting import format_number
from calculator.nodes import Assignment, BinaryOp, Call, Expr, Name, Number, Statement, UnaryOp
from calculator.parser import parse_statement


@dataclass(frozen=True)
class Function:
    """A callable with its arity; `max_args=None` accepts any number from `min_args` on."""

    implementation: Callable[..., float]
    min_args: int
    max_args: int | None

    def arity(self) -> str:
        """The expected argument count in words: '1 argument', 'at least 1 argument', ..."""
        if self.max_args is None:
            return f"at least {_arguments(self.min_args)}"
        if self.max_args == self.min_args:
            return _arguments(self.min_args)
        return f"{self.min_args} to {_arguments(self.max_args)}"

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)


def _arguments(count: int) -> str:
    return f"{count} argument" if count == 1 else f"{count} arguments"


def _log(x: float, base: float = 10.0) -> float:
    return math.log(x, base)


BUILTINS: dict[str, Function] = {
    "abs": Function(abs, 1, 1),
    "sqrt": Function(math.sqrt, 1, 1),
    "exp": Function(math.exp, 1, 1),
    "ln": Function(math.log, 1, 1),
    "log": Function(_log, 1, 2),
    "sin": Function(math.sin, 1, 1),
    "cos": Function(math.cos, 1, 1),
    "tan": Function(math.tan, 1, 1),
    "floor": Function(math.floor, 1, 1),
    "ceil": Function(math.ceil, 1, 1),
    "min": Function(min, 1, None),
    "max": Function(max, 1, None),
}

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def register_function(name: str, function: Function) -> None:
    """Make `name` callable from every evaluator that does not override it."""
    BUILTINS[name] = function


def unregister_function(name: str) -> None:
    BUILTINS.pop(name, None)


def evaluate(text: str, variables: Mapping[str, float] | None = None) -> float:
    """Evaluate one line of text (an expression or a `let`) in a fresh evaluator."""
    return Evaluator(variables).run(text)


class Evaluator:
    """Holds variables across statements, as the interactive mode needs."""

    def __init__(
        self,
        variables: Mapping[str, float] | None = None,
        functions: Mapping[str, Function] | None = None,
    ) -> None:
        self.variables: dict[str, float] = {**CONSTANTS, **(variables or {})}
        # Own functions are looked up first; BUILTINS is read at call time, so functions
        # registered later are seen too.
        self.functions: dict[str, Function] = dict(functions or {})

    def run(self, text: str) -> float:
        return self.execute(parse_statement(text))

    def execute(self, statement: Statement) -> float:
        try:
            if isinstance(statement, Assignment):
                value = self.evaluate(statement.value)
                self.variables[statement.name] = value
                return value
            return self.evaluate(statement)
        except RecursionError:
            # The parser limits nesting, but a sum of thousands of terms is a tree that
            # deep too; recursing is still the clearest way to write the evaluator.
            raise EvaluationError("expression too long to evaluate") from None

    def evaluate(self, expr: Expr) -> float:
        match expr:
            case Number(value):
                return value
            case Name(name, column):
                return self._lookup(name, column)
            case UnaryOp("-", operand):
                return -self.evaluate(operand)
            case BinaryOp(op, left, right, column):
                return _binary(op, self.evaluate(left), self.evaluate(right), column)
            case Call(name, args, column):
                return self._call(name, [self.evaluate(arg) for arg in args], column)
        raise TypeError(f"cannot evaluate {expr!r}")

    def find_function(self, name: str) -> Function | None:
        return self.functions.get(name) or BUILTINS.get(name)

    def _lookup(self, name: str, column: int) -> float:
        if name in self.variables:
            return self.variables[name]
        if self.find_function(name) is not None:
            raise EvaluationError(f"{name} is a function; call it like {name}(...)", column)
        raise EvaluationError(f"unknown variable {name!r}", column)

    def _call(self, name: str, args: list[float], column: int) -> float:
        function = self.find_function(name)
        if function is None:
            if name in self.variables:
                raise EvaluationError(f"{name} is a variable, not a function", column)
            raise EvaluationError(f"unknown function {name!r}", column)
        if not function.accepts(len(args)):
            raise EvaluationError(
                f"{name}() takes {function.arity()}, got {len(args)}", column
            )
        try:
            result = float(function.implementation(*args))
        except (ValueError, ZeroDivisionError):
            shown = ", ".join(format_number(arg) for arg in args)
            raise EvaluationError(f"{name}() is undefined for {shown}", column) from None
        except OverflowError:
            raise EvaluationError("result too large", column) from None
        return _finite(result, args, column)


def _binary(op: str, left: float, right: float, column: int) -> float:
    if op in "/%" and right == 0:
        raise EvaluationError("division by zero", column)
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    elif op == "/":
        result = left / right
    elif op == "%":
        result = left % right
    elif op == "^":
        result = _power(left, right, column)
    else:
        raise ValueError(f"unknown operator {op!r}")
    return _finite(result, [left, right], column)


def _power(base: float, exponent: float, column: int) -> float:
    if base == 0 and exponent < 0:
        raise EvaluationError("division by zero", column)
    try:
        # math.pow, not **: (-8) ** (1/3) would quietly be a complex number.
        return math.pow(base, exponent)
    except ValueError:
        raise EvaluationError(
            f"{format_number(base)} ^ {format_number(exponent)} is not a real number", column
        ) from None
    except OverflowError:
        raise EvaluationError("result too large", column) from None


def _finite(result: float, operands: list[float], column: int) -> float:
    # Finite inputs with an infinite result overflowed; infinite inputs may stay infinite.
    if math.isinf(result) and all(math.isfinite(operand) for operand in operands):
        raise EvaluationError("result too large", column)
    return result
