"""thinking-tests 0.0.4's `thinking_tests.decorators` (deprecated): `case`, `setup`, `teardown`.

They declare ordinary cases, with 0.0.4's data flow on top: the innermost `setup(...)` block
(or `case(setup=...)`) gives each case one setup function, whose return value reaches a case
parameter named `setup`; the teardown function gets `setup` and `outcome` (what the case
returned, None when it raised) when it names them. Parameters it does not fill are None,
as in 0.0.4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ContextManager, TypeVar

from thinking_tests.declare import _block, _declare, _Options
from thinking_tests.deprecated import forward
from thinking_tests.registry import REGISTRY, Block

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class _OldBlock(Block):
    """A 0.0.4 block: seen only by `case`, and the innermost one wins, as in 0.0.4."""

    old_setup: Callable[[], Any] | None = None
    old_teardown: Callable[..., Any] | None = None


def _setup(impl: Callable[[], Any]) -> ContextManager[None]:
    return _block(_OldBlock(old_setup=impl))


def _teardown(impl: Callable[..., Any]) -> ContextManager[None]:
    return _block(_OldBlock(old_teardown=impl))


def _case(
    name: Any = None,
    *,
    setup: Callable[[], Any] | None = None,
    teardown: Callable[..., Any] | None = None,
) -> Any:
    if callable(name):  # bare @case
        return _declare_case(name, None, setup, teardown)

    def decorate(func: F) -> F:
        return _declare_case(func, name, setup, teardown)

    return decorate


def _innermost(attribute: str) -> Callable[..., Any] | None:
    for block in reversed(REGISTRY.blocks):
        found = getattr(block, attribute, None)
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


def _parameters(func: Callable[..., Any]) -> tuple[str, ...]:
    code = func.__code__
    return tuple(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def _declare_case(
    func: F, name: str | None, setup: Callable[[], Any] | None, teardown: Callable[..., Any] | None
) -> F:
    setup = setup or _innermost("old_setup")
    teardown = teardown or _innermost("old_teardown")
    if setup is None and teardown is None and not _parameters(func):
        return _declare(func, _Options(name=name))  # a plain case: nothing to hand over
    flow = _Flow(func, setup, teardown)
    options = _Options(name=name, setup=flow.set_up, teardown=flow.tear_down)
    _declare(flow, options)  # type: ignore[arg-type]
    func.__thinking_tests__ = getattr(func, "__thinking_tests__", 0) + 1  # type: ignore[attr-defined]
    return func


class _Flow:
    """One 0.0.4 case: its setup's value and its outcome, handed to the body and the teardown.

    It stands in for the function when declared: it carries the function's name, module
    and place, and a code object without parameters, so no fixture is looked up for them.
    """

    def __init__(
        self, func: Callable[..., Any], setup: Callable[[], Any] | None, teardown: Callable[..., Any] | None
    ) -> None:
        code = func.__code__
        self.__code__ = code.replace(co_argcount=0, co_posonlyargcount=0, co_kwonlyargcount=0)
        self.__globals__ = func.__globals__
        self.__name__ = func.__name__
        self.__qualname__ = func.__qualname__
        self.__module__ = func.__module__
        self.__wrapped__ = func
        self.func = func
        self.setup = setup
        self.teardown = teardown
        self.asks = _positional(func)  # 0.0.4 gave each the value of its name, or None
        self.teardown_asks = _positional(teardown)
        self.value: Any = None
        self.outcome: Any = None
        self.set_up = _named(self._set_up, setup, "setup")
        self.tear_down = _named(self._tear_down, teardown, "teardown")

    def _set_up(self) -> None:
        self.value = self.outcome = None
        if self.setup is not None:
            self.value = self.setup()

    def __call__(self) -> Any:
        self.outcome = self.func(*[self.value if n == "setup" else None for n in self.asks])
        return self.outcome

    def _tear_down(self) -> None:
        if self.teardown is not None:
            given = {"setup": self.value, "outcome": self.outcome}
            self.teardown(*[given.get(name) for name in self.teardown_asks])


def _positional(func: Callable[..., Any] | None) -> tuple[str, ...]:
    """The names 0.0.4 bound by: the positional parameters."""
    if func is None:
        return ()
    import inspect

    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in inspect.signature(func).parameters.values() if p.kind in kinds)


def _named(call: Callable[[], None], user: Callable[..., Any] | None, kind: str) -> Callable[[], None]:
    """`call` under the name of the user's function, which messages name ("setup 'x'")."""

    def run() -> None:
        call()

    run.__qualname__ = getattr(user, "__qualname__", kind)
    return run


__getattr__ = forward(
    __name__,
    globals(),
    {
        "case": (_case, "@thinking_tests.test (name=... for a name)"),
        "setup": (_setup, "thinking_tests.setup"),
        "teardown": (_teardown, "thinking_tests.teardown"),
    },
)
