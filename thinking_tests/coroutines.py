"""A coroutine case run to its end on a fresh event loop; imported only when a case is one."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from thinking_tests.timeouts import CaseTimeout

__all__ = ["run_coroutine"]


def run_coroutine(coroutine: Any) -> None:
    """Run a coroutine case on a fresh event loop, as asyncio.run does.

    A timeout that fires while the loop waits is raised in the loop's own frames; its
    traceback is made to end where the case's coroutine (and what it awaits) waits instead,
    so it shows the case's line. The loop is closed only after that, as asyncio.run would.
    """
    import asyncio  # only when a case needs it: it costs start-up time

    with asyncio.Runner() as loop_runner:
        try:
            loop_runner.run(coroutine)
        except CaseTimeout as error:
            waiting = _suspended_at(coroutine)
            if waiting is None:  # the timeout was raised inside the case: its stack is there
                raise
            raise error.with_traceback(waiting)


def _suspended_at(coroutine: Any) -> TracebackType | None:
    """A traceback through the frames where a coroutine, and what it awaits, are suspended."""
    frames = []
    while coroutine is not None and getattr(coroutine, "cr_frame", None) is not None:
        frames.append(coroutine.cr_frame)
        coroutine = getattr(coroutine, "cr_await", None)
    tb: TracebackType | None = None
    for frame in reversed(frames):
        tb = TracebackType(tb, frame, frame.f_lasti, frame.f_lineno)
    return tb
