"""How paths are shown to people: relative to the current directory when inside it."""

from __future__ import annotations

import os


def shown(path: str | os.PathLike[str]) -> str:
    text = os.fspath(path)
    try:
        relative = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if relative.startswith("..") else relative
