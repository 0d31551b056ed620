"""Coverage per case: each case's stages run under their own coverage.py dynamic context,
`<case id>|setup`, `<case id>|run` and `<case id>|teardown` (the names pytest-cov's
`--cov-context=test` gives), and the empty context between cases (imports, collection).

Imported only when coverage.py is already running in this process: a run without coverage
never imports it. The HTML coverage report then shows, for every line, the cases that ran
it, and `--affected` reads the files each case ran from the same data.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Callable
from typing import Any

Switch = Callable[[str], object]


class Contexts:
    """Switches the running Coverage's context (call it with the context's name).

    Where it can, the lines of each context are gathered in memory and written when the
    cases are done (see `coverage_buffer`). Otherwise coverage.py's own `switch_context`
    writes the data of the context that ends at each switch, and would open and close its
    data file (an SQLite database) every time, most of a switch's cost: the file is kept
    open meanwhile, every write in one transaction, committed by `close`. Should coverage.py's
    internals differ from what this expects, switching works the same, only slower."""

    def __init__(self, running: Any) -> None:
        from thinking_tests.coverage_buffer import LineBuffer

        self._switch: Switch = running.switch_context
        self._data = getattr(running, "_data", None)
        self._db: Any = None
        self._holds = callable(getattr(self._data, "_connect", None))  # worth trying to hold
        self._environment = _SubprocessConfig.of(os.environ.get(_PROCESS_CONFIG))
        self._buffer = LineBuffer.of(running)
        if self._buffer is not None:
            self._switch("")  # what ran so far (imports, collection) is written as no case's

    def __call__(self, name: str) -> None:
        buffer = self._buffer
        if buffer is not None:
            buffer.switch(name)
        else:
            self._switch(name)
            if self._db is None and self._holds:
                self._hold()
        if self._environment is not None:
            self._environment.set(name)

    def ended(self) -> None:
        """After a stage: the environment back as it was (coverage.py's settings for
        subprocesses), so the case's own changes to it are told apart from ours. Lines run
        until the next switch stay the case's."""
        if self._environment is not None:
            self._environment.restore()

    def _hold(self) -> None:
        # Only once coverage.py has started using its data file: it erases the last run's
        # file then, closing any connection open on it.
        if not getattr(self._data, "_have_used", False):
            return
        try:
            db = self._data._connect()  # type: ignore[union-attr]
            db.__enter__()
        except Exception:  # noqa: BLE001 - coverage.py's internals differ: switch unheld, slower
            self._holds = False
            return
        self._db = db

    def close(self) -> None:
        """Back to the empty context (what runs next belongs to no case), the data written."""
        buffer, self._buffer = self._buffer, None
        try:
            if buffer is not None:
                buffer.take()
                if buffer.pending:
                    self._data.add_lines({})  # type: ignore[union-attr]  # coverage.py starts its file
                    self._hold()
                    buffer.write(self._data)
            self._switch("")
        finally:
            if self._environment is not None:
                self._environment.restore()
            self._release()

    def _release(self) -> None:
        """The transaction committed, the data file left to coverage.py again."""
        db, self._db, self._holds = self._db, None, False
        if db is None:
            return
        if getattr(db, "con", None) is None:  # closed under us (coverage.py erased its data)
            db.nest = 0
            return
        db.__exit__(None, None, None)  # a failure here is coverage.py's own, said as such


# Where coverage.py hands its settings to the Python subprocesses it measures (run:patch =
# subprocess): base64 of JSON, read by each subprocess as it starts.
_PROCESS_CONFIG = "COVERAGE_PROCESS_CONFIG"


class _SubprocessConfig:
    """The subprocesses a case starts measured under its context: coverage.py's settings in
    the environment, with the context as their static `context` (a subprocess switches no
    context of its own, see `switcher`).

    The settings are base64 of JSON: with `context` moved to the end and the text before it
    padded (JSON allows spaces) to a multiple of three bytes, that part's base64 is made
    once, and a switch encodes only the context's name."""

    def __init__(self, original: str, head: str) -> None:
        self.original, self.head = original, head

    @classmethod
    def of(cls, value: str | None) -> _SubprocessConfig | None:
        if not value:
            return None
        try:
            settings = json.loads(base64.b64decode(value))
            if not isinstance(settings, dict) or settings.get("context") is not None:
                return None
            settings.pop("context", None)
            before = json.dumps(settings)
            if not before.endswith("}") or len(settings) == 0:
                return None
            head = before[:-1].encode() + b', "context": '
            head += b" " * (-len(head) % 3)
        except ValueError:
            return None
        return cls(value, base64.b64encode(head).decode())

    def set(self, name: str) -> None:
        if name:
            tail = base64.b64encode(f"{json.dumps(name)}}}".encode()).decode()
            os.environ[_PROCESS_CONFIG] = self.head + tail
        else:
            os.environ[_PROCESS_CONFIG] = self.original

    def restore(self) -> None:
        os.environ[_PROCESS_CONFIG] = self.original




def switcher() -> Contexts | None:
    """Contexts of the Coverage running in this process, or None: none is running, or
    coverage.py switches contexts itself (its `dynamic_context` setting)."""
    coverage = sys.modules.get("coverage")
    current = getattr(getattr(coverage, "Coverage", None), "current", None)
    running = current() if current is not None else None
    if running is None:
        return None
    own = running.get_option("run:dynamic_context")
    if own and own != "none":
        return None
    if running.get_option("run:context"):
        return None  # a subprocess a case started: what it runs is that case's
    return Contexts(running)


def context(case_id: str, stage: str) -> str:
    return f"{case_id}|{stage}"
