"""`--isolate`: each module runs in a child process, so a crash costs only that module.

A child runs exactly the selected cases of its module and writes a journal; the parent reads
it back (the case a dead child was running becomes an error saying so) and reports as usual.
Coverage of the children is measured as subprocesses of the parent and combined.

Ids cross to the child as a JSON list in ASCII, so any id (line breaks, NUL, control
characters, lone surrogates) arrives exactly; every case handed over that the child does not
report back is an error saying so, never a silent drop.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.engines import import_failure_result
from thinking_tests.journal import JournalError, printable, read
from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult, error_result
from thinking_tests.select import SelectionError

if TYPE_CHECKING:
    from thinking_tests.collect import Item
    from thinking_tests.session import Options, _Results


def _modules(items: Sequence["Item"]) -> list[tuple[str, str, list["Item"]]]:
    """(module, file, items) in run order."""
    groups: dict[str, tuple[str, list[Item]]] = {}
    for item in items:
        file = getattr(item, "file", "")
        groups.setdefault(item.module, (file, []))[1].append(item)
    return [(module, file, group) for module, (file, group) in groups.items()]


def run_isolated(items: Sequence["Item"], results: "_Results", options: "Options") -> bool:
    from thinking_tests.collect import ImportFailure

    with tempfile.TemporaryDirectory(prefix="thinking-tests-isolate-") as scratch:
        for index, (module, file, group) in enumerate(_modules(items)):
            failures = [i for i in group if isinstance(i, ImportFailure)]
            for failure in failures:
                results.finished(import_failure_result(failure))
            runnable = [i for i in group if not isinstance(i, ImportFailure)]
            if not runnable:
                continue
            ids = Path(scratch, f"{index}.ids")
            write_ids(ids, [i.id for i in runnable])
            journal = Path(scratch, f"{index}.jsonl")
            command = [
                sys.executable, "-m", "thinking_tests", file or module,
                "--only-ids", str(ids), "--journal", str(journal),
                "--no-reports", "--no-coverage", "-q",
            ]
            if options.backend:
                command += ["--backend", options.backend]
            if options.exitfirst:
                command.append("-x")
            try:
                done = subprocess.run(command, capture_output=True, text=True, errors="replace")
            except KeyboardInterrupt:
                # The child got the interrupt too: keep what it finished; the run says it
                # was interrupted, so the cases it never reached are not errors.
                try:
                    finished = read(journal).cases
                except JournalError:
                    finished = ()
                for case in finished:
                    results.finished(case)
                return True
            for case in _results_of(journal, module, file, done, runnable, options.exitfirst):
                results.finished(case)
            if options.exitfirst and any(
                c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in results.cases
            ):
                break
    return False


def write_ids(path: Path, ids: Sequence[str]) -> None:
    """Case ids for a child's `--only-ids`: JSON escapes every character outside printable
    ASCII, lone surrogates included, so each id reads back exactly."""
    path.write_text(json.dumps(list(ids), ensure_ascii=True), encoding="ascii")


def read_ids(path: str | Path) -> set[str]:
    """The ids `write_ids` wrote."""
    try:
        ids = json.loads(Path(path).read_text(encoding="ascii"))
    except (OSError, ValueError) as error:
        raise SelectionError(f"--only-ids {str(path)!r} cannot be read: {error}") from None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise SelectionError(f"--only-ids {str(path)!r} holds no JSON list of case ids")
    return set(ids)


def _results_of(
    journal: Path,
    module: str,
    file: str,
    done: subprocess.CompletedProcess[str],
    handed: Sequence["Item"],
    exitfirst: bool = False,
) -> list[CaseResult]:
    """What the child reported, and an error for each case handed to it that it did not.

    A child that stopped at its first failure (-x) and exited normally did not run the rest:
    those are not run, which the run counts and says, not errors."""
    code = f"signal {-done.returncode}" if done.returncode < 0 else f"code {done.returncode}"
    tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:]) + "\n"
    try:
        run = read(journal)
    except JournalError:
        # The child died before it could record anything: every case it was given is lost.
        message = f"the child process for {module} ended with {code} before running a case"
        return [_unreported(item, file, message, tail) for item in handed]
    for note in run.notes:
        print(f"thinking-tests: {printable(note)}", file=sys.stderr)
    cases = list(run.cases)
    died = done.returncode < 0 or (run.interrupted and done.returncode not in (0, 1, 2))
    if died:
        cases = [
            c if c.stages == () or c.stages[-1].exception is None
            or c.stages[-1].exception.type_name != "ProcessDied"
            else _with_code(c, code)
            for c in cases
        ]
        message = f"never ran: the child process for {module} ended with {code} before it"
    else:
        message = f"the child process for {module} (exit {code}) never reported this case"
        stopped = any(c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in cases)
        if exitfirst and stopped and done.returncode == 1:
            return cases
    reported = {case.id for case in cases}
    cases.extend(_unreported(item, file, message, tail) for item in handed if item.id not in reported)
    return cases


def _unreported(item: "Item", file: str, message: str, output: str) -> CaseResult:
    """An error for a case handed to a child that did not report it; the traceback holds
    the end of the child's output, which says why."""
    import time

    info = ExceptionInfo("ProcessDied", message, output if output.strip() else message + "\n")
    return error_result(
        item.id, item.module, item.name, info, message,
        file=getattr(item, "file", "") or file, line=getattr(item, "line", 0), start=time.time(),
    )


def _with_code(case: CaseResult, code: str) -> CaseResult:
    from dataclasses import replace

    message = f"{case.message} ({code})"
    info = ExceptionInfo("ProcessDied", message, message + "\n")
    return replace(case, message=message, stages=(StageResult(Stage.RUN, False, 0.0, info),))
