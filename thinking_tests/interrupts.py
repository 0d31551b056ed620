"""Ctrl-C and SIGTERM during a run.

The first of either stops the run as Ctrl-C always has: the running case is marked
interrupted, every finished result is kept, the reports are written, exit code 2. SIGTERM is
how CI cancels a job, so it gets the same treatment. A second signal exits at once (say, while
a case ignores the first). While the JUnit XML and HTML are being written, a first signal
waits until they are complete: a cancelled run still leaves whole reports.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from thinking_tests.exits import INTERRUPTED

SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


class Interrupts:
    """The run's handler of SIGINT and SIGTERM, installed for the length of a run."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say  # how to tell the terminal about a second signal
        self.received = False  # a first signal came
        self.pending = False  # it came while deferred: the run is interrupted, nothing raised
        self.reason = ""  # why, when not a person (the run timeout): the interrupt carries it
        self._deferring = False
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        """Handle the signals from now on; only the main thread may (elsewhere: a no-op)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in SIGNALS:
            try:
                self._previous[signum] = signal.signal(signum, self._on_signal)
            except (ValueError, OSError):
                continue

    def restore(self) -> None:
        for signum, previous in self._previous.items():
            try:
                signal.signal(signum, previous)
            except (ValueError, OSError, TypeError):
                continue
        self._previous.clear()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A first signal inside waits: `pending` says it came; a second still exits at once."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.received:
            try:
                self.say("\nthinking-tests: interrupted twice, exiting at once\n")
            finally:  # nothing the message meets may stop the exit
                os._exit(INTERRUPTED)
        self.received = True
        if self._deferring:
            self.pending = True
            return
        raise KeyboardInterrupt(self.reason) if self.reason else KeyboardInterrupt
