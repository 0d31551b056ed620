"""What every report needs from the file system and from untrusted text."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# Bound at import: reports are written after every case ran, and a case may leave os's
# functions mocked or replaced. (tempfile would look them up on os at each call.)
_open = os.open
_fdopen = os.fdopen
_getpid = os.getpid
_replace = os.replace
_unlink = os.unlink
_urandom = os.urandom
_BUFFER = 1 << 16  # parts written are gathered into writes of this size
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write `data` (bytes, or its parts in order) to `path` through a temporary file and a
    rename.

    A reader never sees half a report, and a run killed while writing leaves the previous
    report in place. The file gets the permissions the user's umask gives new files (the
    mode given to open, as for any new file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = _temporary(path)
    try:
        with _fdopen(fd, "wb", _BUFFER) as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
        _replace(temporary, path)
    except BaseException:
        try:
            _unlink(temporary)
        except OSError:
            pass
        raise


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path`, created exclusively under a name no one else uses."""
    for _ in range(100):
        name = f".{path.name}.{_getpid()}.{_urandom(4).hex()}.tmp"
        temporary = os.path.join(path.parent, name)
        try:
            return _open(temporary, _FLAGS, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def truncate(text: str, limit: int) -> str:
    """Keep the head and the tail of `text` within about `limit` characters, with a marker."""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    head = limit // 2
    tail = limit - head
    return f"{text[:head]}\n[truncated {cut} chars]\n{text[len(text) - tail:]}"
