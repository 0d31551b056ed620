"""The exit codes of a run, as pytest's (DESIGN.md), and which one a finished run gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thinking_tests.model import RunResult

OK = 0  # every selected case passed
FAILED = 1  # a case failed or erred, or coverage is under its threshold
INTERRUPTED = 2  # Ctrl-C, SIGTERM or the run timeout
INTERNAL_ERROR = 3  # a bug of thinking-tests: the traceback is printed
USAGE_ERROR = 4  # a run that cannot start as asked, said in one sentence
NO_TESTS = 5  # nothing collected, or nothing selected


def exit_code(run: RunResult, interrupted: bool, unwritten: bool, coverage_ok: bool) -> int:
    """A finished run's code: an interrupt first, then no cases, failures, a report that
    could not be written (a configuration error), coverage under its threshold."""
    if interrupted:
        return INTERRUPTED
    if not run.cases:
        return NO_TESTS
    if run.counts().failed:
        return FAILED
    if unwritten:
        return USAGE_ERROR
    return OK if coverage_ok else FAILED
