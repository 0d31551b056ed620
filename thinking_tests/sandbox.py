"""What a case may change in the process, put back after it: the working directory,
sys.path, environment variables, sys.stdout, sys.stderr and sys.stdin, the root logger's
level and handlers, and logging's disable level.

A stream left replaced, or logging left off, would silently take the output of every later
case; each thing put back is named, so the case's report can say so.

Taking the snapshot is cheap (a few copies and attribute reads); putting back only touches
what changed. Logging is looked at only once something imported it: before that, its state
is logging's defaults (root level WARNING, no handler, nothing disabled).
"""

from __future__ import annotations

import os
import sys

_WARNING = 30  # logging.WARNING: the root logger's level before anyone changes it


class Snapshot:
    __slots__ = ("cwd", "path", "environ", "streams", "level", "handlers")

    def __init__(self) -> None:
        try:
            self.cwd: str | None = os.getcwd()
        except OSError:  # the directory is gone; nothing to go back to
            self.cwd = None
        self.path = list(sys.path)
        self.environ = _environ_copy()
        self.streams = Streams()
        logging = sys.modules.get("logging")
        if logging is None:
            self.level, self.handlers = _WARNING, []
        else:
            self.level = logging.root.level
            self.handlers = list(logging.root.handlers)

    def restore(self) -> list[str]:
        """Put back what changed; name each thing put back (for a note in the case's log)."""
        changed: list[str] = []
        if self.cwd is not None:
            try:
                if os.getcwd() != self.cwd:
                    os.chdir(self.cwd)
                    changed.append("working directory")
            except OSError:
                os.chdir(self.cwd)
                changed.append("working directory")
        if sys.path != self.path:
            sys.path[:] = self.path
            changed.append("sys.path")
        if _environ_now() != self.environ:
            # Through os.environ's own methods, so the process environment follows too.
            wanted = {_decode(k): _decode(v) for k, v in self.environ.items()}
            for key in list(os.environ):
                if key not in wanted:
                    del os.environ[key]
            for key, value in wanted.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value
            changed.append("environment variables")
        changed.extend(self.streams.restore())
        logging = sys.modules.get("logging")
        if logging is None:
            return changed
        root = logging.root
        if root.level != self.level:
            root.setLevel(self.level)
            changed.append("root logger level")
        if root.handlers != self.handlers:
            root.handlers[:] = self.handlers
            changed.append("root logger handlers")
        return changed


class Streams:
    """What the run's capture hangs on: sys.stdout, sys.stderr, sys.stdin and logging's
    disable level. Also checked around each unittest TestCase test, which may otherwise leave
    changes to the tests after it: a stream left replaced would take their output."""

    __slots__ = ("stdout", "stderr", "stdin", "disable")

    def __init__(self) -> None:
        self.stdout, self.stderr, self.stdin = sys.stdout, sys.stderr, sys.stdin
        self.disable = _disabled()

    def restore(self) -> list[str]:
        changed: list[str] = []
        if sys.stdout is not self.stdout:
            sys.stdout = self.stdout
            changed.append("sys.stdout")
        if sys.stderr is not self.stderr:
            sys.stderr = self.stderr
            changed.append("sys.stderr")
        if sys.stdin is not self.stdin:
            sys.stdin = self.stdin
            changed.append("sys.stdin")
        if _disabled() != self.disable:
            # Through logging.disable: it also clears every logger's cached level check.
            sys.modules["logging"].disable(self.disable)
            changed.append("logging.disable level")
        return changed


def _disabled() -> int:
    """logging's disable level (0 before logging is imported). Read from the manager's
    attribute, not its `disable` property, which costs a Python call, twice a case."""
    logging = sys.modules.get("logging")
    if logging is None:
        return 0
    manager = logging.root.manager
    try:
        return manager._disable  # type: ignore[attr-defined,no-any-return]
    except AttributeError:  # a logging without it: the public property
        return manager.disable


def with_note(stderr: str, changed: list[str]) -> str:
    """A case's captured stderr with a line naming what was put back after it: stderr is in
    every report (JUnit XML, HTML, the journal, the terminal for a failure), and the case's
    outcome stays its own."""
    if not changed:
        return stderr
    separator = "\n" if stderr and not stderr.endswith("\n") else ""
    return f"{stderr}{separator}thinking-tests: put back after this case: {', '.join(changed)}\n"


def _environ_copy() -> dict[object, object]:
    """The environment as os.environ stores it (encoded): a plain dict copy, cheap to take
    and to compare on every case, unlike decoding every variable through os.environ."""
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict):
        return dict(data)
    return {key: value for key, value in os.environ.items()}


def _environ_now() -> dict[object, object]:
    """The environment as os.environ stores it, to compare with a copy: the live dict itself
    where there is one (no copy needed to compare), else a copy."""
    data = getattr(os.environ, "_data", None)
    return data if isinstance(data, dict) else _environ_copy()


def _decode(value: object) -> str:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    return str(value)
