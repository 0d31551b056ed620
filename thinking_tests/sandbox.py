"""What a case may change in the process, put back after it: the working directory,
sys.path, environment variables, sys.stdout, sys.stderr and sys.stdin, the root logger's
level and handlers, and logging's disable level.

A stream left replaced, or logging left off, would silently take the output of every later
case; each thing put back is named, so the case's report can say so.

Taking the snapshot is cheap (a few copies and attribute reads); putting back only touches
what changed.
"""

from __future__ import annotations

import logging
import os
import sys


class Snapshot:
    def __init__(self) -> None:
        try:
            self.cwd: str | None = os.getcwd()
        except OSError:  # the directory is gone; nothing to go back to
            self.cwd = None
        self.path = list(sys.path)
        self.environ = _environ_copy()
        self.streams = (sys.stdout, sys.stderr, sys.stdin)
        root = logging.root
        self.level = root.level
        self.handlers = list(root.handlers)
        self.disable = root.manager.disable

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
        if _environ_copy() != self.environ:
            # Through os.environ's own methods, so the process environment follows too.
            wanted = {_decode(k): _decode(v) for k, v in self.environ.items()}
            for key in list(os.environ):
                if key not in wanted:
                    del os.environ[key]
            for key, value in wanted.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value
            changed.append("environment variables")
        stdout, stderr, stdin = self.streams
        if sys.stdout is not stdout:
            sys.stdout = stdout
            changed.append("sys.stdout")
        if sys.stderr is not stderr:
            sys.stderr = stderr
            changed.append("sys.stderr")
        if sys.stdin is not stdin:
            sys.stdin = stdin
            changed.append("sys.stdin")
        root = logging.root
        if root.manager.disable != self.disable:
            # Through logging.disable: it also clears every logger's cached level check.
            logging.disable(self.disable)
            changed.append("logging.disable level")
        if root.level != self.level:
            root.setLevel(self.level)
            changed.append("root logger level")
        if root.handlers != self.handlers:
            root.handlers[:] = self.handlers
            changed.append("root logger handlers")
        return changed


def _environ_copy() -> dict[object, object]:
    """The environment as os.environ stores it (encoded): a plain dict copy, cheap to take
    and to compare on every case, unlike decoding every variable through os.environ."""
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict):
        return dict(data)
    return {key: value for key, value in os.environ.items()}


def _decode(value: object) -> str:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    return str(value)
