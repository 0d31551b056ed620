"""The journal: every finished case appended to a file (JSON lines) the moment it finishes.

When the process dies mid-run (os._exit, SIGKILL, a segfault), `python -m thinking_tests
report` rebuilds the reports from it: every finished case keeps its result, and the case that
was running becomes an error saying the process died in it. `merge` reads the journals of
several shards. One line per record, flushed at once, so at most the last line is torn.

Which case was running: when the engine knows the order up front (the unittest engine), one
`plan` record lists every case to run, and the first planned case without a result is the
one the process died in; otherwise (the pytest engine) a `start` record precedes each case.
A plan saves a write per case.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from thinking_tests.model import (
    CaseResult,
    CoverageSummary,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
    StageResult,
)


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
        # without a buffered file's overhead on every case.
        self.fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        self._write(
            {
                "kind": "run",
                "version": VERSION,
                "start": time.time(),
                "backend": backend,
                "command": list(command),
                "host": hostname(),
                "pid": os.getpid(),
            }
        )

    def _write(self, record: dict[str, Any]) -> None:
        self._line(json.dumps(record, ensure_ascii=True))

    def _line(self, text: str) -> None:
        if self.fd is None:
            return
        try:
            os.write(self.fd, (text + "\n").encode("ascii"))
        except OSError:
            self.fd = None  # a full disk must not end the run; the reports still come

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
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def hostname() -> str:
    """This machine's name, without importing socket (which costs start-up time) on POSIX."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


_string = json.encoder.encode_basestring_ascii
_TEXTS = ("description", "stdout", "stderr", "log", "message")
_EMPTY_STAGES = {stage.value: f'{{"stage": "{stage.value}", "ok": true, "ns": 0}}' for stage in Stage}


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
        extra += f', "tags": {json.dumps(list(result.tags))}'
    if result.params:
        extra += f', "params": {json.dumps([list(p) for p in result.params])}'
    stages = ", ".join([_stage_line(stage) for stage in result.stages])
    try:
        ns, start_us = int(result.duration * 1e9), int(result.start * 1e6)
    except (ValueError, OverflowError):  # NaN or infinite: only a hand-made result has one
        ns, start_us = _whole(result.duration, 1e9), _whole(result.start, 1e6)
    return (
        f'{{"kind": "case", "id": {_string(result.id)}, "name": {_string(result.name)}, '
        f'"outcome": "{result.outcome._value_}", "ns": {ns}, "line": {int(result.line)}, '
        f'"start_us": {start_us}, {where}{extra}, "stages": [{stages}]}}'
    )


def _stage_line(stage: StageResult) -> str:
    info = stage.exception
    if info is None and stage.ok and stage.duration == 0.0:  # a stage with nothing to run
        return _EMPTY_STAGES[stage.stage._value_]
    head = (
        f'{{"stage": "{stage.stage._value_}", "ok": {"true" if stage.ok else "false"}, '
        f'"ns": {_whole(stage.duration, 1e9)}'
    )
    if info is None:
        return head + "}"
    exception = json.dumps(
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


def _seconds(record: dict[str, Any], whole: str, unit: float, old: str, required: bool = True) -> float:
    """A time of a record: whole units in this version, float seconds in version 1."""
    if whole in record:
        return int(record[whole]) / unit
    return float(record[old] if required else record.get(old, 0.0))


def from_json(data: dict[str, Any]) -> CaseResult:
    stages = tuple(
        StageResult(
            stage=Stage(s["stage"]),
            ok=bool(s["ok"]),
            duration=_seconds(s, "ns", 1e9, "duration"),
            exception=ExceptionInfo(**s["exception"]) if s.get("exception") else None,
        )
        for s in data.get("stages", ())
    )
    return CaseResult(
        id=data["id"],
        module=data["module"],
        name=data["name"],
        outcome=Outcome(data["outcome"]),
        duration=_seconds(data, "ns", 1e9, "duration"),
        file=data.get("file", ""),
        line=int(data.get("line", 0)),
        description=data.get("description", ""),
        tags=tuple(data.get("tags", ())),
        params=tuple(tuple(p) for p in data.get("params", ())),
        stages=stages,
        stdout=data.get("stdout", ""),
        stderr=data.get("stderr", ""),
        log=data.get("log", ""),
        message=data.get("message", ""),
        start=_seconds(data, "start_us", 1e6, "start", required=False),
    )


class JournalError(Exception):
    """A journal that cannot be read; the message names it."""


def read(path: Path) -> RunResult:
    """The run a journal recorded, with a died-in error for a case that started, unfinished."""
    try:
        text = path.read_text(encoding="utf-8", errors="surrogatepass")
    except OSError as error:
        raise JournalError(f"cannot read the journal {path}: {error.strerror or error}") from None
    try:
        return _parse(path, text)
    except (KeyError, TypeError, ValueError, AttributeError) as error:  # a malformed record
        raise JournalError(
            f"{path} is not a journal this version can read ({type(error).__name__}: {error})"
        ) from None


def _parse(path: Path, text: str) -> RunResult:
    header: dict[str, Any] = {}
    cases: list[CaseResult] = []
    running: dict[str, Any] | None = None
    planned: list[dict[str, Any]] = []
    end: dict[str, Any] | None = None
    last_time = 0.0
    for number, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            break  # the torn last line of a process that died while writing
        if not isinstance(record, dict):
            raise JournalError(f"{path}:{number} is not a record of a thinking-tests journal")
        kind = record.get("kind")
        if kind == "run":
            header = record
        elif kind == "plan":
            planned.extend(
                {"id": str(identifier), "module": str(module), "file": str(file), "line": int(line)}
                for module, file, entries in record["modules"]
                for identifier, line in entries
            )
        elif kind == "start":
            running = record
        elif kind == "case":
            try:
                result = from_json(record)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise JournalError(
                    f"{path}:{number} holds a case record that cannot be read "
                    f"({type(error).__name__}: {error})"
                ) from None
            cases.append(result)
            last_time = max(last_time, result.start + result.duration)
            if running is not None and running.get("id") == result.id:
                running = None
        elif kind == "end":
            end = record
    if not header:
        raise JournalError(f"{path} is not a thinking-tests journal")
    start = float(header.get("start", 0.0))
    interrupted = bool(end and end.get("interrupted"))
    if end is None:
        if running is None and planned:
            finished = {case.id for case in cases}
            running = next((p for p in planned if p["id"] not in finished), None)
        if running is not None:
            cases.append(_died_in(running, last_time or start))
        duration = max(0.0, (last_time or start) - start)
        interrupted = True
    else:
        duration = float(end.get("duration", 0.0))
    return RunResult(
        cases=tuple(cases),
        start=start,
        duration=duration,
        interrupted=interrupted,
        backend=str(header.get("backend", "unittest")),
        command=tuple(header.get("command", ())),
    )


def _died_in(record: dict[str, Any], when: float) -> CaseResult:
    identifier = str(record.get("id", "<unknown>"))
    module, _, name = identifier.partition("::")
    message = "the test process died while this case was running (killed, crashed or os._exit)"
    info = ExceptionInfo("ProcessDied", message, message + "\n")
    return CaseResult(
        id=identifier,
        module=str(record.get("module") or module),
        name=name or identifier,
        outcome=Outcome.ERROR,
        duration=0.0,
        file=str(record.get("file", "")),
        line=int(record.get("line", 0)),
        stages=(StageResult(Stage.RUN, False, 0.0, info),),
        message=message,
        start=when,
    )


def merge(runs: list[RunResult]) -> RunResult:
    """Several shards' runs as one: cases in id order per shard order, durations summed."""
    if not runs:
        return RunResult(cases=(), start=time.time(), duration=0.0)
    start = min(run.start for run in runs)
    end = max(run.start + run.duration for run in runs)
    cases: dict[str, CaseResult] = {}
    for run in runs:
        for case in run.cases:
            cases.setdefault(case.id, case)
    ordered = sorted(cases.values(), key=lambda c: (c.module, c.start))
    coverage: CoverageSummary | None = None
    return RunResult(
        cases=tuple(ordered),
        start=start,
        duration=end - start,
        interrupted=any(run.interrupted for run in runs),
        backend=runs[0].backend,
        command=runs[0].command,
        coverage=coverage,
    )
