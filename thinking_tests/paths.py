"""How paths, and what went wrong with them, are shown to people."""

from __future__ import annotations

import os


def shown(path: str | os.PathLike[str]) -> str:
    text = os.fspath(path)
    try:
        relative = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if relative.startswith("..") else relative


def reason(error: BaseException) -> str:
    """Why a file operation failed, in a few words: the system's text ("Permission denied")
    where there is one, else the error's own, else its type."""
    return str(getattr(error, "strerror", None) or error or type(error).__name__)
