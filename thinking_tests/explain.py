"""Explain a failing plain ``assert`` when no assertion rewriting ran (the unittest engine).

pytest rewrites ``assert`` statements at import time so that a failure reports every
intermediate value. The unittest engine has no such step: ``assert add(1, 2) == 4`` fails
with an empty ``AssertionError``. :func:`explain` recovers the values afterwards. It finds
the failing statement in the source, evaluates its parts again in the frame that raised, and
writes them the way pytest does::

    assert 3 == 4
     +  where 3 = add(1, 2)

Comparisons of strings, sequences, dicts, sets and dataclasses get pytest's own detailed
explanation (a diff, the first differing index, ...), with a plain fallback when pytest is
missing or its private helper changed.

Everything here runs only after a failure. Importing pytest is slow, and even ``ast`` is
not needed to pass, so every import beyond ``os`` and ``sys`` happens inside the functions.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import ast
    import reprlib
    from collections.abc import Callable, Mapping, Sequence, Set
    from types import CodeType, TracebackType

__all__ = ["explain", "first_line"]

_MAX_REPR = 240  # characters per value shown inline; diffs show values in full
_MAX_DETAIL_LINES = 200  # a longer diff is cut, with a line saying how much was left out
_MAX_DETAIL_WIDTH = 2000  # diff lines show values in full, up to a bound for huge strings
_MAX_FIRST_LINE = 200

_T = TypeVar("_T")


def explain(error: BaseException, *, verbosity: int = 0) -> str:
    """Lines explaining a failed plain ``assert``: its values and, for comparisons, a diff.

    Returns "" when there is nothing to add: the error did not come from an ``assert``
    statement, its source is unavailable, or pytest already rewrote the assert (its message
    then holds the values). The text complements the traceback, whose last line already
    carries the assert's message, so the message is not repeated. Never raises.

    The values come from evaluating the assert's parts a second time, after the failure;
    when that evaluation passes, a closing line says so. `verbosity` is handed to pytest's
    comparison helper (0 = pytest's default, 1 = ``-v``: full diffs of containers).
    """
    try:
        return _explain(error, verbosity)
    except KeyboardInterrupt:
        raise
    except BaseException:  # explaining one failure must never cause a second one
        return ""


def first_line(error: BaseException) -> str:
    """A one-line summary, e.g. ``AssertionError: assert add(1, 2) == 4`` for a bare assert.

    Uses the first line of the message; a bare ``assert`` has none, so its source stands in.
    Evaluates nothing, so it is safe to call next to :func:`explain`.
    """
    try:
        name = _type_name(type(error))
        message = _first_message_line(error)
        if not message and isinstance(error, AssertionError):
            found = _find_assert(error)
            if found is not None:
                message = "assert " + _unparse(found[1].test)
        return _clip(f"{name}: {message}" if message else name, _MAX_FIRST_LINE)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return type(error).__name__


# --- finding the failed statement -------------------------------------------------------


def _explain(error: BaseException, verbosity: int) -> str:
    if not isinstance(error, AssertionError):
        return ""
    found = _find_assert(error)
    if found is None:
        return ""
    tb, node = found
    statement = "assert " + _unparse(node.test)
    unsafe = _unsafe_part(node.test)
    if unsafe:
        return f"{statement}\n(values not shown: the assertion contains {unsafe}, which is not evaluated twice)"

    frame = tb.tb_frame
    # One flat namespace: names in lambdas and comprehensions of the expression resolve as
    # globals of the compiled code, so the frame's locals must be globals too.
    namespace: dict[str, object] = dict(frame.f_globals)
    namespace.update(frame.f_locals)
    evaluator = _Evaluator(namespace, frame.f_code, verbosity)
    try:
        top = evaluator.visit(node.test)
    except _NotEvaluated as failed:
        return f"{statement}\n(values not shown: evaluating `{failed.source}` again raised {failed.error})"

    lines = [f"assert {top.text}"]
    blocks = [block for block in evaluator.details if block[1]]
    for comparison, details in blocks:
        if len(blocks) > 1:  # say which comparison each diff belongs to
            lines.append(f"  {comparison}:")
            details = ["  " + line for line in details]
        lines += ["  " + line for line in details]
    lines += _render_wheres(top.wheres, 1)
    try:
        passed = bool(top.value)
    except Exception:
        passed = False
    if passed:
        lines.append(
            "(the assertion passed when re-evaluated: it has side effects or depends on state"
            " that changed, so the values above may differ from the ones that failed)"
        )
    return "\n".join(lines)


def _find_assert(error: BaseException) -> tuple[TracebackType, ast.Assert] | None:
    """The traceback entry that raised and its ``assert`` statement, when there is one."""
    tb = _raising_entry(error)
    if tb is None:
        return None
    frame = tb.tb_frame
    if "@py_builtins" in frame.f_globals:  # pytest rewrote this module: the message says it all
        return None
    code = frame.f_code
    if not _raised_by_statement(code, tb.tb_lasti):
        return None

    import linecache

    filename = code.co_filename
    linecache.checkcache(filename)  # like traceback: read the file as it is now
    lines = linecache.getlines(filename, frame.f_globals)
    if not lines:  # exec'd string, deleted file, frozen module
        return None
    source, offset = _function_source(lines, code)
    line, end_line, col, end_col = _position(code, tb.tb_lasti)
    node = _assert_at(
        source,
        (_shift(line, offset), _shift(end_line, offset), col, end_col),
        _shift(tb.tb_lineno, offset),
    )
    if node is None and offset:  # the block could not be cut out cleanly: the whole module
        node = _assert_at("".join(lines), (line, end_line, col, end_col), tb.tb_lineno)
    return None if node is None else (tb, node)


def _shift(line: int | None, offset: int) -> int | None:
    return None if line is None else line - offset


def _function_source(lines: list[str], code: CodeType) -> tuple[str, int]:
    """The source of the function `code` runs, and how many lines come before it.

    Parsing only the function, not its whole module, keeps explaining a failure cheap in a
    module of hundreds of cases. An indented block (a method, a nested function) is put
    under `if 1:` so it parses with its columns unchanged; module-level code is the module.
    """
    first = code.co_firstlineno
    if code.co_name == "<module>" or first <= 1 or first > len(lines):
        return "".join(lines), 0
    try:
        block = inspect.getblock(lines[first - 1 :])
    except Exception:  # tokenize could not read it: the whole module
        return "".join(lines), 0
    text = "".join(block)
    if block and block[0][:1] in (" ", "\t"):
        return "if 1:\n" + text, first - 2
    return text, first - 1


def _raising_entry(error: BaseException) -> TracebackType | None:
    """The innermost traceback entry outside this package: the user's frame that raised."""
    own = os.path.normcase(os.path.dirname(os.path.abspath(__file__))) + os.sep
    tb = error.__traceback__
    found = None
    while tb is not None:
        filename = os.path.normcase(os.path.abspath(tb.tb_frame.f_code.co_filename))
        if not filename.startswith(own):
            found = tb
        tb = tb.tb_next
    return found


def _raised_by_statement(code: CodeType, lasti: int) -> bool:
    """False when the frame stopped in a call (an AssertionError from deeper C code)."""
    try:
        import opcode

        return lasti < 0 or code.co_code[lasti] == opcode.opmap["RAISE_VARARGS"]
    except (IndexError, KeyError, TypeError, ImportError):
        return True  # cannot tell: let the source decide


def _position(code: CodeType, lasti: int) -> tuple[int | None, int | None, int | None, int | None]:
    """Lines and columns of the instruction that raised (the assert's test since 3.11)."""
    if lasti >= 0:
        try:
            for index, position in enumerate(code.co_positions()):
                if index == lasti // 2:
                    return position
        except (AttributeError, ValueError):
            pass
    return (None, None, None, None)


@functools.lru_cache(maxsize=32)
def _asserts(source: str) -> tuple[ast.Assert, ...] | None:
    """Every ``assert`` statement of a source (a function's, or a whole module's); None when
    it does not parse (the file changed since it was imported). Kept for the next failure in
    the same function, a parametrized case's say. The nodes are only read, never changed."""
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return tuple(node for node in ast.walk(tree) if isinstance(node, ast.Assert))


def _assert_at(
    source: str,
    position: tuple[int | None, int | None, int | None, int | None],
    lineno: int | None,
) -> ast.Assert | None:
    """The ``assert`` statement of `source` that contains `position` (else `lineno`)."""
    statements = _asserts(source)
    if statements is None:
        return None
    line, end_line, col, end_col = position
    best: ast.Assert | None = None
    for node in statements:
        end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
        if line is not None and end_line is not None:
            if col is not None and end_col is not None and node.end_col_offset is not None:
                inside = (node.lineno, node.col_offset) <= (line, col) and (end_line, end_col) <= (
                    end_lineno,
                    node.end_col_offset,
                )
            else:
                inside = node.lineno <= line and end_line <= end_lineno
        else:
            inside = lineno is not None and node.lineno <= lineno <= end_lineno
        # Asserts do not nest, but one line may hold two (`assert a; assert b`).
        if inside and (best is None or (node.lineno, node.col_offset) > (best.lineno, best.col_offset)):
            best = node
    return best


def _unsafe_part(test: ast.expr) -> str:
    """What makes evaluating `test` a second time unsafe, or "" when nothing does."""
    import ast

    for node in ast.walk(test):
        if isinstance(node, ast.Await):
            return "`await`"
        if isinstance(node, ast.NamedExpr):
            return "`:=`"
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return "`yield`"
    return ""


# --- evaluating the parts again ----------------------------------------------------------


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


# --- comparison details ---------------------------------------------------------------------


def _compare_details(symbol: str, left: object, right: object, verbosity: int) -> list[str]:
    """Lines explaining why `left symbol right` is false: pytest's, else a plain fallback."""
    lines = _pytest_details(symbol, left, right, verbosity)
    if lines is None:
        try:
            lines = _plain_details(symbol, left, right)
        except Exception:
            lines = []
    lines = [_clip(line, _MAX_DETAIL_WIDTH) for line in lines]
    if len(lines) > _MAX_DETAIL_LINES:
        lines = lines[:_MAX_DETAIL_LINES] + [f"... ({len(lines) - _MAX_DETAIL_LINES} more lines)"]
    return lines


class _PytestConfig:
    """The few members of pytest's ``Config`` that its comparison helper reads."""

    def __init__(self, verbosity: int) -> None:
        self._verbosity = verbosity

    def get_verbosity(self, verbosity_type: str | None = None) -> int:
        return self._verbosity

    def getoption(self, name: str, default: object = None, skip: bool = False) -> object:
        return self._verbosity if name == "verbose" else default

    def get_terminal_writer(self) -> _PytestConfig:
        return self

    def _highlight(self, source: str, lexer: str = "python") -> str:
        return source  # reports store plain text: no colour codes


def _no_colour(source: str, lexer: str = "python") -> str:
    return source  # reports store plain text


def _pytest_details(symbol: str, left: object, right: object, verbosity: int) -> list[str] | None:
    """pytest's explanation without its first line (the comparison, shown already).

    None when pytest is missing or its private helper failed; [] when it has nothing to add.
    """
    try:
        import importlib

        util = importlib.import_module("_pytest.assertion.util")
        # A private helper whose signature changed in pytest 9.2: call whichever is there.
        compare: Any = util.assertrepr_compare
        if "config" in inspect.signature(compare).parameters:  # pytest < 9.2
            lines = compare(_PytestConfig(verbosity), symbol, left, right)
        else:  # pytest 9.2 and later take the settings themselves and yield lines
            lines = list(
                compare(
                    symbol,
                    left,
                    right,
                    verbose=verbosity,
                    highlighter=_no_colour,
                    assertion_text_diff_style="ndiff",
                )
            )
    except Exception:
        return None
    if lines is None:
        return []
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        return None
    import re

    details: list[str] = []
    for line in lines[1:]:
        if line.strip() == "Use -v to get more diff":  # pytest's flags do not exist here
            continue
        line = re.sub(r",? use -v+ to show$", "", line)
        details.append(re.sub(r"^\(pytest_assertion plugin: ", "(", line))  # no plugin here
    while details and not details[0].strip():
        details.pop(0)
    return details


def _plain_details(symbol: str, left: object, right: object) -> list[str]:
    """A small stand-in for pytest's explanations: diffs of text, sequences, dicts, sets."""
    from collections.abc import Mapping, Sequence, Set

    if symbol == "not in" and isinstance(left, str) and isinstance(right, str):
        start = right.find(left)
        return [f"{_safe_repr(left)} is contained here:", "  " + right[max(0, start - 40) : start + len(left) + 40]]
    if symbol != "==":
        return []
    if isinstance(left, str) and isinstance(right, str):
        import difflib

        # As pytest: "-" lines are the right side (usually the expected), "+" the left.
        diff = difflib.ndiff(right.splitlines(keepends=True) or [""], left.splitlines(keepends=True) or [""])
        return [line.rstrip("\n") for line in diff]
    if type(left) is type(right) and hasattr(type(left), "__dataclass_fields__"):
        import dataclasses

        names = [field.name for field in dataclasses.fields(left) if field.compare]  # type: ignore[arg-type]
        differing = [name for name in names if getattr(left, name) != getattr(right, name)]
        lines = [f"Differing attributes: {differing!r}"]
        for name in differing:
            lines.append(f"{name}: {_safe_repr(getattr(left, name))} != {_safe_repr(getattr(right, name))}")
        return lines
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return _plain_mapping(left, right)
    if isinstance(left, Set) and isinstance(right, Set):
        return _plain_set(left, right)
    if isinstance(left, (Sequence, bytes)) and isinstance(right, (Sequence, bytes)):
        return _plain_sequence(left, right)
    return []


def _plain_mapping(left: Mapping[object, object], right: Mapping[object, object]) -> list[str]:
    lines: list[str] = []
    differing = [key for key in left if key in right and left[key] != right[key]]
    if differing:
        lines.append("Differing items:")
        lines += [f"{_safe_repr(key)}: {_safe_repr(left[key])} != {_safe_repr(right[key])}" for key in differing]
    for side, this, other in (("Left", left, right), ("Right", right, left)):
        extra = {key: this[key] for key in this if key not in other}
        if extra:
            lines += [f"{side} contains {len(extra)} more item(s):", _safe_repr(extra)]
    return lines


def _plain_set(left: Set[object], right: Set[object]) -> list[str]:
    lines: list[str] = []
    for side, this, other in (("left", left, right), ("right", right, left)):
        extra = [item for item in this if item not in other]
        if extra:
            lines.append(f"Extra items in the {side} set:")
            lines += [_safe_repr(item) for item in extra]
    return lines


def _plain_sequence(left: Sequence[object], right: Sequence[object]) -> list[str]:
    lines: list[str] = []
    for index in range(min(len(left), len(right))):
        if left[index] != right[index]:
            lines.append(f"At index {index} diff: {_safe_repr(left[index])} != {_safe_repr(right[index])}")
            break
    if len(left) != len(right):
        side, longer, shorter = ("Left", left, right) if len(left) > len(right) else ("Right", right, left)
        count = len(longer) - len(shorter)
        lines.append(f"{side} contains {count} more item(s), first extra item: {_safe_repr(longer[len(shorter)])}")
    return lines


# --- text helpers ---------------------------------------------------------------------------

_repr_instance: reprlib.Repr | None = None


def _safe_repr(value: object, limit: int = _MAX_REPR) -> str:
    """A one-line repr cut to `limit` characters that survives a broken ``__repr__``."""
    global _repr_instance
    try:
        if _repr_instance is None:
            _repr_instance = _make_repr()
        text = _repr_instance.repr(value)
    except Exception as error:
        text = f"<{type(value).__name__} object at {id(value):#x}; repr() raised {_describe(error)}>"
    return _clip(text.replace("\n", "\\n"), limit)


def _make_repr() -> reprlib.Repr:
    import builtins
    import reprlib

    class _Repr(reprlib.Repr):
        def repr_instance(self, x: object, level: int) -> str:
            try:
                text = builtins.repr(x)
            except Exception as error:  # one broken element must not hide its container
                return f"<{type(x).__name__} object at {id(x):#x}; repr() raised {_describe(error)}>"
            return _clip(text, self.maxother)

    maker = _Repr()
    # Containers are cut by length afterwards; these only bound the work on huge ones.
    for name in ("maxtuple", "maxlist", "maxarray", "maxdict", "maxset", "maxfrozenset", "maxdeque"):
        setattr(maker, name, 100)
    maker.maxlevel = 6
    maker.maxstring = maker.maxlong = maker.maxother = _MAX_REPR
    return maker


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = (limit - 3) // 2
    return text[:head] + "..." + text[len(text) - (limit - 3 - head) :]


def _describe(error: BaseException) -> str:
    try:
        message = str(error)
    except Exception:
        message = ""
    name = type(error).__name__
    return _clip(f"{name}: {message}" if message else name, _MAX_REPR)


def _unparse(node: ast.AST) -> str:
    import ast

    try:
        return ast.unparse(node)
    except Exception:
        return "<expression>"


def _type_name(kind: type) -> str:
    module = getattr(kind, "__module__", "builtins")
    qualname = getattr(kind, "__qualname__", kind.__name__)
    return qualname if module in ("builtins", "__main__") else f"{module}.{qualname}"


def _first_message_line(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        return ""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""
