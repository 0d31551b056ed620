"""The journal: every finished case appended to a file (JSON lines) the moment it finishes.

When the process dies mid-run (os._exit, SIGKILL, a segfault), `python -m thinking_tests
report` rebuilds the reports from it: every finished case keeps its result, and the case that
was running becomes an error saying the process died in it. `merge` reads the journals of
several shards. One line per record, flushed at once, so at most the last line is torn.
Strings are written as ASCII JSON, so any id (line breaks, NUL, lone surrogates) reads back
exactly.

Reading keeps every readable record: a line that is torn, garbage or holds a wrong value is
skipped with a warning naming the file and line (in the run's `notes`), never the end of the
reading. A case with a result is never blamed for a death; a planned case whose result was on
a skipped line is an error saying its result could not be read.

The journal keeps its own references to what it writes with (os.write, os.fstat, json.dumps,
time.time), taken at import: a case that leaves one of them mocked or replaced cannot stop
the journal or the run. Its descriptor is checked before each write against the file it
opened: a case that closed it, and opened a file of its own that got the same number, gets no
record in that file; the journal is reopened by its path instead. (The check is one cheap
call where fcntl has F_SETOWN: the journal's open file carries an owner mark, which a file a
case opens does not have; else, and whenever the mark differs, an fstat compares device and
inode.)

Which case was running: when the engine knows the order up front (the unittest engine), one
`plan` record lists every case to run, and the first planned case without a result is the
one the process died in; otherwise (the pytest engine) a `start` record precedes each case.
A plan saves a write per case.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from thinking_tests.model import (
    CaseResult,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
    StageResult,
    error_result,
)
from thinking_tests.descriptors import high
from thinking_tests.paths import shown

# Bound at import: a case may leave the module functions mocked or replaced (see above).
_os_write = os.write
_os_open = os.open
_os_close = os.close
_fstat = os.fstat
_dumps = json.dumps
_now = time.time
_uname = getattr(os, "uname", None)
_getpid = os.getpid
try:  # the owner mark of the journal's open file (see above); the descriptors take fcntl too
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
        self._write(
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

    def _write(self, record: dict[str, Any]) -> None:
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
        self._write({"kind": "plan", "modules": modules})

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

    def close(self, duration: float, interrupted: bool) -> None:
        self._write({"kind": "end", "duration": duration, "interrupted": interrupted})
        fd = self._own_fd()  # never close a number that is now someone else's file
        self.fd = None
        if fd is not None:
            try:
                _os_close(fd)
            except OSError:
                pass


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
    try:
        ns, start_us = int(result.duration * 1e9), int(result.start * 1e6)
    except (ValueError, OverflowError):  # NaN or infinite: only a hand-made result has one
        ns, start_us = _whole(result.duration, 1e9), _whole(result.start, 1e6)
    return (
        f'{{"kind": "case", "id": {_string(result.id)}, "name": {_string(result.name)}, '
        f'"outcome": "{result.outcome._value_}", "ns": {ns}, "line": {int(result.line)}, '
        f'"start_us": {start_us}, {where}{extra}, "stages": [{_stages_line(result.stages)}]}}'
    )


def _stages_line(stages: tuple[StageResult, ...]) -> str:
    """The stages of a case record. Those that passed are formatted here in line (every
    stage of a passing case: most have nothing to set up or tear down), the rest by
    `_stage_line`."""
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


class _Unreadable(ValueError):
    """A record that is JSON but not one this version can use; the message says what is wrong."""


def _text(record: dict[str, Any], key: str, default: str | None = None) -> str:
    value = record.get(key, default)
    if not isinstance(value, str):
        raise _Unreadable(f'"{key}" is {_shown_value(value)}, not a string')
    return value


def _whole_number(record: dict[str, Any], key: str, default: int | None = None) -> int:
    value = record.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Unreadable(f'"{key}" is {_shown_value(value)}, not a whole number')
    return value


def _seconds(record: dict[str, Any], whole: str, unit: float, old: str, required: bool = True) -> float:
    """A time of a record: whole units in this version, float seconds in version 1; finite."""
    if whole in record:
        key, value = whole, _whole_number(record, whole)
        try:
            seconds = value / unit
        except OverflowError:
            seconds = math.inf
    else:
        key, value = old, record.get(old, None if required else 0.0)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _Unreadable(f'"{key}" is {_shown_value(value)}, not a number')
        seconds = float(value)
    if not math.isfinite(seconds):
        raise _Unreadable(f'"{key}" is {_shown_value(value)}, not a finite time')
    return seconds


def _shown_value(value: Any) -> str:
    """A value of a bad record, short, for a warning."""
    if value is None:
        return "missing"
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def _strings(record: dict[str, Any], key: str) -> tuple[str, ...]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Unreadable(f'"{key}" is {_shown_value(value)}, not a list of strings')
    return tuple(value)


def _params(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    value = record.get("params", [])
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in value
    ):
        raise _Unreadable(f'"params" is {_shown_value(value)}, not a list of [name, value] pairs')
    return tuple((p[0], p[1]) for p in value)


def _choice(record: dict[str, Any], key: str, kind: type[Stage] | type[Outcome]) -> Any:
    value = record.get(key)
    try:
        return kind(value)
    except ValueError:
        raise _Unreadable(f'"{key}" is {_shown_value(value)}, not a known {key}') from None


_EXCEPTION_KEYS = {"type_name", "message", "traceback", "explanation"}


def _stage(data: Any) -> StageResult:
    if not isinstance(data, dict):
        raise _Unreadable(f"a stage is {_shown_value(data)}, not an object")
    ok = data.get("ok")
    if not isinstance(ok, bool):
        raise _Unreadable(f'a stage\'s "ok" is {_shown_value(ok)}, not true or false')
    raw = data.get("exception")
    exception = None
    if raw is not None:
        if not isinstance(raw, dict) or not set(raw) <= _EXCEPTION_KEYS:
            raise _Unreadable(f'a stage\'s "exception" is {_shown_value(raw)}, not an exception')
        exception = ExceptionInfo(
            _text(raw, "type_name"), _text(raw, "message"), _text(raw, "traceback"),
            _text(raw, "explanation", ""),
        )
    return StageResult(
        stage=_choice(data, "stage", Stage),
        ok=ok,
        duration=_seconds(data, "ns", 1e9, "duration"),
        exception=exception,
    )


def from_json(data: dict[str, Any]) -> CaseResult:
    """A case record as a result; `_Unreadable` (a ValueError) names what is wrong with it."""
    stages = data.get("stages", [])
    if not isinstance(stages, list):
        raise _Unreadable(f'"stages" is {_shown_value(stages)}, not a list')
    return CaseResult(
        id=_text(data, "id"),
        module=_text(data, "module"),
        name=_text(data, "name"),
        outcome=_choice(data, "outcome", Outcome),
        duration=_seconds(data, "ns", 1e9, "duration"),
        file=_text(data, "file", ""),
        line=_whole_number(data, "line", 0),
        description=_text(data, "description", ""),
        tags=_strings(data, "tags"),
        params=_params(data),
        stages=tuple(_stage(s) for s in stages),
        stdout=_text(data, "stdout", ""),
        stderr=_text(data, "stderr", ""),
        log=_text(data, "log", ""),
        message=_text(data, "message", ""),
        start=_seconds(data, "start_us", 1e6, "start", required=False),
    )


def _planned(record: dict[str, Any]) -> list[dict[str, Any]]:
    modules = record.get("modules")
    entries: list[dict[str, Any]] = []
    if not isinstance(modules, list):
        raise _Unreadable(f'"modules" is {_shown_value(modules)}, not a list')
    for group in modules:
        if not (isinstance(group, list) and len(group) == 3 and isinstance(group[2], list)):
            raise _Unreadable(f"a planned module is {_shown_value(group)}, not [module, file, cases]")
        module, file = _text({"module": group[0]}, "module"), _text({"file": group[1]}, "file")
        for entry in group[2]:
            if not (isinstance(entry, list) and len(entry) == 2):
                raise _Unreadable(f"a planned case is {_shown_value(entry)}, not [id, line]")
            pair = {"id": entry[0], "line": entry[1]}
            entries.append(
                {"id": _text(pair, "id"), "module": module, "file": file, "line": _whole_number(pair, "line")}
            )
    return entries


def _started(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _text(record, "id"),
        "module": _text(record, "module", ""),
        "file": _text(record, "file", ""),
        "line": _whole_number(record, "line", 0),
    }


def _header(record: dict[str, Any]) -> dict[str, Any]:
    command = record.get("command", [])
    if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
        raise _Unreadable(f'"command" is {_shown_value(command)}, not a list of strings')
    return {
        "start": _seconds(record, "start_us", 1e6, "start", required=False),
        "backend": _text(record, "backend", "unittest"),
        "command": tuple(command),
    }


def _end(record: dict[str, Any]) -> dict[str, Any]:
    interrupted = record.get("interrupted", False)
    if not isinstance(interrupted, bool):
        raise _Unreadable(f'"interrupted" is {_shown_value(interrupted)}, not true or false')
    return {"duration": _seconds(record, "ns", 1e9, "duration"), "interrupted": interrupted}


class JournalError(Exception):
    """A journal that cannot be read; the message names it."""


def read(path: Path) -> RunResult:
    """The run a journal recorded, with a died-in error for a case that started, unfinished.

    A line that cannot be read (torn by a dying process, garbage, a record with a wrong
    value) is skipped: every other record is kept, and `notes` holds one warning per skipped
    line, naming the file and the line.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise JournalError(f"cannot read the journal {path}: {error.strerror or error}") from None
    return _parse(path, data)


def read_warning(path: Path) -> RunResult:
    """`read`, with each line skipped as unreadable one warning on stderr."""
    run = read(path)
    for note in run.notes:
        print(f"thinking-tests: {printable(note)}", file=sys.stderr)
    return run


def _parse(path: Path, data: bytes) -> RunResult:
    header: dict[str, Any] = {}
    cases: list[CaseResult] = []
    started: list[dict[str, Any]] = []
    planned: list[dict[str, Any]] = []
    end: dict[str, Any] | None = None
    last_time = 0.0
    skipped: list[tuple[int, str]] = []  # line number, what was wrong with it
    where = shown(path)
    # Split on line feeds only: str.splitlines would also split inside a garbage line at
    # \x1c, \x85 or \u2028, and the line numbers of the warnings would be wrong.
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
            if not isinstance(record, dict):
                raise _Unreadable(f"{_shown_value(record)} is not a record")
            kind = record.get("kind")
            if kind == "run":
                header = _header(record)
            elif kind == "plan":
                planned.extend(_planned(record))
            elif kind == "start":
                started.append(_started(record))
            elif kind == "case":
                result = from_json(record)
                cases.append(result)
                last_time = max(last_time, result.start + result.duration)
            elif kind == "end":
                end = _end(record)
            else:
                raise _Unreadable(f'"kind" is {_shown_value(kind)}, not a kind of record')
        except UnicodeDecodeError:
            skipped.append((number, "an unreadable line (not UTF-8 text)"))
        except json.JSONDecodeError as error:
            skipped.append((number, f"an unreadable line (not JSON: {error.msg})"))
        except _Unreadable as error:
            skipped.append((number, f"an unreadable record ({error})"))
        except (ValueError, RecursionError) as error:  # a number too long, nesting too deep
            skipped.append((number, f"an unreadable line ({type(error).__name__})"))
    if not cases and not planned and not started and (skipped or not header):
        # Nothing of a run to rebuild: not a journal, or not one of this version.
        reason = f": line {skipped[0][0]} is {skipped[0][1]}" if skipped else ""
        raise JournalError(f"{path} is not a thinking-tests journal this version can read{reason}")
    notes = [f"{where}:{number}: skipped {what}" for number, what in skipped]
    start = header.get("start", min((c.start for c in cases), default=0.0))
    interrupted = bool(end and end["interrupted"])
    cases.extend(_unaccounted(cases, planned, started, end is None, bool(notes), last_time or start))
    if end is None:
        duration = max(0.0, (last_time or start) - start)
        interrupted = True
    else:
        duration = end["duration"]
    return RunResult(
        cases=tuple(cases),
        start=start,
        duration=duration,
        interrupted=interrupted,
        backend=header.get("backend", "unittest"),
        command=header.get("command", ()),
        notes=tuple(notes),
    )


def _no_constant(name: str) -> Any:
    raise _Unreadable(f"{name} is not a number a journal holds")


def _unaccounted(
    cases: list[CaseResult],
    planned: list[dict[str, Any]],
    started: list[dict[str, Any]],
    died: bool,
    skipped: bool,
    when: float,
) -> list[CaseResult]:
    """Errors for the cases that started (or were planned to run before a case that
    finished) and have no result: the one the process died in, when it died, and, when lines
    were skipped, those whose result was on an unreadable line. A case with a result is
    never blamed."""
    finished = {case.id for case in cases}
    unfinished = [s for s in started if s["id"] not in finished]
    running: dict[str, Any] | None = None
    if died and unfinished:
        running = unfinished.pop()  # start records precede each case: the last one ran
    last = max((i for i, p in enumerate(planned) if p["id"] in finished), default=-1)
    if died and running is None:
        # With a plan, the first planned case after the last one that finished was running.
        running = next((p for p in planned[last + 1:] if p["id"] not in finished), None)
    lost: dict[str, dict[str, Any]] = {}
    if skipped:
        for entry in [*planned[: last + 1], *unfinished]:
            if entry["id"] not in finished and (running is None or entry["id"] != running["id"]):
                lost.setdefault(entry["id"], entry)
    errors = [_lost(entry, when) for entry in lost.values()]
    if running is not None:
        errors.append(_died_in(running, when))
    return errors


def _lost(record: dict[str, Any], when: float) -> CaseResult:
    message = "the journal holds no readable result for this case: a line of it was unreadable and skipped"
    return _error(record, when, "UnreadableResult", message)


def _died_in(record: dict[str, Any], when: float) -> CaseResult:
    message = "the test process died while this case was running (killed, crashed or os._exit)"
    return _error(record, when, "ProcessDied", message)


def _error(record: dict[str, Any], when: float, type_name: str, message: str) -> CaseResult:
    """An error result for a case known only by where it is (id, module, file, line)."""
    identifier = str(record.get("id", "<unknown>"))
    module, _, name = identifier.partition("::")
    info = ExceptionInfo(type_name, message, message + "\n")
    return error_result(
        identifier, str(record.get("module") or module), name or identifier, info, message,
        stage=Stage.RUN, file=str(record.get("file", "")), line=int(record.get("line", 0)),
        start=when,
    )


# Which result of a case wins when merged inputs disagree: the worst, so a failure anywhere
# is never hidden by a pass elsewhere. An unexpected pass (xpassed) ranks above an expected
# failure, and a case that did not run (skipped) above one that passed.
SEVERITY = (
    Outcome.ERROR, Outcome.FAILED, Outcome.XPASSED, Outcome.XFAILED, Outcome.SKIPPED, Outcome.PASSED
)
_RANK = {outcome: rank for rank, outcome in enumerate(SEVERITY)}


def merge(runs: Sequence[RunResult], names: Sequence[str] | None = None) -> RunResult:
    """Several shards' runs as one. A case in more than one input keeps its worst result,
    whatever the order of the inputs; each disagreement is a note (`merge: ID is failed in
    B but passed in A; kept failed`). `names` name the inputs in those notes."""
    if not runs:
        return RunResult(cases=(), start=time.time(), duration=0.0)
    labels = list(names) if names is not None else [f"input {n}" for n in range(1, len(runs) + 1)]
    start = min(run.start for run in runs)
    end = max(run.start + run.duration for run in runs)
    seen: dict[str, list[tuple[CaseResult, str]]] = {}
    for run, label in zip(runs, labels):
        for case in run.cases:
            seen.setdefault(case.id, []).append((case, label))
    cases: list[CaseResult] = []
    conflicts: list[str] = []
    for identifier, found in seen.items():
        # sorted is stable: of equally bad results, the first input's stays.
        ranked = sorted(found, key=lambda pair: _RANK[pair[0].outcome])
        kept = ranked[0][0]
        cases.append(kept)
        if len({case.outcome for case, _ in found}) > 1:
            conflicts.append(_conflict(identifier, ranked))
    ordered = sorted(cases, key=lambda c: (c.module, c.start))
    notes = [note for run in runs for note in run.notes]
    return RunResult(
        cases=tuple(ordered),
        start=start,
        duration=end - start,
        interrupted=any(run.interrupted for run in runs),
        backend=runs[0].backend,
        command=runs[0].command,
        coverage=None,
        notes=(*notes, *conflicts),
    )


def _conflict(identifier: str, ranked: list[tuple[CaseResult, str]]) -> str:
    """One line: `merge: ID is failed in B but passed in A, skipped in C; kept failed`."""
    kept = ranked[0][0].outcome
    where = _places([label for case, label in ranked if case.outcome is kept])
    others = ", ".join(
        f"{outcome.value} in {_places([label for case, label in ranked if case.outcome is outcome])}"
        for outcome in dict.fromkeys(case.outcome for case, _ in ranked if case.outcome is not kept)
    )
    return f"merge: {printable(identifier)} is {kept.value} in {where} but {others}; kept {kept.value}"


def _places(labels: list[str]) -> str:
    return " and ".join(dict.fromkeys(labels))


def printable(text: str) -> str:
    """`text` on one line of a terminal: line breaks, control characters and lone
    surrogates escaped as Python writes them (`\\n`, `\\x1b`, `\\ud800`), the rest as is."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
