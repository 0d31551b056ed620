"""Reading a journal back: the run it recorded, for `report`, `--isolate`, `--lf` and `merge`.

Every readable record is kept: a line that is torn, garbage or holds a wrong value is
skipped with a warning naming the file and line (in the run's `notes`), never the end of
the reading. The case the process died in (the first planned case without a result, else
the last started one) becomes an error saying so; a case with a result is never blamed, and
a planned case whose result was on a skipped line is an error saying it could not be read.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thinking_tests.journal import JournalError
from thinking_tests.journal.values import (
    Unreadable,
    choice,
    seconds,
    selection,
    shown_value,
    strings,
    text,
    true_or_false,
    whole_number,
)
from thinking_tests.model import (
    Attempt,
    CaseResult,
    ExceptionInfo,
    Outcome,
    RunResult,
    Selection,
    Stage,
    StageResult,
    error_result,
)
from thinking_tests.paths import shown


def _params(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    value = record.get("params", [])
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in value
    ):
        raise Unreadable(f'"params" is {shown_value(value)}, not a list of [name, value] pairs')
    return tuple((p[0], p[1]) for p in value)


_EXCEPTION_KEYS = {"type_name", "message", "traceback", "explanation"}


def _stage(data: Any) -> StageResult:
    if not isinstance(data, dict):
        raise Unreadable(f"a stage is {shown_value(data)}, not an object")
    ok = data.get("ok")
    if not isinstance(ok, bool):
        raise Unreadable(f'a stage\'s "ok" is {shown_value(ok)}, not true or false')
    raw = data.get("exception")
    exception = None
    if raw is not None:
        if not isinstance(raw, dict) or not set(raw) <= _EXCEPTION_KEYS:
            raise Unreadable(f'a stage\'s "exception" is {shown_value(raw)}, not an exception')
        exception = ExceptionInfo(
            text(raw, "type_name"), text(raw, "message"), text(raw, "traceback"),
            text(raw, "explanation", ""),
        )
    return StageResult(
        stage=choice(data, "stage", Stage),
        ok=ok,
        duration=seconds(data, "ns", 1e9, "duration"),
        exception=exception,
    )


def _attempts(data: dict[str, Any]) -> tuple[Attempt, ...]:
    """The failed attempts of a retried case (none in a record without them)."""
    value = data.get("attempts", [])
    if not isinstance(value, list):
        raise Unreadable(f'"attempts" is {shown_value(value)}, not a list')
    attempts = []
    for raw in value:
        if not isinstance(raw, dict):
            raise Unreadable(f"an attempt is {shown_value(raw)}, not an object")
        stages = raw.get("stages", [])
        if not isinstance(stages, list):
            raise Unreadable(f'an attempt\'s "stages" is {shown_value(stages)}, not a list')
        attempts.append(
            Attempt(
                outcome=choice(raw, "outcome", Outcome),
                message=text(raw, "message", ""),
                duration=seconds(raw, "ns", 1e9, "duration"),
                stages=tuple(_stage(s) for s in stages),
                stdout=text(raw, "stdout", ""),
                stderr=text(raw, "stderr", ""),
                log=text(raw, "log", ""),
                start=seconds(raw, "start_us", 1e6, "start", required=False),
            )
        )
    return tuple(attempts)


def from_json(data: dict[str, Any]) -> CaseResult:
    """A case record as a result; `Unreadable` (a ValueError) names what is wrong with it."""
    stages = data.get("stages", [])
    if not isinstance(stages, list):
        raise Unreadable(f'"stages" is {shown_value(stages)}, not a list')
    return CaseResult(
        id=text(data, "id"),
        module=text(data, "module"),
        name=text(data, "name"),
        outcome=choice(data, "outcome", Outcome),
        duration=seconds(data, "ns", 1e9, "duration"),
        file=text(data, "file", ""),
        line=whole_number(data, "line", 0),
        description=text(data, "description", ""),
        tags=strings(data, "tags"),
        params=_params(data),
        stages=tuple(_stage(s) for s in stages),
        stdout=text(data, "stdout", ""),
        stderr=text(data, "stderr", ""),
        log=text(data, "log", ""),
        message=text(data, "message", ""),
        start=seconds(data, "start_us", 1e6, "start", required=False),
        attempts=_attempts(data) if "attempts" in data else (),
        worker=text(data, "worker", ""),
    )


def _planned(record: dict[str, Any]) -> list[dict[str, Any]]:
    modules = record.get("modules")
    entries: list[dict[str, Any]] = []
    if not isinstance(modules, list):
        raise Unreadable(f'"modules" is {shown_value(modules)}, not a list')
    for group in modules:
        if not (isinstance(group, list) and len(group) == 3 and isinstance(group[2], list)):
            raise Unreadable(f"a planned module is {shown_value(group)}, not [module, file, cases]")
        module, file = text({"module": group[0]}, "module"), text({"file": group[1]}, "file")
        for entry in group[2]:
            if not (isinstance(entry, list) and len(entry) == 2):
                raise Unreadable(f"a planned case is {shown_value(entry)}, not [id, line]")
            pair = {"id": entry[0], "line": entry[1]}
            entries.append(
                {"id": text(pair, "id"), "module": module, "file": file, "line": whole_number(pair, "line")}
            )
    return entries


def _started(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": text(record, "id"),
        "module": text(record, "module", ""),
        "file": text(record, "file", ""),
        "line": whole_number(record, "line", 0),
    }


def _header(record: dict[str, Any]) -> dict[str, Any]:
    command = record.get("command", [])
    if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
        raise Unreadable(f'"command" is {shown_value(command)}, not a list of strings')
    return {
        "start": seconds(record, "start_us", 1e6, "start", required=False),
        "backend": text(record, "backend", "unittest"),
        "command": tuple(command),
    }


def _end(record: dict[str, Any]) -> dict[str, Any]:
    interrupted = true_or_false(record, "interrupted", False)
    end = {"duration": seconds(record, "ns", 1e9, "duration"), "interrupted": interrupted}
    if "selection" in record:  # what the run selected (an older version's journal says not)
        end["selection"] = selection(record["selection"])
    return end


def read(path: Path) -> RunResult:
    """The run a journal recorded, with a died-in error for a case that started, unfinished.

    A line that cannot be read (torn by a dying process, garbage, a record with a wrong
    value) is skipped: every other record is kept, and `notes` holds one warning per skipped
    line, naming the file and the line. A resumed run's journal gives the whole run: its
    first part's start, every part's time, and a note per resume.
    """
    return recorded(path).run


def read_warning(path: Path) -> RunResult:
    """`read`, with each line skipped as unreadable one warning on stderr (a resumed run's
    notes are no warnings: the reports show them)."""
    journal = recorded(path)
    run = journal.run
    for note in run.notes[len(journal.resumed.notes) if journal.resumed is not None else 0:]:
        print(f"thinking-tests: {printable(note)}", file=sys.stderr)
    return run


@dataclass(frozen=True)
class Resumed:
    """A journal's resume record: its run continues one that stopped (`--resume`)."""

    start: float  # when the run's first part began
    before: float  # seconds the earlier parts ran
    notes: tuple[str, ...]  # one line per resume, the earliest first
    died_in: str  # the case the process of the part it resumed died in, if it was killed


@dataclass(frozen=True)
class Recorded:
    """A journal as `--resume` reads it: the run `read` rebuilds, and what that is made of."""

    run: RunResult
    results: tuple[CaseResult, ...]  # its case records only: no error made up for a case
    cases: tuple[str, ...]  # the id of every case it planned, started or finished
    ended: bool  # an end record: the run's own process ended it (finished or interrupted)
    part_start: float  # when the process that wrote it began (its run record)
    resumed: Resumed | None  # what it continued, when it is a resumed run


def recorded(path: Path) -> Recorded:
    """The journal at `path`, read as `read` does."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise JournalError(f"cannot read the journal {path}: {error.strerror or error}") from None
    return _parse(path, data)


def _resumed(record: dict[str, Any]) -> Resumed:
    return Resumed(
        start=seconds(record, "start_us", 1e6, "start"),
        before=seconds(record, "before_ns", 1e9, "before"),
        notes=strings(record, "notes"),
        died_in=text(record, "died_in", ""),
    )


def _parse(path: Path, data: bytes) -> Recorded:
    header: dict[str, Any] = {}
    cases: list[CaseResult] = []
    started: list[dict[str, Any]] = []
    planned: list[dict[str, Any]] = []
    end: dict[str, Any] | None = None
    resumed: Resumed | None = None
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
                raise Unreadable(f"{shown_value(record)} is not a record")
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
            elif kind == "resume":
                resumed = _resumed(record)
            else:
                raise Unreadable(f'"kind" is {shown_value(kind)}, not a kind of record')
        except UnicodeDecodeError:
            skipped.append((number, "an unreadable line (not UTF-8 text)"))
        except json.JSONDecodeError as error:
            skipped.append((number, f"an unreadable line (not JSON: {error.msg})"))
        except Unreadable as error:
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
    results = tuple(cases)
    cases.extend(_unaccounted(cases, planned, started, end is None, bool(notes), last_time or start))
    if end is None:
        duration = max(0.0, (last_time or start) - start)
        interrupted = True
    else:
        duration = end["duration"]
    run = RunResult(
        cases=tuple(cases),
        start=start if resumed is None else resumed.start,
        duration=duration if resumed is None else resumed.before + duration,
        interrupted=interrupted,
        backend=header.get("backend", "unittest"),
        command=header.get("command", ()),
        notes=tuple(notes) if resumed is None else (*resumed.notes, *notes),
        selection=end["selection"] if end is not None and "selection" in end else Selection(),
    )
    ids = [entry["id"] for entry in (*planned, *started)] + [case.id for case in results]
    return Recorded(run, results, tuple(dict.fromkeys(ids)), end is not None, start, resumed)


def _no_constant(name: str) -> Any:
    raise Unreadable(f"{name} is not a number a journal holds")


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
        errors.append(process_died(running, when))
    return errors


def _lost(record: dict[str, Any], when: float) -> CaseResult:
    message = "the journal holds no readable result for this case: a line of it was unreadable and skipped"
    return _error(record, when, "UnreadableResult", message)


def process_died(record: dict[str, Any], when: float) -> CaseResult:
    """The error of a case the test process died in, known by where it is (id, module, file, line)."""
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


def printable(text: str) -> str:
    """`text` on one line of a terminal: line breaks, control characters and lone
    surrogates escaped as Python writes them (`\\n`, `\\x1b`, `\\ud800`), the rest as is."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
