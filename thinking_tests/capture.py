"""Capture of stdout, stderr and logging per case; stdin closed to cases.

The streams are swapped once per run, not per case: each case only switches the buffers the
swapped-in streams write to. Writes are locked, so a thread that keeps printing during or
after a case cannot crash the run; what it prints lands in whichever case is running.

At the descriptor level (the default, "fd"), descriptors 1 and 2 go to files for the run
(thinking_tests.descriptors) and sys.stdout/sys.stderr write straight to them, so what Python
prints, what C code and child processes write keep their order. At the "sys" level only
sys.stdout and sys.stderr are swapped.
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import logging

    from thinking_tests.descriptors import NullStdin, Spool

_lseek = os.lseek  # bound at import: a case may replace os functions
_END = os.SEEK_END


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

    def __init__(self, capture: Capture, original: TextIO, which: int) -> None:
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
    def buffer(self) -> _BinaryStream:
        return _BinaryStream(self)


class _BinaryStream(io.RawIOBase):
    """`sys.stdout.buffer` during capture: bytes are decoded, invalid ones kept visible."""

    def __init__(self, text: _Stream) -> None:
        self._text = text

    def write(self, data: object) -> int:
        raw = bytes(data)  # type: ignore[call-overload]
        text = self._text
        text._capture._write_bytes(text._which, raw)
        return len(raw)

    def writable(self) -> bool:
        return True


STDIN_MESSAGE = (
    "thinking-tests: reading from stdin while output is captured; "
    'set config.capture = "no" to let cases read it'
)


class _ClosedStdin(io.TextIOBase):
    """sys.stdin during capture: reading fails at once, as under pytest, instead of waiting on a
    terminal or a pipe for input no one will type."""

    def read(self, size: int | None = -1) -> str:
        raise OSError(STDIN_MESSAGE)

    def readline(self, size: int | None = -1) -> str:  # what input() calls
        raise OSError(STDIN_MESSAGE)

    def readlines(self, hint: int | None = -1) -> list[str]:
        raise OSError(STDIN_MESSAGE)

    def __iter__(self) -> _ClosedStdin:
        return self

    def __next__(self) -> str:
        raise OSError(STDIN_MESSAGE)

    def fileno(self) -> int:
        raise io.UnsupportedOperation("stdin is closed to cases while output is captured")

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def buffer(self) -> _ClosedStdin:
        return self


def _log_handler(capture: Capture) -> logging.Handler:
    """A root-logger handler that writes each record into the running case's log buffer.
    Made when logging is first imported (see Capture.start_case): a run whose code never
    logs never imports logging."""
    import logging

    class LogHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                text = self.format(record)
            except Exception:  # a broken log call must not break the case
                text = f"{record.levelname} {record.name}: <unformattable: {record.msg!r}>"
            capture._write(2, text + "\n")

    handler = LogHandler(logging.NOTSET)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s"))
    return handler


def _as_text(output: tuple[bytes, bytes, int], limit: int) -> str:
    """A descriptor's output (head, tail, bytes unread between) as text of about `limit`
    characters, a marker where it was cut; bytes that are not UTF-8 stay visible as escapes
    such as \\xff."""
    head, tail, unread = output
    buffer = BoundedBuffer(limit)
    buffer.write(head.decode("utf-8", "backslashreplace"))
    if tail:
        buffer.write(tail.decode("utf-8", "backslashreplace"))
        buffer._compact()
        buffer.dropped += unread  # the unread middle, counted in bytes
    return buffer.getvalue()


# CPython 3.11's print() writes through a *borrowed* reference to sys.stdout: a thread printing
# while uninstall() swaps the streams back would write through a freed stream and crash the
# process (python/cpython#130163). So the streams a run swaps in stay alive for the process.
_KEPT_ALIVE: list[io.TextIOBase] = []


class Capture:
    """Owns the swapped streams for one run; `start_case`/`end_case` switch the buffers.

    `limit` bounds each text of a case; `budget` bounds all the texts of the run together:
    past it a case keeps only a marker saying how much was cut.
    """

    def __init__(self, limit: int, level: str = "sys", budget: int | None = None) -> None:
        self.limit = limit
        self.level = level  # "fd" or "sys"
        self.budget = budget
        self._left = budget
        self._lock = threading.Lock()
        self._spools: tuple[Spool, Spool] | None = None
        self._stdin: tuple[TextIO, NullStdin | None] | None = None
        self._os_write = os.write  # its own reference: a case may replace os.write
        # A case's stdout, stderr and log buffers, each made at its first write: most cases
        # write nothing. None between cases.
        self._buffers: list[BoundedBuffer | None] | None = None
        self._saved: tuple[TextIO, TextIO] | None = None
        self._handler: logging.Handler | None = None  # on the root logger once logging is in
        # Where the runner's own output goes: the streams as they were before the run.
        self.stdout: TextIO = sys.stdout
        self.stderr: TextIO = sys.stderr

    def install(self) -> None:
        self._saved = (sys.stdout, sys.stderr)
        self.stdout, self.stderr = self._saved
        null = self._install_descriptors() if self.level == "fd" else None
        sys.stdout = _Stream(self, self._saved[0], 0)
        sys.stderr = _Stream(self, self._saved[1], 1)
        _KEPT_ALIVE.extend((sys.stdout, sys.stderr))
        self._stdin = (sys.stdin, null)
        sys.stdin = _ClosedStdin()
        self._attach_log_handler()

    def _attach_log_handler(self) -> None:
        """The log handler on the root logger, once something imported logging."""
        logging = sys.modules.get("logging")
        if logging is not None and self._handler is None:
            self._handler = _log_handler(self)
            logging.getLogger().addHandler(self._handler)

    def _install_descriptors(self) -> NullStdin | None:
        from thinking_tests.descriptors import NullStdin, Spool

        for stream in self._saved:
            _flush(stream)
        made: list[Spool] = []
        try:
            made.append(Spool(1))
            made.append(Spool(2))
            null = NullStdin()
        except (OSError, ImportError):  # a descriptor closed, no fcntl: capture at sys level
            for spool in reversed(made):
                spool.restore()
            self.level = "sys"
            return None
        self._spools = (made[0], made[1])
        # The runner's own output goes where descriptors 1 and 2 went before.
        self.stdout = _terminal(made[0].saved, self._saved[0])
        self.stderr = _terminal(made[1].saved, self._saved[1])
        return null

    def uninstall(self) -> None:
        if self._handler is not None:
            sys.modules["logging"].getLogger().removeHandler(self._handler)
            self._handler = None
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None
        if self._stdin is not None:
            sys.stdin, null = self._stdin
            self._stdin = None
            if null is not None:
                _quietly(null.restore)
        if self._spools is not None:
            for stream in (sys.__stdout__, sys.__stderr__, self.stdout, self.stderr):
                _flush(stream)
            self._lose_descriptors()
            self.stdout, self.stderr = sys.stdout, sys.stderr

    def start_case(self) -> None:
        # Nothing to do for the descriptors: a case's output starts where the last case's
        # ended, so what a thread writes between two cases goes to the next one.
        if self._handler is None and self._saved is not None and "logging" in sys.modules:
            self._attach_log_handler()  # installed, and logging imported since
        with self._lock:
            self._buffers = [None, None, None]

    def end_case(self) -> tuple[str, str, str]:
        spools = self._spools
        out = err = ""
        if spools is not None:
            # What Python code wrote to the real streams' buffers belongs to this case too.
            _flush(sys.__stdout__)
            _flush(sys.__stderr__)
            try:
                # Inline the common case, nothing written: one lseek a file, no call.
                first, second = spools
                if _lseek(first.file, 0, _END) != first.mark:
                    out = _as_text(first.end(self.limit), self.limit)
                if _lseek(second.file, 0, _END) != second.mark:
                    err = _as_text(second.end(self.limit), self.limit)
            except OSError:
                self._lose_descriptors()
                spools = None
        with self._lock:
            buffers, self._buffers = self._buffers, None
        if buffers is None:
            buffers = [None, None, None]
        if spools is None:
            out += "" if buffers[0] is None else buffers[0].getvalue()
            err += "" if buffers[1] is None else buffers[1].getvalue()
        log = "" if buffers[2] is None else buffers[2].getvalue()
        if self._left is None or not (out or err or log):
            return out, err, log
        return self._budgeted(out), self._budgeted(err), self._budgeted(log)

    def _lose_descriptors(self) -> None:
        """Descriptors 1 and 2 back where they were (at the end, or when a case closed the
        capture's files: the run goes on capturing at the sys level)."""
        spools, self._spools = self._spools, None
        for spool, stream in zip(spools or (), (self.stdout, self.stderr)):
            if not spool.ours():  # closed by a case: its number may be a case's file now
                stream.lost = True  # type: ignore[attr-defined]
            _quietly(spool.restore)  # only when its descriptors are still its own
        self.level = "sys"

    def _budgeted(self, text: str) -> str:
        """The text, or past the run's budget only a marker saying how much was cut."""
        kept = min(len(text), self.limit)  # the reports keep no more of it than that
        assert self._left is not None
        if kept <= self._left:
            self._left -= kept
            return text
        return (
            f"[{len(text)} characters of output cut: the run's captured output reached "
            f"config.reports.max_run_output ({self.budget} characters)]\n"
        )

    def _write_bytes(self, which: int, data: bytes) -> None:
        """sys.stdout.buffer / sys.stderr.buffer: raw bytes, decoded only when read."""
        if self._spools is not None:
            self._to_descriptor(which, data)
        else:
            self._write(which, data.decode("utf-8", errors="backslashreplace"))

    def _to_descriptor(self, which: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[self._os_write(which + 1, view):]

    def _write(self, which: int, text: str) -> None:
        if which < 2 and self._spools is not None:
            # Straight to the descriptor, in order with what C code and children write there.
            self._to_descriptor(which, text.encode("utf-8", "backslashreplace"))
            return
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


def _flush(stream: object) -> None:
    try:
        stream.flush()  # type: ignore[attr-defined]
    except Exception:  # None, closed or broken: nothing of it to keep
        pass


def _quietly(undo: Callable[[], None]) -> None:
    try:
        undo()
    except OSError:  # a case closed the descriptor: nothing left to put back
        pass


class _Terminal(io.TextIOWrapper):
    """The runner's own output while descriptors are captured: where fd 1 or 2 went before.
    `lost` once a case closed that descriptor, whose number may then be a file of the case's."""

    lost = False

    def write(self, text: str) -> int:
        return 0 if self.lost else super().write(text)

    def flush(self) -> None:
        if not self.lost:
            super().flush()


def _terminal(fd: int, like: TextIO) -> TextIO:
    """A text stream on `fd` (where a descriptor pointed before the run), encoded as `like`."""
    raw = io.FileIO(fd, "w", closefd=False)
    encoding = getattr(like, "encoding", None) or "utf-8"
    return _Terminal(io.BufferedWriter(raw), encoding=encoding, errors="backslashreplace")
