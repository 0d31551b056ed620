"""How a pytest-style case calls its test: with its fixtures and params by name, on its
class's new instance, and for an xfail with strict or raises=, the outcome pytest gives."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from thinking_tests.pytest_style.marks import Xfail
from thinking_tests.pytest_style.xunit import INSTANCE


def caller(
    attr: str,
    func: Any,
    in_class: bool,
    arg_names: tuple[str, ...],
    params: dict[str, Any],
    xfail: Xfail | None,
    is_async: bool,
) -> Callable[..., Any]:
    """The case's function: the test called as pytest calls it."""

    def target(kwargs: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
        values = {n: kwargs[n] for n in arg_names if n in kwargs}
        values.update(params)
        if in_class:
            return getattr(kwargs[INSTANCE], attr), values
        return func, values

    if is_async:

        async def call_async(**kwargs: Any) -> None:
            function, values = target(kwargs)
            if xfail is None:
                await function(**values)
                return
            try:
                await function(**values)
            except BaseException as error:
                _xfailed(error, xfail)
            _xpassed(xfail)

        call_async.__name__ = attr
        return call_async

    def call(**kwargs: Any) -> None:
        function, values = target(kwargs)
        if xfail is None:
            function(**values)
            return
        try:
            function(**values)
        except BaseException as error:
            _xfailed(error, xfail)
        _xpassed(xfail)

    call.__name__ = attr
    return call


def _xfailed(error: BaseException, xfail: Xfail) -> None:
    """An exception of an xfail test with raises= or strict: xfailed when it is one the
    mark expects, else the failure it is."""
    from _pytest.outcomes import Exit, OutcomeException, XFailed

    from thinking_tests.timeouts import CaseTimeout

    unittest = sys.modules.get("unittest")
    # pytest's own outcomes (skip, fail, exit) are what they say, whatever the mark expects.
    passes_through = (KeyboardInterrupt, CaseTimeout, OutcomeException, Exit)
    if isinstance(error, passes_through):
        raise error
    if unittest is not None and isinstance(error, unittest.SkipTest):
        raise error
    if xfail.raises is None or isinstance(error, xfail.raises):
        raise XFailed(xfail.reason or "expected to fail") from error
    raise error


def _xpassed(xfail: Xfail) -> None:
    if xfail.strict:
        from _pytest.outcomes import Failed

        raise Failed(f"[XPASS(strict)] {xfail.reason}", pytrace=False)
