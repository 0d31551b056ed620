"""The journal: each case's result appended to a file (JSON lines) the moment it finishes.

A run that dies mid-way (os._exit, SIGKILL, a segfault) leaves every finished case on disk,
and `report` rebuilds the reports from it. One flushed line per record, in ASCII JSON: at
most the last line is torn, and any id (line breaks, NUL, lone surrogates) reads back
exactly. When the engine knows the order up front, one `plan` record saves a `start` record
per case. A case that mocks os.write or json.dumps, or closes the journal's descriptor,
cannot stop the journal or get records written into a file of its own (see `_own_fd`).

Reading (`reading`) and merging (`merging`) are modules of their own, which a run that only
writes never imports; their names import from here too.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from thinking_tests.model import (
    Attempt,
    CaseResult,
    Outcome,
    Selection,
    Stage,
    StageResult,
    passed_alone,
)
from thinking_tests.descriptors import high

if TYPE_CHECKING:
    from thinking_tests.journal.merging import SEVERITY, merge
    from thinking_tests.journal.reading import from_json, printable, process_died, read, read_warning

# Bound at import: a case may leave the module functions mocked or replaced.
_os_write = os.write
_os_open = os.open
_os_close = os.close
_fstat = os.fstat
_dumps = json.dumps
_now = time.time
_uname = getattr(os, "uname", None)
_getpid = os.getpid
try:  # the owner mark of the journal's open file (see _own_fd); the descriptors take fcntl too
    from fcntl import F_GETOWN as _F_GETOWN
    from fcntl import F_SETOWN as _F_SETOWN
    from fcntl import fcntl as _fcntl
except ImportError:  # Windows: an fstat before each write
    _fcntl = None  # type: ignore[assignment]
_OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)


class Started(Protocol):
    """What a start record names: every collected item has these."""

    @property
    def id(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...


VERSION = 2  # 2: times as integers (ns, µs); version 1 journals still read


class Journal:
    """A Listener that appends each start and each result, flushed, to one file."""

    def __init__(self, path: Path, backend: str, command: tuple[str, ...]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._encoded: dict[tuple[str, str], str] = {}
        self._planned: set[str] = set()
        # A raw descriptor: each record is one write() of its own, on disk with no buffering,
        # without a buffered file's overhead on every case. Appending, so that reopened by
        # its path (see _line) it goes on at the end.
        self.fd: int | None = high(_os_open(path, _OPEN_FLAGS | os.O_CREAT | os.O_TRUNC, 0o666))
        status = _fstat(self.fd)
        self._identity = (status.st_dev, status.st_ino)
        self._mark: int | None = None  # the owner mark on the journal's open file, if any
        self._remark(self.fd)
        self.write(
            {
                "kind": "run",
                "version": VERSION,
                "start": _now(),
                "backend": backend,
                "command": list(command),
                "host": hostname(),
                "pid": os.getpid(),
            }
        )

    def write(self, record: dict[str, Any]) -> None:
        """One record of its own, as one flushed line (the run, its plan and end; a resume)."""
        self._line(_dumps(record, ensure_ascii=True))

    def _line(self, text: str) -> None:
        fd = self._own_fd()
        if fd is None:
            return
        try:
            _os_write(fd, (text + "\n").encode("ascii"))
        except OSError:
            self.fd = None  # a full disk must not end the run; the reports still come

    def _own_fd(self) -> int | None:
        """The journal's descriptor, checked to still be the journal's file: a case may have
        closed it, and its number may now be a file of the case's. Then the journal is
        opened again by its path (a file replaced at that path is not the journal: no more
        records).

        The cheap check first: the owner mark. A file a case opened at that number (a new open
        file) has no such mark; when it differs, the fstat decides, and the mark is set again."""
        fd = self.fd
        if fd is None:
            return None
        mark = self._mark
        if mark is not None:
            try:
                if _fcntl(fd, _F_GETOWN) == mark:
                    return fd
            except OSError:
                pass
        try:
            status = _fstat(fd)
            if (status.st_dev, status.st_ino) == self._identity:
                self._remark(fd)
                return fd
        except OSError:
            pass
        # Not ours any more: the number is left alone (it may be the case's own file).
        self.fd = None
        try:
            fd = high(_os_open(self.path, _OPEN_FLAGS))
        except OSError:
            return None
        try:
            status = _fstat(fd)
        except OSError:
            status = None
        if status is None or (status.st_dev, status.st_ino) != self._identity:
            _os_close(fd)
            return None
        self.fd = fd
        self._remark(fd)
        return fd

    def _remark(self, fd: int) -> None:
        """Mark the journal's open file (its owner: this process), for the cheap check; no
        mark where the file takes no owner."""
        self._mark = None
        if _fcntl is None:
            return
        try:
            mark = _getpid()
            _fcntl(fd, _F_SETOWN, mark)
            if _fcntl(fd, _F_GETOWN) == mark:
                self._mark = mark
        except OSError:
            pass

    def plan(self, items: Sequence[Started]) -> None:
        """Record the cases about to run, in the order they run."""
        modules: list[list[Any]] = []
        for item in items:
            if not modules or modules[-1][0] != item.module or modules[-1][1] != item.file:
                modules.append([item.module, item.file, []])
            modules[-1][2].append([item.id, item.line])
        self._planned = {item.id for item in items}
        self.write({"kind": "plan", "modules": modules})

    def started(self, item: Started) -> None:
        if item.id in self._planned:
            return  # the plan names it already
        where = self._where(item.module, item.file)
        self._line(f'{{"kind": "start", "id": {_string(item.id)}, "line": {int(item.line)}, {where}}}')

    def finished(self, result: CaseResult) -> None:
        self._line(_case_line(result, self._where(result.module, result.file)))

    def _where(self, module: str, file: str) -> str:
        """The module and file of a record, encoded once per module: every case repeats them."""
        key = (module, file)
        where = self._encoded.get(key)
        if where is None:
            where = self._encoded[key] = f'"module": {_string(module)}, "file": {_string(file)}'
        return where

    def close(
        self,
        duration: float,
        interrupted: bool,
        selection: Selection | None = None,
        cases: Sequence[CaseResult] = (),
    ) -> None:
        """The end record: how long the run took, whether it was interrupted, and what it
        selected (its targets and the filters on top: a report rebuilt from the journal
        says a partial run is one, and a comparison knows which cases it could have run).

        With `cases`, the run's results once more in short (`summary`): the next run
        compares with this one from this record alone, not by reading every case record."""
        record: dict[str, Any] = {"kind": "end", "duration": duration, "interrupted": interrupted}
        if selection is not None:
            record["selection"] = {
                "targets": list(selection.targets),
                "filters": list(selection.filters),
                "deselected": selection.deselected,
                "not_run": selection.not_run,
            }
        if cases:
            record["cases"] = summary(cases)
        self.write(record)
        fd = self._own_fd()  # never close a number that is now someone else's file
        self.fd = None
        if fd is not None:
            try:
                _os_close(fd)
            except OSError:
                pass


# How a journal's first record, and its end record, begin as written (json.dumps, "kind"
# first): what tells a journal, and a finished one, without parsing it.
RUN_START = b'{"kind": "run"'
END_START = b'{"kind": "end"'


def previous(path: Path) -> Path:
    """Where the last run's journal is kept beside this run's: journal.prev.jsonl."""
    return path.with_name(f"{path.stem}.prev{path.suffix}")


def summary(cases: Sequence[CaseResult]) -> dict[str, list[Any]]:
    """Each case's id, outcome and duration (whole nanoseconds, as its case record has it) in
    run order, and the positions of the flaky among them: what a comparison reads."""
    passed = Outcome.PASSED
    return {
        "ids": [case.id for case in cases],
        "outcomes": [case.outcome._value_ for case in cases],
        "ns": [_whole(case.duration, 1e9) for case in cases],
        "flaky": [n for n, case in enumerate(cases) if case.attempts and case.outcome is passed],
    }


def keep_previous(path: Path) -> None:
    """Before a run writes its journal at `path`: the journal there, the last run's (whole,
    or as far as it got), renamed to `previous(path)`, for the comparison of the two runs.
    When there is none there, or a file that is no journal, an older kept one is removed:
    no run is compared with one before the last."""
    kept = previous(path)
    try:
        with open(path, "rb") as file:
            journal = file.read(len(RUN_START)).startswith(RUN_START)
    except OSError:
        journal = False
    try:
        # The older kept one is removed first, not renamed over: renaming onto an existing
        # file makes a file system such as ext4 write the renamed file out at once (its guard
        # for files replaced by rename), milliseconds of a run for megabytes of journal. A
        # run that dies in between has lost only the older one.
        kept.unlink(missing_ok=True)
        if journal:
            os.rename(path, kept)
    except OSError:
        pass  # a folder that refuses: this run is compared with nothing, and still runs


def hostname() -> str:
    """This machine's name, without importing socket (which costs start-up time) on POSIX."""
    if _uname is not None:
        return _uname().nodename
    import socket

    return socket.gethostname()


_string = json.encoder.encode_basestring_ascii
_TEXTS = ("description", "stdout", "stderr", "log", "message")
_EMPTY_STAGES = {stage.value: f'{{"stage": "{stage.value}", "ok": true, "ns": 0}}' for stage in Stage}
_PASSED_STAGES = {stage.value: f'{{"stage": "{stage.value}", "ok": true, "ns": ' for stage in Stage}
_NOTHING_SET_UP = f"{_EMPTY_STAGES['setup']}, {_PASSED_STAGES['run']}"
_NOTHING_TORN_DOWN = f"}}, {_EMPTY_STAGES['teardown']}"


def _case_line(result: CaseResult, where: str) -> str:
    """A case record as one line of JSON, formatted by hand: this runs after every case, and
    json.dumps of the whole record costs more than a trivial case. Times are whole
    nanoseconds (durations) and microseconds (the start): integers format several times
    faster than floats, and no timer is finer."""
    extra = ""
    if result.description or result.stdout or result.stderr or result.log or result.message:
        for key in _TEXTS:
            value: str = getattr(result, key)
            if value:
                extra += f', "{key}": {_string(value)}'
    if result.tags:
        extra += f', "tags": {_dumps(list(result.tags))}'
    if result.params:
        extra += f', "params": {_dumps([list(p) for p in result.params])}'
    if result.attempts:
        extra += f', "attempts": [{", ".join(_attempt_line(a) for a in result.attempts)}]'
    if result.worker:
        extra += f', "worker": {_string(result.worker)}'
    try:
        ns, start_us = int(result.duration * 1e9), int(result.start * 1e6)
    except (ValueError, OverflowError):  # NaN or infinite: only a hand-made result has one
        ns, start_us = _whole(result.duration, 1e9), _whole(result.start, 1e6)
    return (
        f'{{"kind": "case", "id": {_string(result.id)}, "name": {_string(result.name)}, '
        f'"outcome": "{result.outcome._value_}", "ns": {ns}, "line": {int(result.line)}, '
        f'"start_us": {start_us}, {where}{extra}, "stages": [{_stages_line(result.stages)}]}}'
    )


def _attempt_line(attempt: Attempt) -> str:
    """A failed attempt of a retried case, within its case record: as a case record holds
    its last attempt (outcome, message, times, output, stages)."""
    texts = "".join(
        f', "{key}": {_string(value)}'
        for key, value in (
            ("message", attempt.message), ("stdout", attempt.stdout),
            ("stderr", attempt.stderr), ("log", attempt.log),
        )
        if value
    )
    return (
        f'{{"outcome": "{attempt.outcome._value_}", "ns": {_whole(attempt.duration, 1e9)}, '
        f'"start_us": {_whole(attempt.start, 1e6)}{texts}, "stages": [{_stages_line(attempt.stages)}]}}'
    )


def _stages_line(stages: tuple[StageResult, ...]) -> str:
    """The stages of a case record. Those that passed are formatted here in line (every
    stage of a passing case: most have nothing to set up or tear down), the rest by
    `_stage_line`."""
    run = passed_alone(stages)
    if run is not None:  # most cases
        try:
            return f"{_NOTHING_SET_UP}{int(run.duration * 1e9)}{_NOTHING_TORN_DOWN}"
        except (ValueError, OverflowError):  # NaN or infinite: a hand-made result
            pass
    parts = []
    for stage in stages:
        if stage.ok and stage.exception is None:
            seconds = stage.duration
            name = stage.stage._value_
            if seconds == 0.0:  # a stage with nothing to run
                parts.append(_EMPTY_STAGES[name])
                continue
            try:
                parts.append(f"{_PASSED_STAGES[name]}{int(seconds * 1e9)}}}")
                continue
            except (ValueError, OverflowError):  # NaN or infinite: a hand-made result
                pass
        parts.append(_stage_line(stage))
    return ", ".join(parts)


def _stage_line(stage: StageResult) -> str:
    info = stage.exception
    head = (
        f'{{"stage": "{stage.stage._value_}", "ok": {"true" if stage.ok else "false"}, '
        f'"ns": {_whole(stage.duration, 1e9)}'
    )
    if info is None:
        return head + "}"
    exception = _dumps(
        {
            "type_name": info.type_name,
            "message": info.message,
            "traceback": info.traceback,
            "explanation": info.explanation,
        }
    )
    return f'{head}, "exception": {exception}}}'


def _whole(seconds: float, unit: float) -> int:
    """`seconds` in whole `unit`s; a NaN or infinite time (never measured, only hand-made) is 0."""
    try:
        return int(seconds * unit)
    except (ValueError, OverflowError):
        return 0


class JournalError(Exception):
    """A journal that cannot be read; the message names it."""


_READ = {"read", "read_warning", "from_json", "printable", "process_died"}
_MERGE = {"SEVERITY", "merge"}


def __getattr__(name: str) -> Any:
    """The names of reading and merging journals, importable from here: their modules load
    on first use, so a run that only writes a journal never loads them."""
    if name in _READ:
        from thinking_tests.journal import reading

        return getattr(reading, name)
    if name in _MERGE:
        from thinking_tests.journal import merging

        return getattr(merging, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
