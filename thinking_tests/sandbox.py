"""What a case may change in the process, put back after it: the working directory,
sys.path, environment variables and the root logger's level and handlers.

Taking the snapshot is cheap (a few copies); putting back only touches what changed.
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
        self.environ = dict(os.environ)
        root = logging.getLogger()
        self.level = root.level
        self.handlers = list(root.handlers)

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
        if os.environ != self.environ:
            for key in list(os.environ):
                if key not in self.environ:
                    del os.environ[key]
            for key, value in self.environ.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value
            changed.append("environment variables")
        root = logging.getLogger()
        if root.level != self.level:
            root.setLevel(self.level)
            changed.append("root logger level")
        if root.handlers != self.handlers:
            root.handlers[:] = self.handlers
            changed.append("root logger handlers")
        return changed
