"""A report folder while a run is under way: one run at a time, and reports that fail until
the run finishes.

From the moment a run starts, its report paths must hold nothing a CI server would read as
success: the previous run's reports are replaced (atomically) by stand-ins, written by the
reports' own writers, that hold one error case saying the run has not finished. The finished
run overwrites them. A run that dies leaves the stand-ins, so CI fails and a reader of the
HTML report learns what happened and how to get the real results back (`report`).

A lock file in the report folder keeps a second run from writing the same reports and
journal at once: it is refused with one sentence. The lock is an advisory `flock`, so the
system releases it when the process ends, however it ends.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from thinking_tests.model import ExceptionInfo, RunResult, Selection, error_result
from thinking_tests.paths import reason

_fstat = os.fstat  # bound at import: a case may leave os's functions mocked
_close = os.close

LOCK_NAME = ".thinking-tests.lock"
NOT_FINISHED = "<run>::did not finish"


class ReportFolderBusy(Exception):
    """Another run holds the report folder's lock."""


class ReportLock:
    """The report folder's lock, held from the start of a run to its end."""

    def __init__(self, directory: Path, hint: str = "give this run a folder of its own with --report-dir") -> None:
        self.path = directory / LOCK_NAME
        self.hint = hint  # how else to run now, said when the folder is busy
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): runs are not kept apart
            return
        from thinking_tests.descriptors import high

        fd = high(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read(fd)
            os.close(fd)
            who = f" (process {holder})" if holder else ""
            raise ReportFolderBusy(
                f"another run{who} is writing its reports to {self.path.parent}: wait for it to "
                f"end, or {self.hint}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        status = os.fstat(fd)
        self._identity = (status.st_dev, status.st_ino)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        # A case may have closed the descriptor (which released the lock already), and its
        # number may now be a file of the case's: close it only while it is still the lock.
        try:
            status = _fstat(fd)
        except OSError:
            return
        if (status.st_dev, status.st_ino) == self._identity:
            _close(fd)  # closing releases the flock; the file stays, empty of meaning


class LastReports:
    """The last run's report files as they were, to put back when this run selects nothing.

    Only for hosts that learn the selection is empty after the stand-ins are written
    (pytest selects while it runs)."""

    def __init__(self, paths: list[Path]) -> None:
        self._saved: dict[Path, bytes | None] = {}
        for path in paths:
            try:
                self._saved[path] = path.read_bytes()
            except OSError:
                self._saved[path] = None  # there was none: remove the stand-in again

    def restore(self) -> None:
        from thinking_tests.reports._files import write_atomic

        for path, data in self._saved.items():
            try:
                if data is None:
                    path.unlink(missing_ok=True)
                else:
                    write_atomic(path, data)
            except OSError:
                pass  # the stand-in stays: failing, which is the truth that remains


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def stand_in(start: float, command: tuple[str, ...], backend: str, selection: Selection) -> RunResult:
    """The run as reports show it until it finishes: one error case saying so."""
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(start))
    message = (
        f"the run started at {when} (process {os.getpid()}) has not finished: if it is no "
        "longer running, it died, and `python -m thinking_tests report` rebuilds the reports "
        "of every case it finished from its journal"
    )
    info = ExceptionInfo("RunNotFinished", message, message + "\n")
    case = error_result(NOT_FINISHED, "<run>", "did not finish", info, message, start=start)
    return RunResult(
        cases=(case,),
        start=start,
        duration=0.0,
        interrupted=False,
        backend=backend,
        command=command,
        selection=selection,
        notes=(
            "This run has not finished, or it died. If no run is going on, `python -m "
            "thinking_tests report` rebuilds the results of every case it finished from its journal.",
        ),
    )


Writer = Callable[[RunResult, Path], None]


def write_stand_ins(run: RunResult, reports: list[tuple[Path, Writer]]) -> list[str]:
    """Write the stand-in of every report; the lines of those that could not be written."""
    problems: list[str] = []
    for path, write in reports:
        try:
            write(run, path)
        except (OSError, ValueError) as error:
            problems.append(f"{path}: {reason(error)}")
    return problems
