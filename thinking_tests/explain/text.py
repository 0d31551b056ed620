"""Values and errors as short text: bounded reprs, clipped lines, type names."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ast
    import reprlib

_MAX_REPR = 240  # characters per value shown inline; diffs show values in full
_MAX_DETAIL_LINES = 200  # a longer diff is cut, with a line saying how much was left out
_MAX_DETAIL_WIDTH = 2000  # diff lines show values in full, up to a bound for huge strings
_repr_instance: reprlib.Repr | None = None  # made at the first repr (see _safe_repr)

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
