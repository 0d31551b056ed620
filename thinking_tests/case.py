"""What a declared case is: everything `@test` recorded, and nothing that happened at run time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any, ContextManager, Protocol, runtime_checkable

from thinking_tests.model import Stage, record


@runtime_checkable
class Aspect(Protocol):
    """An interceptor: `around` returns a context manager wrapped around one stage of a case.

    Exceptions raised by the stage pass through the context manager, so it can observe them
    (or, like any context manager, suppress them).
    """

    def around(self, stage: Stage, case: "Case") -> ContextManager[None]: ...


@record(eq=False)
class Case:
    """One runnable case: a function, maybe with one item of its `params`."""

    id: str  # "module.path::name[param-id]"
    module: str  # the real module name, never "__main__"
    name: str  # "name[param-id]"
    func: Callable[..., Any]
    file: str
    line: int
    description: str = ""
    tags: tuple[str, ...] = ()
    skip: str | None = None  # reason; None runs the case
    xfail: str | None = None
    timeout: float | None = None
    retries: int | None = None  # times run again after failing; None: the run's (config.retries)
    args: tuple[Any, ...] = ()  # positional values from params
    param_id: str | None = None
    aspects: tuple[Aspect, ...] = ()  # block aspects (outer first), then the case's own
    setups: tuple[Callable[[], Any], ...] = ()  # outer block first
    teardowns: tuple[Callable[[], Any], ...] = ()  # inner block first
    fixture_names: tuple[str, ...] = ()  # parameters not filled by params
    is_async: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # for hosts, e.g. native tests

    def __repr__(self) -> str:
        # Short on purpose: headers and messages show this, never the function's repr.
        return f"<case {self.id}>"

