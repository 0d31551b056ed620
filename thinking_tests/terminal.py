"""Terminal output: progress while running, then failures, slowest cases, and the summary.

A case run again after failing shows an `R` per failed attempt before its letter (`R.` is
flaky: passed on its second attempt); a failure shows every attempt; flaky cases are
listed, one line per failed attempt, and counted in the breakdown.

The last line is always the summary `N passed, N failed, N skipped` (after `coverage-failed: `
when coverage failed the run); the line above it breaks it down and gives the duration.
Section rules fit the terminal's width (COLUMNS, else the terminal, else 88 columns).
"""

from __future__ import annotations

import os
import sys
from time import monotonic as _monotonic  # bound at import: a case may mock time's
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from thinking_tests.model import Attempt, CaseResult, Counts, Outcome, RunResult
from thinking_tests.paths import shown

if TYPE_CHECKING:
    from thinking_tests.items import Item

_LETTERS = {
    Outcome.PASSED: ".",
    Outcome.FAILED: "F",
    Outcome.ERROR: "E",
    Outcome.SKIPPED: "s",
    Outcome.XFAILED: "x",
    Outcome.XPASSED: "X",
}
_COLOURS = {
    Outcome.PASSED: "32",
    Outcome.FAILED: "31",
    Outcome.ERROR: "31",
    Outcome.SKIPPED: "33",
    Outcome.XFAILED: "33",
    Outcome.XPASSED: "33",
}
_WIDTH = 88  # when the width of the terminal is unknown (output to a file or a pipe)
_MIN_WIDTH = 40
_HEADER_WIDTH = 120  # the longest line of a test needing pytest, however long its message
_NEEDS_PYTEST_SHOWN = 3  # errors of tests that need pytest shown under a header each,
_NEEDS_PYTEST_LISTED = 20  # then one line each up to this many, then only counted


def _wants_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except Exception:
        return False


class Terminal:
    """A Listener that shows progress, and prints the end of the run."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.verbose = verbose
        self.quiet = quiet
        self.colour = _wants_colour(self.stream)
        self.width = _terminal_width()
        self._module: str | None = None
        self._column = 0
        self._flushed = 0.0
        self._pending: list[str] = []
        # Keyed by the outcome's value: hashing an Enum member runs Python code, a str does not.
        self._letters = {o._value_: self.paint(_LETTERS[o], _COLOURS[o]) for o in Outcome}

    # Writing never fails on odd text: lone surrogates and unencodable characters show escaped.
    def write(self, text: str) -> None:
        if self._pending:  # progress letters not written yet come first
            text, self._pending = "".join(self._pending) + text, []
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            safe = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
        except LookupError:
            safe = text.encode("ascii", "backslashreplace").decode("ascii")
        try:
            self.stream.write(safe)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken terminal must not lose the reports

    def write_now(self, text: str) -> None:
        """`write`, past the stream's buffer, straight to its descriptor: from a signal
        handler, which may land inside a write to the same stream (a reentrant call there
        raises, and the line would be lost)."""
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.write(text)
            return
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            os.write(fd, text.encode(encoding, "backslashreplace"))
        except (OSError, LookupError):
            pass

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def started(self, item: "Item") -> None:
        pass

    def finished(self, result: CaseResult) -> None:
        if self.quiet:
            return
        if self.verbose:
            label = self.paint(result.outcome.value.upper(), _COLOURS[result.outcome])
            # _one_line strips, so the space before the reason goes outside it.
            extra = f" ({_one_line(result.message.splitlines()[0])})" if result.message and result.outcome is not Outcome.FAILED else ""
            if result.attempts:
                extra += f" ({_attempts_said(result)})"
            self.write(f"{result.id} {label}{extra} [{result.duration * 1000:.0f} ms]\n")
            return
        pending = self._pending
        module = result.module
        if module != self._module:
            if self._module is not None:
                pending.append("\n")
            self._module = module
            pending.append(f"{module} ")
            self._column = len(module) + 1
        elif self._column >= self.width:
            pending.append("\n" + " " * (len(module) + 1))
            self._column = len(module) + 1
        if result.attempts:  # an R per failed attempt, as pytest-rerunfailures shows them
            pending.append(self.paint("R" * len(result.attempts), "33"))
            self._column += len(result.attempts)
        pending.append(self._letters[result.outcome._value_])
        self._column += 1
        # Letters are written in batches, at most every tenth of a second: writing each one
        # costs as much as running a trivial case.
        now = _monotonic()
        if now - self._flushed > 0.1:
            self._flushed = now
            self.flush_progress()

    def flush_progress(self) -> None:
        if self._pending:
            self.write("")

    def header(self, count: int | None, backend: str, config_file: str | None) -> None:
        if self.quiet:
            return
        where = f", configured by {config_file}" if config_file else ""
        cases = "" if count is None else f"{count} case{'s' if count != 1 else ''} "
        self.write(f"thinking-tests: {cases}({backend} engine{where})\n")

    def end(
        self,
        run: RunResult,
        durations: int | None = None,
        notes: list[str] | None = None,
        word: str = "",
        coverage_seconds: float | None = None,
        compared: Sequence[str] = (),
    ) -> None:
        """The end of a run: failures, slowest cases, notes, what changed since the last run
        (`compared`: compare.lines), the breakdown and the summary line (after `word: ` when
        given). `coverage_seconds` is the part of the run's duration spent after the cases:
        coverage's data and every report."""
        self.flush_progress()
        if self._module is not None and not self.verbose:
            self.write("\n")
        counts = run.counts()
        problems = [c for c in run.cases if c.outcome in (Outcome.FAILED, Outcome.ERROR)] if counts.failed else []
        needing: list[tuple[CaseResult, str]] = []
        if problems:
            from thinking_tests.pytest_style.shown import needs_pytest

            self.write("\n" + self.rule(" FAILURES ", "=") + "\n")
            for case in problems:
                message = needs_pytest(case) if case.outcome is Outcome.ERROR else None
                if message is None:
                    self._failure(case)
                else:
                    needing.append((case, message))
            # After the real failures: they are what needs reading.
            self._needing_pytest(needing)
        if counts.flaky:
            self._flaky([c for c in run.cases if c.attempts and c.outcome is Outcome.PASSED])
        if durations:
            slowest = sorted(run.cases, key=lambda c: c.duration, reverse=True)[:durations]
            self.write("\n" + self.rule(f" slowest {len(slowest)} durations ", "=") + "\n")
            for case in slowest:
                self.write(f"{case.duration:9.3f} s  {case.id}\n")
        for note in notes or ():
            self.write(note.rstrip("\n") + "\n")
        for line in compared:
            self.write(line + "\n")
        if needing:
            from thinking_tests.pytest_style.shown import closing_line

            self.write(self.paint(closing_line([m for _, m in needing]), "31") + "\n")
        self.write(self.breakdown(counts, run, coverage_seconds) + "\n")
        colour = "31" if counts.failed or word else ("32" if counts.total else "33")
        self.write(self.paint(counts.summary_line(word), colour) + "\n")

    @staticmethod
    def breakdown(counts: Counts, run: RunResult, coverage_seconds: float | None = None) -> str:
        parts = [
            f"{counts.failed - counts.errors} failure{'s' if counts.failed - counts.errors != 1 else ''}",
            f"{counts.errors} error{'s' if counts.errors != 1 else ''}",
            f"{counts.skipped - counts.xfailed} skip{'s' if counts.skipped - counts.xfailed != 1 else ''}",
            f"{counts.xfailed} xfailed",
            f"{counts.xpassed} xpassed",
        ]
        if counts.flaky:
            parts.append(f"{counts.flaky} flaky")
        state = " (interrupted)" if run.interrupted else ""
        if coverage_seconds is not None:
            state += f" ({coverage_seconds:.2f} s of it coverage and reports)"
        return f"{counts.total} case{'s' if counts.total != 1 else ''} in {run.duration:.2f} s{state}: {', '.join(parts)}"

    def _needing_pytest(self, needing: list[tuple[CaseResult, str]]) -> None:
        """Errors of tests only pytest can run: the message is all there is to each (no
        traceback), the first few under a header, then one line each, then a count; the
        line above the summary says why, in aggregate."""
        from thinking_tests.pytest_style.shown import reason

        for case, message in needing[:_NEEDS_PYTEST_SHOWN]:
            self.write(self.paint(self.rule(f" {case.id} ", "_"), "31;1") + "\n")
            where = f"{shown(case.file)}:{case.line}" if case.file else case.module
            self.write(f"{where}: error: {message}\n")
        listed = needing[_NEEDS_PYTEST_SHOWN:_NEEDS_PYTEST_LISTED]
        if listed:
            self.write(self.rule(" more tests that need pytest ", "_") + "\n")
        for case, message in listed:
            head = f"E {case.id}: needs "
            self.write(head + _one_line(reason(message), max(40, _HEADER_WIDTH - len(head))) + "\n")
        rest = len(needing) - _NEEDS_PYTEST_LISTED
        if rest > 0:
            self.write(f"... and {rest} more test{'s' if rest != 1 else ''} that need pytest, each in the reports\n")

    def _flaky(self, cases: list[CaseResult]) -> None:
        """Cases that passed after failing: each with one line per failed attempt (the
        reports keep their tracebacks and output)."""
        self.write("\n" + self.rule(" FLAKY ", "=") + "\n")
        for case in cases:
            self.write(self.paint(f"{case.id}: {_attempts_said(case).removeprefix('flaky: ')}", "33") + "\n")
            for number, attempt in enumerate(case.attempts, 1):
                message = _one_line(attempt.message, max(40, self.width - 20)) or attempt.outcome.value
                self.write(f"  attempt {number}: {attempt.outcome.value}: {message}\n")

    def _failure(self, case: CaseResult) -> None:
        self.write(self.paint(self.rule(f" {case.id} ", "_"), "31;1") + "\n")
        total = len(case.attempts) + 1
        for number, attempt in enumerate(case.attempts, 1):
            self.write(self.paint(f"--- attempt {number} of {total} ---", "31") + "\n")
            self._attempt(case, attempt)
        if case.attempts:
            self.write(self.paint(f"--- attempt {total} of {total} (the last) ---", "31") + "\n")
        self._attempt(case, case)

    def _attempt(self, case: CaseResult, attempt: "CaseResult | Attempt") -> None:
        """One attempt of a failed case (the case itself, when it ran once): where and how
        it failed, its tracebacks and its captured output."""
        stage = next((s.stage for s in attempt.stages if not s.ok), None)
        where = f"{shown(case.file)}:{case.line}" if case.file else case.module
        outcome = f"{attempt.outcome.value}{f' in {stage}' if stage else ''}"
        head = f"{where}: {outcome}"
        # Runner messages such as "error in setup: ..." already start with the outcome.
        message = _whole(attempt, attempt.message.removeprefix(f"{outcome}: ").rstrip("\n"))
        # Never cut: a one-line message that fits the width follows the head on its line,
        # any other follows in full on its own lines.
        line = f"{head}: {message}"
        if message and "\n" not in message and len(line) <= self.width:
            self.write(line + "\n")
        else:
            self.write(head + "\n" + (message + "\n" if message else ""))
        for stage_result in attempt.stages:
            info = stage_result.exception
            if info is None:
                continue
            if len([s for s in attempt.stages if s.exception]) > 1:
                self.write(f"--- in {stage_result.stage} ---\n")
            self.write(info.traceback.rstrip("\n") + "\n")
            if info.explanation:
                self.write(self.paint(info.explanation.rstrip("\n"), "31") + "\n")
        for label, text in (("stdout", attempt.stdout), ("stderr", attempt.stderr), ("log", attempt.log)):
            if text:
                self.write(self.rule(f" captured {label} ", "-") + "\n")
                self.write(_tail(text).rstrip("\n") + "\n")

    def rule(self, title: str, char: str) -> str:
        """`==== title ====` across the terminal's width (the title spaced, as pytest's)."""
        side = max(3, (self.width - len(title)) // 2)
        return f"{char * side}{title}{char * side}"


def _attempts_said(case: CaseResult) -> str:
    """How a retried case's attempts went: "flaky: passed on attempt 2", "3 attempts"."""
    total = len(case.attempts) + 1
    if case.outcome is Outcome.PASSED:
        return f"flaky: passed on attempt {total}"
    return f"{total} attempts"


def _whole(case: "CaseResult | Attempt", message: str) -> str:
    """The case's message with every line of its exception's: a case's message is the
    first line of an exception of several."""
    raised = [s.exception for s in case.stages if s.exception is not None]
    if len(raised) != 1:
        return message
    text = raised[0].message.strip("\n")
    lines = text.splitlines()
    first = f"{raised[0].type_name}: {lines[0]}" if lines else ""
    return f"{raised[0].type_name}: {text}" if len(lines) > 1 and message == first else message


def _terminal_width() -> int:
    """The columns of the terminal: COLUMNS, else the terminal's own, else 88 (a file or a
    pipe), never under 40."""
    import shutil  # imports zlib, bz2 and lzma: only when the width is needed

    return max(_MIN_WIDTH, shutil.get_terminal_size((_WIDTH, 24)).columns)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _tail(text: str, lines: int = 60) -> str:
    """Captured output in the terminal: its last lines; the reports keep all of it."""
    split = text.splitlines()
    if len(split) <= lines:
        return text
    return f"[{len(split) - lines} earlier lines in the reports]\n" + "\n".join(split[-lines:])
