"""Time limits: a case's (`config.timeout`, `@test(timeout=...)`) and the run's
(`config.run_timeout`, `--run-timeout`).

A case's limit covers all it does: its fixtures of every scope (made and torn down), its
setup and teardown blocks, its aspects and its body. The innermost place a timeout passes
through names the stage that hung ("fixture 'db' setup"), so the message blames it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, ContextManager

# Bound at import: a case may leave these mocked or replaced.
_pthread_kill = getattr(signal, "pthread_kill", None)  # not on Windows
_setitimer = getattr(signal, "setitimer", None)
_signal = signal.signal
_sleep = time.sleep

_HERE = os.path.dirname(os.path.abspath(__file__))
# The runner's own lines around a stage: an alarm landing there waits for the next repeat,
# so it never escapes the code that records the stage (which disarms the timer next).
_SHIELDED = (os.path.join(_HERE, "runner.py"), os.path.join(_HERE, "timeouts.py"))
REPEAT = 0.5  # seconds between repeated alarms, for code that swallows the first one
GRACE = 10.0  # seconds a run past its run timeout has to stop before a second interrupt


class CaseTimeout(BaseException):
    """Raised into a case past its timeout; a BaseException so `except Exception` can't eat it.

    `what` is the stage that was running, set by the innermost place that saw it pass."""

    def __init__(self, what: str | None = None, seconds: float | None = None) -> None:
        super().__init__()
        self.what = what
        self.seconds = seconds

    def blame(self, what: str) -> "CaseTimeout":
        if self.what is None:
            self.what = what
        return self

    def as_exception(self) -> StageTimeout:
        return StageTimeout(str(self)).with_traceback(self.__traceback__)

    def __str__(self) -> str:
        what = self.what or "case"
        return f"{what} timed out" + (f" after {self.seconds:g} s" if self.seconds else "")


class StageTimeout(Exception):
    """A setup or teardown timeout as a host re-raises it: pytest tears its state down
    properly only for an Exception in those stages."""


class Deadline:
    """A limit of `seconds`: past it CaseTimeout is raised into the running code, and again
    every half second while it stays armed.

    SIGALRM interrupts blocking calls such as time.sleep; repeating it defeats code that
    swallows the first one in a loop. Off the main thread, where signals cannot go, an
    asynchronous exception is set on the thread instead."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._previous: Any = None
        self._armed = False
        self._watchdog: tuple[threading.Event, threading.Thread, int] | None = None

    def arm(self, seconds: float | None = None) -> None:
        """Start the clock for `seconds` (the whole limit when not given)."""
        if self._armed:
            self.disarm()
        allowed = self.seconds if seconds is None else max(seconds, 0.001)
        self._armed = True
        if threading.current_thread() is threading.main_thread() and _setitimer is not None:
            self._previous = _signal(signal.SIGALRM, self._on_alarm)
            _setitimer(signal.ITIMER_REAL, allowed, REPEAT)
            return
        done = threading.Event()
        target = threading.get_ident()
        thread = threading.Thread(target=self._watch, args=(done, target, allowed), daemon=True)
        self._watchdog = (done, thread, target)
        thread.start()

    def disarm(self) -> None:
        if not self._armed:
            return
        self._armed = False
        if self._watchdog is None:
            _setitimer(signal.ITIMER_REAL, 0, 0)
            _signal(signal.SIGALRM, self._previous)
            return
        done, thread, target = self._watchdog
        self._watchdog = None
        done.set()
        thread.join()
        if self.fired:  # one that was set and not yet raised must not land in the runner
            import ctypes

            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)

    @property
    def running(self) -> bool:
        return self._armed

    def restart(self) -> None:
        """A fresh allowance: after a timeout, for the cleanup still to run."""
        self.arm()

    def blame(self, error: BaseException, what: str) -> None:
        """Name the stage a timeout passed through, unless a stage inside it already did."""
        if isinstance(error, CaseTimeout):
            error.blame(what)
            if error.seconds is None:
                error.seconds = self.seconds

    @contextmanager
    def armed(self, seconds: float | None = None) -> Iterator["Deadline"]:
        self.arm(seconds)
        try:
            yield self
        finally:
            self.disarm()

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        if frame is not None and frame.f_code.co_filename in _SHIELDED:
            return
        self.fired = True
        raise CaseTimeout(seconds=self.seconds)

    def _watch(self, done: threading.Event, target: int, allowed: float) -> None:
        import ctypes

        wait = allowed
        while not done.wait(wait):
            self.fired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(target), ctypes.py_object(CaseTimeout)
            )
            wait = REPEAT


class _Blamed:
    """A context manager (an aspect's, around one stage) whose own hang is blamed on it."""

    def __init__(self, inner: ContextManager[Any], what: str) -> None:
        self.inner = inner
        self.what = what

    def __enter__(self) -> Any:
        __tracebackhide__ = True
        try:
            return self.inner.__enter__()
        except CaseTimeout as error:
            raise error.blame(self.what)

    def __exit__(self, *exc: Any) -> Any:
        __tracebackhide__ = True
        try:
            return self.inner.__exit__(*exc)
        except CaseTimeout as error:
            raise error.blame(self.what)


def blamed(inner: ContextManager[Any], what: str) -> ContextManager[Any]:
    return _Blamed(inner, what)


# --- the run's limit ---------------------------------------------------------------------------


class RunLimit:
    """`config.run_timeout`: past it the run stops as on Ctrl-C (SIGINT to the main thread):
    the running case is marked interrupted, every finished result is kept, the reports are
    written, exit code 2. A run still going `GRACE` seconds later (a case that swallows
    KeyboardInterrupt) gets a second interrupt, which exits at once."""

    def __init__(
        self,
        seconds: float | None,
        say: Callable[[str], object],
        before: Callable[[str], object] | None = None,
    ) -> None:
        self.seconds = seconds
        self.say = say
        self.before = before  # told why, before the interrupt: the case's message says it
        self.fired = False
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "RunLimit":
        if self.seconds is not None and threading.current_thread() is threading.main_thread():
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _interrupt(self) -> bool:
        with self._lock:
            if self._stopped.is_set():
                return False
            if not self.fired and self.before is not None:
                self.before(self.reason)
            self.fired = True
            if _pthread_kill is not None:  # a real signal: it wakes a main thread that sleeps
                _pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            else:
                import _thread

                _thread.interrupt_main()
            return True

    def _watch(self) -> None:
        assert self.seconds is not None
        if self._stopped.wait(self.seconds) or not self._interrupt():
            return
        if not self._stopped.wait(GRACE):
            self._interrupt()

    def stop(self) -> None:
        """Disarm; say so when the limit was reached."""
        if self._thread is None:
            return
        try:
            with self._lock:
                self._stopped.set()
            if self.fired:
                # An interrupt sent as the run was ending lands here, not in report writing.
                _sleep(0.05)
        except KeyboardInterrupt:
            pass
        if self.fired:
            self.say(f"\nthinking-tests: {self.reason}; the run stopped as on Ctrl-C\n")

    @property
    def reason(self) -> str:
        return f"the run timeout of {self.seconds:g} s was reached"


def run_limit(
    seconds: float | None,
    say: Callable[[str], object],
    before: Callable[[str], object] | None = None,
) -> RunLimit:
    """The run's time limit, started: `stop()` it when the cases are done. Without a limit
    nothing is started. `before` hears the reason just before the run is interrupted."""
    return RunLimit(seconds, say, before).start()
