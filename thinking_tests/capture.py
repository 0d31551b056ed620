"""Capture of stdout, stderr and logging per case.

The streams are swapped once per run, not per case: each case only switches the buffers the
swapped-in streams write to. Writes are locked, so a thread that keeps printing during or
after a case cannot crash the run; what it prints lands in whichever case is running.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from typing import TextIO


class BoundedBuffer:
    """Text kept within about `limit` characters: the head and the tail survive."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > 2 * self.limit:
            self._compact()

    def _compact(self) -> None:
        # Keep exactly `half` characters of head and of tail; later compactions keep the head.
        text = "".join(self.parts)
        half = self.limit // 2
        self.dropped += len(text) - 2 * half
        self.parts = [text[:half], text[-half:]]
        self.size = 2 * half

    def getvalue(self) -> str:
        text = "".join(self.parts)
        if not self.dropped:
            return text  # the reports cut what is over the limit, and count it right
        # Marker included, the text fits in `limit`: the reports cut whatever is longer,
        # which would cut out this marker, and its true count, again.
        half = self.limit // 2
        written = len(text) + self.dropped
        tail = self.limit - half
        while True:
            marker = f"\n[truncated {written - half - tail} chars]\n"
            if half + len(marker) + tail <= self.limit or tail == 0:
                break
            tail = max(0, self.limit - half - len(marker))
        return f"{text[:half]}{marker}{text[len(text) - tail:] if tail else ''}"


class _Stream(io.TextIOBase):
    """Stands in for sys.stdout or sys.stderr while a run captures."""

    def __init__(self, capture: "Capture", original: TextIO, which: int) -> None:
        self._capture = capture
        self._original = original
        self._which = which  # 0 stdout, 1 stderr

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._capture._write(self._which, text)
        return len(text)

    def writelines(self, lines: object) -> None:
        for line in lines:  # type: ignore[attr-defined]
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._original.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return "backslashreplace"

    @property
    def buffer(self) -> "_BinaryStream":
        return _BinaryStream(self)


class _BinaryStream(io.RawIOBase):
    """`sys.stdout.buffer` during capture: bytes are decoded, invalid ones kept visible."""

    def __init__(self, text: _Stream) -> None:
        self._text = text

    def write(self, data: object) -> int:
        raw = bytes(data)  # type: ignore[call-overload]
        self._text.write(raw.decode("utf-8", errors="backslashreplace"))
        return len(raw)

    def writable(self) -> bool:
        return True


class _LogHandler(logging.Handler):
    def __init__(self, capture: "Capture") -> None:
        super().__init__(logging.NOTSET)
        self._capture = capture
        self.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s")
        )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a broken log call must not break the case
            text = f"{record.levelname} {record.name}: <unformattable: {record.msg!r}>"
        self._capture._write(2, text + "\n")


# CPython 3.11's print() writes through a *borrowed* reference to sys.stdout: a thread printing
# while uninstall() swaps the streams back would write through a freed stream and crash the
# process (python/cpython#130163). So the streams a run swaps in stay alive for the process.
_KEPT_ALIVE: list[io.TextIOBase] = []


class Capture:
    """Owns the swapped streams for one run; `start_case`/`end_case` switch the buffers."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        # A case's stdout, stderr and log buffers, each made at its first write: most cases
        # write nothing. None between cases.
        self._buffers: list[BoundedBuffer | None] | None = None
        self._saved: tuple[TextIO, TextIO] | None = None
        self._handler = _LogHandler(self)
        # Where the runner's own output goes: the streams as they were before the run.
        self.stdout: TextIO = sys.stdout
        self.stderr: TextIO = sys.stderr

    def install(self) -> None:
        self._saved = (sys.stdout, sys.stderr)
        self.stdout, self.stderr = self._saved
        sys.stdout = _Stream(self, self._saved[0], 0)
        sys.stderr = _Stream(self, self._saved[1], 1)
        _KEPT_ALIVE.extend((sys.stdout, sys.stderr))
        logging.getLogger().addHandler(self._handler)

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self._handler)
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None

    def start_case(self) -> None:
        with self._lock:
            self._buffers = [None, None, None]

    def end_case(self) -> tuple[str, str, str]:
        with self._lock:
            buffers, self._buffers = self._buffers, None
        if buffers is None:
            return "", "", ""
        out, err, log = ("" if b is None else b.getvalue() for b in buffers)
        return out, err, log

    def _write(self, which: int, text: str) -> None:
        with self._lock:
            buffers = self._buffers
            if buffers is not None:
                buffer = buffers[which]
                if buffer is None:
                    buffer = buffers[which] = BoundedBuffer(self.limit)
                buffer.write(text)
                return
        # Between cases (a thread still printing): pass through to the real stream.
        if self._saved is not None and which < 2:
            try:
                self._saved[which].write(text)
            except Exception:
                pass
