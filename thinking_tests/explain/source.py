"""Finding the failed `assert` statement: the frame that raised it, its source, its node."""

from __future__ import annotations

import functools
import inspect
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ast
    from types import CodeType, TracebackType


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
