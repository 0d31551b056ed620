"""`--resume`: continue the last run that did not finish, from its journal.

The rules, in the order they are checked:

- The journal (the report folder's journal.jsonl, or --journal) must be there and readable,
  written by a run of the unittest engine, and name its cases (its plan).
- A run that finished (its journal ends with an end record, not interrupted) is not run
  again: one line says so, then its summary line; the exit code is that run's (0 or 1).
- The command must select exactly the cases that run planned, the same set of case ids:
  the same targets, -k, -t and --shard give it; a case that is no longer collected, or a new
  one anywhere in the selection, refuses the resume (exit 4) in one sentence.
- A case with a result in the journal keeps it and does not run again, except one an
  interrupt stopped (Ctrl-C, SIGTERM, --run-timeout), which runs again, as does the case the
  process died in (it has no result) -- once: a case the process died in during two parts in
  a row keeps that error, and the run goes past it. The rest run, in their order.
- The new journal holds the kept results and a resume record (the first part's start, the
  earlier parts' time, one note per resume): it can be resumed again, and `report` rebuilds
  the whole run from it. The reports cover the whole run, with a note per resume.
- Coverage: the data file the stopped part saved is set aside and combined with this part's
  data. A part that was killed saved none: its lines are missing, and a note says so.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.journal.reading import Recorded, printable, recorded
from thinking_tests.model import CaseResult, RunResult, StageResult
from thinking_tests.paths import reason, shown
from thinking_tests.select import SelectionError

if TYPE_CHECKING:
    from thinking_tests.coverage_run import CoverageRun
    from thinking_tests.items import Item
    from thinking_tests.journal import Journal
    from thinking_tests.results import Results
    from thinking_tests.session import _Run

# The exceptions of a case an interrupt stopped: such a result is no result, it runs again.
_INTERRUPTS = ("KeyboardInterrupt", "_pytest.outcomes.Exit")
_SLACK = 1.0  # seconds: file times are coarser than the clock on some file systems


def interrupted(case: CaseResult) -> bool:
    """Whether an interrupt (not the case itself) ended `case`."""
    return any(s.exception is not None and s.exception.type_name in _INTERRUPTS for s in case.stages)


def _type(stage: StageResult) -> str:
    return stage.exception.type_name if stage.exception is not None else ""


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


class Resume:
    """The run being resumed: its journal read back, the results it keeps, the notes."""

    def __init__(self, previous: Recorded) -> None:
        self.previous = previous
        self.run = previous.run
        self.finished = previous.ended and not previous.run.interrupted
        self.kept: dict[str, CaseResult] = {}
        self.order: dict[str, int] = {}  # each selected case's place in a run from the start
        self.notes: tuple[str, ...] = ()  # one per resume, this one last
        self.coverage_file: Path | None = None  # the earlier parts' coverage data, set aside
        self.coverage_notes: list[str] = []
        self.died_in = ""  # the case the stopped part died in

    @classmethod
    def read(cls, session: "_Run") -> "Resume":
        """The last run's journal, or a refusal (SelectionError) in one sentence."""
        options = session.options
        if options.last_failed or options.failed_first or options.list_only:
            flag = "--lf" if options.last_failed else "--ff" if options.failed_first else "--list"
            raise SelectionError(f"--resume continues the last run as it was selected; it does not combine with {flag}")
        from thinking_tests.config import config

        if config.backend != "unittest":
            raise SelectionError(
                f"--resume continues runs of the unittest engine, not of the {config.backend} engine; "
                "use --lf to run again what failed",
            )
        path = session.journal_path()
        if path is None:
            raise SelectionError("--resume needs the last run's journal, and the reports (with the journal) are off")
        if not path.is_file():
            raise SelectionError(f"--resume found no journal of a last run at {shown(path)}")
        from thinking_tests.journal import JournalError

        try:
            previous = recorded(path)
        except JournalError as error:
            raise SelectionError(f"--resume cannot read the last run's journal: {error}") from None
        if previous.run.backend != "unittest":
            raise SelectionError(
                f"--resume continues runs of the unittest engine, and the last run ran on the "
                f"{previous.run.backend} engine",
            )
        if not previous.cases:
            raise SelectionError(
                f"the last run's journal ({shown(path)}) names no case to resume (it stopped before "
                "any was planned); run again without --resume",
            )
        return cls(previous)

    def finished_run(self, session: "_Run") -> int:
        """A run that finished is not resumed: one line, its summary, its exit code; its
        reports and coverage data stay as they are."""
        run = self.run
        session.leave_nothing()
        session.terminal.write(
            f"thinking-tests: --resume: the last run (started {_when(run.start)}) finished; "
            "nothing to resume, its reports stay as they are\n"
        )
        counts = run.counts()
        session.terminal.write(counts.summary_line() + "\n")
        return 1 if counts.failed else 0 if run.cases else 5

    def remaining(self, session: "_Run", items: "list[Item]") -> "list[Item]":
        """The selected items that still need to run; refuses (SelectionError) when the
        selection is not the set of cases the last run planned."""
        planned = self.previous.cases
        selected = [item.id for item in items]
        now, before = set(selected), set(planned)
        if now != before:
            raise SelectionError(self._changed(planned, selected, now, before))
        self.order = {identifier: place for place, identifier in enumerate(selected)}
        for case in self.previous.results:
            if interrupted(case):
                self.kept.pop(case.id, None)
            else:
                self.kept[case.id] = case
        twice = self._died_twice()
        rest = [item for item in items if item.id not in self.kept]
        how = "interrupted" if self.previous.ended else "killed"
        first = self.run.start
        resumed = self.previous.resumed
        earlier = resumed.notes if resumed is not None else ()
        self.notes = (
            *earlier,
            (
                f"resumed at {_when(time.time())}: the run started {_when(first)} was {how} with "
                f"{len(self.kept)} of {len(items)} cases done, which kept their results; "
                f"the other {len(rest)} ran on resuming"
                + (f"; {printable(twice)} killed the process twice in a row, so its error stands" if twice else "")
            ),
        )
        session.terminal.write(
            f"thinking-tests: resuming the run started {_when(first)} ({how}): {len(self.kept)} of "
            f"{len(items)} cases keep their results, {len(rest)} to run\n"
        )
        self._set_coverage_aside(session)
        return rest

    def _died_twice(self) -> str:
        """The case the stopped part died in runs again, unless the part before died in it
        too: then its error (the process died) is its result, and the run goes past it. The
        id of such a case, else ""."""
        found = self.previous.run.cases[len(self.previous.results):]  # errors made up by reading
        dead = next((c for c in found if c.stages and _type(c.stages[0]) == "ProcessDied"), None)
        if dead is None:
            return ""
        self.died_in = dead.id
        resumed = self.previous.resumed
        if resumed is None or resumed.died_in != dead.id:
            return ""
        self.kept[dead.id] = dead
        return dead.id

    def _changed(self, planned: Sequence[str], selected: Sequence[str], now: set[str], before: set[str]) -> str:
        """Why the selection does not fit the journal, in one sentence."""
        gone = [i for i in planned if i not in now]
        new = [i for i in selected if i not in before]
        if gone:
            what = f"case {printable(gone[0])} was in the last run's plan and is not selected now"
        else:
            what = f"case {printable(new[0])} is selected now and was not in the last run's plan"
        more = len(gone) + len(new) - 1
        also = f" ({more} more case{'s' if more != 1 else ''} differ)" if more else ""
        command = printable(shlex.join(self.run.command)) if self.run.command else "its command"
        return (
            f"--resume refuses: {what}{also}, so the last run's results do not fit this selection; "
            f"resume with that run's targets and selection ({command}) or run without --resume"
        )

    def _set_coverage_aside(self, session: "_Run") -> None:
        """The coverage data of the earlier parts, moved beside the data file before this
        part's first save erases that file."""
        coverage = session.coverage
        if coverage is None:
            return
        data = Path(str(coverage.options["data_file"]))
        aside = data.with_name(data.name + "-resumed")  # not data.*, which combining globs
        if self.previous.ended and _written_since(data, self.previous.part_start):
            os.replace(data, aside)  # the part that stopped saved it: all the parts so far
        if _written_since(aside, self.run.start):
            self.coverage_file = aside
        if not self.previous.ended:
            self.coverage_notes.append(
                "coverage: the part of the run before this resume was killed before it saved its "
                "coverage data; the lines only it ran are missing"
            )

    def begin(self, journal: "Journal | None", results: "Results") -> None:
        """The kept results, first in the new journal (with the resume record) and in the
        run's results: the journal is a whole run, which can be resumed again."""
        if journal is not None:
            journal.write(
                {
                    "kind": "resume",
                    "start_us": int(self.run.start * 1e6),
                    "before_ns": int(self.run.duration * 1e9),
                    "notes": list(self.notes),
                    "died_in": self.died_in,
                }
            )
        for case in self.kept.values():
            if journal is not None:
                journal.finished(case)
            results.cases.append(case)

    def whole(self, run: RunResult) -> RunResult:
        """This part's run as the whole run: every case in its place, from the first part's
        start, the earlier parts' time added, a note per resume."""
        from dataclasses import replace

        last = len(self.order)
        cases = sorted(run.cases, key=lambda case: self.order.get(case.id, last))
        return replace(
            run,
            cases=tuple(cases),
            start=self.run.start,
            duration=self.run.duration + run.duration,
            notes=(*self.notes, *run.notes),
        )

    def finish(self, coverage: "CoverageRun | None") -> list[str]:
        """After coverage stopped: the earlier parts' data combined into this part's; the
        lines for the terminal (the resume notes, and coverage's)."""
        lines = [*self.notes, *self.coverage_notes]
        aside = self.coverage_file
        if coverage is not None and aside is not None and aside.is_file():
            try:
                coverage.add(aside)
                lines.append("coverage: combined with the data of the run's earlier parts")
            except Exception as error:  # a coverage.py error: said, and this part's data stays
                lines.append(f"coverage: the earlier parts' data could not be combined: {reason(error)}")
        return lines


def _written_since(path: Path, moment: float) -> bool:
    try:
        return path.is_file() and path.stat().st_mtime >= moment - _SLACK
    except OSError:
        return False
