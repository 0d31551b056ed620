"""Coverage per case: each case's stages run under their own coverage.py dynamic context,
`<case id>|setup`, `<case id>|run` and `<case id>|teardown` (the names pytest-cov's
`--cov-context=test` gives), and the empty context between cases (imports, collection).

Imported only when coverage.py is already running in this process: a run without coverage
never imports it. The HTML coverage report then shows, for every line, the cases that ran
it, and `--affected` reads the files each case ran from the same data.
"""

from __future__ import annotations

import base64
import binascii
import json
import json.encoder
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
        # Called at every stage of every case while coverage.py's tracer runs, which every
        # Python-level call and line here goes through too: so the work is left to C
        # functions (the environment set as `_SubprocessConfig` describes, without the
        # Python layers of os.environ, base64 and json), and the buffer's take is called
        # only when a line was recorded.
        buffer = self._buffer
        if buffer is not None:
            if any(buffer.raw.values()):
                buffer.take()
            buffer.current = name
        else:
            self._switch(name)
            if self._db is None and self._holds:
                self._hold()
        environment = self._environment
        if environment is not None:
            if name:
                head = b'{"context": ' + _quoted(name).encode()
                value = _base64(head + b" " * (-len(head) % 3), newline=False) + environment.tail
            else:
                value = environment.original
            if environment.data is not None:
                _putenv(_KEY, value)
                environment.data[_KEY] = value
            else:
                os.environ[_PROCESS_CONFIG] = os.fsdecode(value)

    def ended(self) -> None:
        """After a stage: the environment back as it was (coverage.py's settings for
        subprocesses), so the case's own changes to it are told apart from ours. Lines run
        until the next switch stay the case's."""
        environment = self._environment
        if environment is not None:
            if environment.data is not None:
                _putenv(_KEY, environment.original)
                environment.data[_KEY] = environment.original
            else:
                environment.restore()

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
_KEY = os.fsencode(_PROCESS_CONFIG)
_putenv = os.putenv
_base64 = binascii.b2a_base64
# JSON's own quoting of a string, in C where the interpreter has it.
_quoted: Callable[[str], str] = getattr(json.encoder, "c_encode_basestring_ascii", None) or json.encoder.py_encode_basestring_ascii


class _SubprocessConfig:
    """The subprocesses a case starts measured under its context: coverage.py's settings in
    the environment, with the context as their static `context` (a subprocess switches no
    context of its own, see `switcher`).

    The settings are base64 of JSON. With `context` first and the text up to its end padded
    (JSON allows spaces) to a multiple of three bytes, the base64 of the rest is made once
    and a switch encodes only the context's name; values that differ from their start also
    keep the C library's setenv (which remembers every value it was given) from comparing
    long equal prefixes. Where `os.environ` keeps bytes (POSIX), a switch sets the process
    environment and that mapping directly, without its Python-level encoding calls."""

    def __init__(self, original: str, tail: bytes) -> None:
        self.text = original
        self.original = os.fsencode(original)
        self.tail = tail  # base64 of the settings after `context`, up to the closing brace
        data = getattr(os.environ, "_data", None)
        # os.environ's own store, used only where it holds this value as the bytes expected.
        usable = os.name == "posix" and isinstance(data, dict) and data.get(_KEY) == self.original
        self.data: dict[bytes, bytes] | None = data if usable else None

    @classmethod
    def of(cls, value: str | None) -> _SubprocessConfig | None:
        if not value:
            return None
        try:
            settings = json.loads(base64.b64decode(value))
            if not isinstance(settings, dict) or settings.get("context") is not None:
                return None
            settings.pop("context", None)
            rest = json.dumps(_without_defaults(settings))
            if not rest.startswith("{"):
                return None
        except ValueError:
            return None
        after = b"}" if rest == "{}" else b"," + rest[1:].encode()
        return cls(value, base64.b64encode(after))

    def restore(self) -> None:
        os.environ[_PROCESS_CONFIG] = self.text


def _without_defaults(settings: dict[str, Any]) -> dict[str, Any]:
    """coverage.py's settings less those at their defaults, which a subprocess fills in
    again (it updates a default configuration with them): a value several times shorter to
    set at every switch, where the C library keeps every value given to setenv for good."""
    try:
        from coverage.config import CoverageConfig

        defaults = CoverageConfig().__dict__
    except Exception:  # noqa: BLE001 - coverage.py's internals differ: every setting kept
        return settings
    kept: dict[str, Any] = {}
    for key, value in settings.items():
        if key in defaults:
            try:
                if json.loads(json.dumps(defaults[key])) == value:
                    continue
            except (TypeError, ValueError):
                pass
        kept[key] = value
    return kept


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
