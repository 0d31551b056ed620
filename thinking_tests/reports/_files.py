"""What every report needs from the file system and from untrusted text."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename.

    A reader never sees half a report, and a run killed while writing leaves the previous
    report in place. The file gets the permissions the user's umask gives new files.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def truncate(text: str, limit: int) -> str:
    """Keep the head and the tail of `text` within about `limit` characters, with a marker."""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    head = limit // 2
    tail = limit - head
    return f"{text[:head]}\n[truncated {cut} chars]\n{text[len(text) - tail:]}"
