"""Evaluating a failed `assert`'s parts again in the frame that raised it, each value shown
as pytest shows it (`assert 3 == 4`, `+  where 3 = add(1, 2)`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeVar

from thinking_tests.explain.compare import _compare_details
from thinking_tests.explain.text import _describe, _safe_repr, _unparse

if TYPE_CHECKING:
    import ast
    from collections.abc import Callable
    from types import CodeType


_T = TypeVar("_T")
# How tightly an inline text holds together, to know when it needs parentheses.
_LAMBDA, _COMPARISON, _ATOM = 1, 2, 3


class _Where:
    """One " +  where VALUE = EXPRESSION" line and the lines nested under it."""

    __slots__ = ("value_text", "source", "children")

    def __init__(self, value_text: str, source: str, children: list[_Where]) -> None:
        self.value_text = value_text
        self.source = source
        self.children = children


class _Shown:
    """A sub-expression evaluated again: its value, how it reads inline, its where-lines."""

    __slots__ = ("value", "text", "wheres", "binding")

    def __init__(self, value: object, text: str, wheres: list[_Where], binding: int = _ATOM) -> None:
        self.value = value
        self.text = text
        self.wheres = wheres
        self.binding = binding  # how tightly `text` holds together; see _operand


class _NotEvaluated(Exception):
    """Evaluating a part again raised; the explanation then shows the source only."""

    def __init__(self, source: str, error: str) -> None:
        super().__init__(source, error)
        self.source = source
        self.error = error


_COMPARE_SYMBOLS = {
    "Eq": "==",
    "NotEq": "!=",
    "Lt": "<",
    "LtE": "<=",
    "Gt": ">",
    "GtE": ">=",
    "Is": "is",
    "IsNot": "is not",
    "In": "in",
    "NotIn": "not in",
}
_BINARY_SYMBOLS = {
    "Add": ("+", "add"),
    "Sub": ("-", "sub"),
    "Mult": ("*", "mul"),
    "MatMult": ("@", "matmul"),
    "Div": ("/", "truediv"),
    "FloorDiv": ("//", "floordiv"),
    "Mod": ("%", "mod"),
    "Pow": ("**", "pow"),
    "LShift": ("<<", "lshift"),
    "RShift": (">>", "rshift"),
    "BitOr": ("|", "or_"),
    "BitXor": ("^", "xor"),
    "BitAnd": ("&", "and_"),
}
_UNARY_SYMBOLS = {"Not": ("not ", "not_"), "USub": ("-", "neg"), "UAdd": ("+", "pos"), "Invert": ("~", "invert")}


def _compare(symbol: str, left: object, right: object) -> object:
    if symbol == "==":
        return left == right
    if symbol == "!=":
        return left != right
    if symbol == "<":
        return left < right  # type: ignore[operator]
    if symbol == "<=":
        return left <= right  # type: ignore[operator]
    if symbol == ">":
        return left > right  # type: ignore[operator]
    if symbol == ">=":
        return left >= right  # type: ignore[operator]
    if symbol == "is":
        return left is right
    if symbol == "is not":
        return left is not right
    if symbol == "in":
        return left in right  # type: ignore[operator]
    return left not in right  # type: ignore[operator]


class _Evaluator:
    """Evaluates an assert's test again, part by part, keeping each part's value.

    Names, attributes, calls, subscripts, operators, comparisons and ``and``/``or`` are
    taken apart so every intermediate value can be shown; anything else (literals,
    comprehensions, lambdas, conditional expressions) is evaluated whole. Each part is
    evaluated once, and ``and``/``or``/chained comparisons stop where Python would.
    """

    def __init__(self, namespace: dict[str, object], code: CodeType, verbosity: int) -> None:
        self.namespace = namespace
        self.code = code
        self.verbosity = verbosity
        # (comparison, lines explaining it) for each false comparison, in evaluation order
        self.details: list[tuple[str, list[str]]] = []

    def visit(self, node: ast.expr) -> _Shown:
        method: Callable[[ast.expr], _Shown] = getattr(self, "_visit_" + type(node).__name__, self._visit_whole)
        return method(node)

    def _run(self, node: ast.AST, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # includes SystemExit: the run must go on
            raise _NotEvaluated(_unparse(node), _describe(error)) from None

    def _truth(self, node: ast.AST, value: object) -> bool:
        return self._run(node, lambda: bool(value))

    def _evaluate(self, node: ast.expr) -> object:
        import ast

        expression = ast.fix_missing_locations(ast.Expression(body=node))
        compiled = self._run(node, lambda: compile(expression, self.code.co_filename, "eval"))
        return self._run(node, lambda: eval(compiled, self.namespace))

    def _visit_whole(self, node: ast.expr) -> _Shown:
        import ast

        value = self._evaluate(node)
        if isinstance(node, ast.GeneratorExp):  # its repr says nothing; the source does
            return _Shown(value, _unparse(node), [])
        if isinstance(node, ast.Lambda):
            return _Shown(value, _unparse(node), [], _LAMBDA)
        return _Shown(value, _safe_repr(value), [])

    def _visit_Constant(self, node: ast.Constant) -> _Shown:
        return _Shown(node.value, _safe_repr(node.value), [])

    def _visit_Name(self, node: ast.Name) -> _Shown:
        value = self._evaluate(node)
        # Functions, classes and modules read better by name than by repr.
        return _Shown(value, node.id if _by_name(value) else _safe_repr(value), [])

    def _visit_Attribute(self, node: ast.Attribute) -> _Shown:
        owner = self.visit(node.value)
        attribute = _mangle(node.attr, self.code)
        value = self._run(node, lambda: getattr(owner.value, attribute))
        source = f"{_operand(owner)}.{node.attr}"
        if _by_name(value):  # a method or module: part of the call's text, not a value
            return _Shown(value, source, owner.wheres)
        text = _safe_repr(value)
        return _Shown(value, text, [_Where(text, source, owner.wheres)])

    def _visit_Subscript(self, node: ast.Subscript) -> _Shown:
        import ast

        if any(isinstance(part, ast.Slice) for part in ast.walk(node.slice)):
            return self._visit_whole(node)  # a slice is no expression of its own
        container = self.visit(node.value)
        key = self.visit(node.slice)
        value = self._run(node, lambda: container.value[key.value])  # type: ignore[index]
        text = _safe_repr(value)
        where = _Where(text, f"{_operand(container)}[{key.text}]", container.wheres + key.wheres)
        return _Shown(value, text, [where])

    def _visit_Call(self, node: ast.Call) -> _Shown:
        import ast

        function = self.visit(node.func)
        wheres = list(function.wheres)
        args: list[object] = []
        kwargs: dict[str, object] = {}
        texts: list[str] = []
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                spread = self.visit(argument.value)
                args.extend(self._run(argument, lambda: list(spread.value)))  # type: ignore[call-overload]
                texts.append("*" + _operand(spread))
                wheres += spread.wheres
            else:
                shown = self.visit(argument)
                args.append(shown.value)
                texts.append(shown.text)
                wheres += shown.wheres
        for keyword in node.keywords:
            shown = self.visit(keyword.value)
            wheres += shown.wheres
            if keyword.arg is None:
                kwargs.update(self._run(keyword, lambda: dict(shown.value)))  # type: ignore[call-overload]
                texts.append("**" + _operand(shown))
            else:
                kwargs[keyword.arg] = shown.value
                texts.append(f"{keyword.arg}={shown.text}")
        if len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.GeneratorExp):
            texts = [texts[0][1:-1]]  # all(x for x in y), not all((x for x in y))
        value = self._run(node, lambda: function.value(*args, **kwargs))  # type: ignore[operator]
        text = _safe_repr(value)
        return _Shown(value, text, [_Where(text, f"{_operand(function)}({', '.join(texts)})", wheres)])

    def _visit_Compare(self, node: ast.Compare) -> _Shown:
        left = self.visit(node.left)
        texts = [_operand(left)]
        wheres = list(left.wheres)
        value: object = True
        for operator, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            wheres += right.wheres
            symbol = _COMPARE_SYMBOLS[type(operator).__name__]
            texts += [symbol, _operand(right)]
            value = self._run(node, lambda: _compare(symbol, left.value, right.value))
            if not self._truth(node, value):
                lines = _compare_details(symbol, left.value, right.value, self.verbosity)
                self.details.append((" ".join(texts[-3:]), lines))
                break  # a chain stops at its first false link, as Python's does
            left = right
        return _Shown(value, " ".join(texts), wheres, _COMPARISON)

    def _visit_BoolOp(self, node: ast.BoolOp) -> _Shown:
        is_and = type(node.op).__name__ == "And"
        parts: list[_Shown] = []
        for operand in node.values:
            shown = self.visit(operand)
            parts.append(shown)
            if self._truth(operand, shown.value) != is_and:
                break  # short-circuit: the rest was never evaluated
        wheres = [where for part in parts for where in part.wheres]
        if len(parts) == 1:
            return _Shown(parts[0].value, parts[0].text, wheres, parts[0].binding)
        word = " and " if is_and else " or "
        text = word.join(_operand(part, _COMPARISON) for part in parts)  # `and` binds looser
        return _Shown(parts[-1].value, f"({text})", wheres)

    def _visit_UnaryOp(self, node: ast.UnaryOp) -> _Shown:
        import operator

        symbol, name = _UNARY_SYMBOLS[type(node.op).__name__]
        operand = self.visit(node.operand)
        value = self._run(node, lambda: getattr(operator, name)(operand.value))
        return _Shown(value, symbol + _operand(operand), operand.wheres, _COMPARISON if symbol == "not " else _ATOM)

    def _visit_BinOp(self, node: ast.BinOp) -> _Shown:
        import operator

        symbol, name = _BINARY_SYMBOLS[type(node.op).__name__]
        left = self.visit(node.left)
        right = self.visit(node.right)
        value = self._run(node, lambda: getattr(operator, name)(left.value, right.value))
        text = f"({_operand(left)} {symbol} {_operand(right)})"
        return _Shown(value, text, left.wheres + right.wheres)


def _operand(shown: _Shown, needed: int = _ATOM) -> str:
    """`shown`'s text as an operand: in parentheses unless it binds at least as `needed`."""
    return shown.text if shown.binding >= needed else f"({shown.text})"


def _by_name(value: object) -> bool:
    try:
        return callable(value) or isinstance(value, type(sys))
    except Exception:
        return False


def _mangle(name: str, code: CodeType) -> str:
    """``__secret`` as the compiler renamed it inside a class body (``_Cls__secret``)."""
    if not name.startswith("__") or name.endswith("__"):
        return name
    parts = getattr(code, "co_qualname", "").split(".")[:-1]
    while parts and parts[-1] == "<locals>":  # skip enclosing functions
        parts = parts[:-2]
    owner = parts[-1].lstrip("_") if parts else ""
    return f"_{owner}{name}" if owner else name


def _render_wheres(wheres: list[_Where], depth: int) -> list[str]:
    lines: list[str] = []
    for index, where in enumerate(wheres):
        word = "where" if index == 0 else "and  "
        lines.append(f" +{'  ' * depth}{word} {where.value_text} = {where.source}")
        lines += _render_wheres(where.children, depth + 1)
    return lines
