"""Aspects: interceptors around each stage of a case, and `current()`.

Order, outermost first: the built-in ones (the current-case record, capture, timing), then
`config.aspects` in list order, then `with aspect(...)` blocks from the outermost, then the
case's own `@test(aspects=[...])` in list order.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ContextManager

from thinking_tests.model import Stage, record

if TYPE_CHECKING:
    from thinking_tests.case import Case


class GeneratorAspect:
    """An aspect made by `@aspect` from `def name(stage, case): ...; yield; ...`."""

    def __init__(self, func: Callable[[Stage, "Case"], Generator[None, None, None]]) -> None:
        self.func = func
        self.__name__ = getattr(func, "__name__", "aspect")
        self.__doc__ = func.__doc__
        self._around = contextmanager(func)

    def around(self, stage: Stage, case: "Case") -> ContextManager[None]:
        return self._around(stage, case)

    def __repr__(self) -> str:
        return f"<aspect {self.__name__}>"


def aspect_name(obj: object) -> str:
    """How a message names an aspect: its function's name, else its class's."""
    name = getattr(obj, "__name__", None) or type(obj).__name__
    return repr(name)


@record
class Current:
    """What `current()` returns: the case running now and its stage."""

    case: "Case"
    stage: Stage


# The runner sets (case, stage) around every stage; the Current is made only when asked for.
_current: contextvars.ContextVar[tuple[Case, Stage] | None] = contextvars.ContextVar(
    "thinking_tests_current", default=None
)


def current() -> Current | None:
    """The case and stage running now, or None outside a case."""
    running = _current.get()
    return None if running is None else Current(*running)


class CurrentRecord:
    """Built in: keeps `current()` true for the duration of each stage."""

    @contextmanager
    def around(self, stage: Stage, case: "Case") -> Iterator[None]:
        token = _current.set((case, stage))
        try:
            yield
        finally:
            _current.reset(token)
