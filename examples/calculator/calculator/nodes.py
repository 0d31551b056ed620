"""The syntax tree: small frozen dataclasses, so trees compare by value and can be hashed.

Columns are kept for error messages but left out of comparisons: `parse("1+2")` equals
`parse("1 + 2")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calculator.formatting import format_number


@dataclass(frozen=True)
class Number:
    value: float
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name:
    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class UnaryOp:
    op: str
    operand: Expr
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BinaryOp:
    op: str
    left: Expr
    right: Expr
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Expr, ...]
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Assignment:
    """`let name = value`: a statement, never part of a larger expression."""

    name: str
    value: Expr
    column: int = field(default=0, compare=False)


Expr = Number | Name | UnaryOp | BinaryOp | Call
Statement = Expr | Assignment


def render(node: Statement) -> str:
    """Fully parenthesized text of a tree: shows exactly how the parser grouped things."""
    match node:
        case Number(value):
            return format_number(value)
        case Name(name):
            return name
        case UnaryOp(op, operand):
            return f"({op}{render(operand)})"
        case BinaryOp(op, left, right):
            return f"({render(left)} {op} {render(right)})"
        case Call(function, args):
            return f"{function}({', '.join(render(arg) for arg in args)})"
        case Assignment(name, value):
            return f"let {name} = {render(value)}"
    raise TypeError(f"not a syntax tree node: {node!r}")
