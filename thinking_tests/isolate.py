"""`--isolate`: each module runs in a child process, so a crash costs only that module.

A child runs exactly the selected cases of its module and writes a journal; the parent reads
it back (the case a dead child was running becomes an error saying so) and reports as usual.
Coverage of the children is measured as subprocesses of the parent and combined.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.engines import import_failure_result
from thinking_tests.journal import JournalError, read
from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult

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
            ids.write_text("\n".join(i.id for i in runnable), encoding="utf-8")
            journal = Path(scratch, f"{index}.jsonl")
            command = [
                sys.executable, "-m", "thinking_tests", file or module,
                "--only-ids", str(ids), "--journal", str(journal),
                "--no-reports", "--no-coverage", "-q",
            ]
            if options.backend:
                command += ["--backend", options.backend]
            try:
                done = subprocess.run(command, capture_output=True, text=True, errors="replace")
            except KeyboardInterrupt:
                return True
            for case in _results_of(journal, module, file, done):
                results.finished(case)
            if options.exitfirst and any(
                c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in results.cases
            ):
                break
    return False


def _results_of(
    journal: Path, module: str, file: str, done: subprocess.CompletedProcess[str]
) -> list[CaseResult]:
    try:
        run = read(journal)
    except JournalError:
        # The child died before it could record anything: blame the module.
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        message = f"the child process for {module} ended with code {done.returncode} before running a case"
        info = ExceptionInfo("ProcessDied", message, "\n".join(tail) + "\n")
        return [
            CaseResult(
                id=f"{module}::<process>",
                module=module,
                name="<process>",
                outcome=Outcome.ERROR,
                duration=0.0,
                file=file,
                stages=(StageResult(Stage.SETUP, False, 0.0, info),),
                message=message,
            )
        ]
    cases = list(run.cases)
    if done.returncode < 0 or (run.interrupted and done.returncode not in (0, 1, 2)):
        code = f"signal {-done.returncode}" if done.returncode < 0 else f"code {done.returncode}"
        cases = [
            c if c.stages == () or c.stages[-1].exception is None
            or c.stages[-1].exception.type_name != "ProcessDied"
            else _with_code(c, code)
            for c in cases
        ]
    return cases


def _with_code(case: CaseResult, code: str) -> CaseResult:
    from dataclasses import replace

    message = f"{case.message} ({code})"
    info = ExceptionInfo("ProcessDied", message, message + "\n")
    return replace(case, message=message, stages=(StageResult(Stage.RUN, False, 0.0, info),))
