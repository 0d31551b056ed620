"""The built-in runner's retry loop: a failed case runs again while it has retries left, and
its result keeps the failed attempts. Imported only when a run or a case asks for retries.

(Retries under the pytest engine are pytest-rerunfailures' reruns: see `retries`.)
"""

from __future__ import annotations

from time import perf_counter as _perf_counter
from time import time as _time
from typing import TYPE_CHECKING

from thinking_tests.case import Case
from thinking_tests.fixtures import FixtureError
from thinking_tests.model import Attempt, CaseResult, Outcome, Stage, StageResult

if TYPE_CHECKING:
    from thinking_tests.runner import CaseRunner, Running

__all__ = ["as_attempt", "retried"]

_RETRIED = (Outcome.FAILED, Outcome.ERROR)  # what a case with retries left runs again after
_TEARDOWN_PASSED = StageResult(Stage.TEARDOWN, True, 0.0)  # a stand-in before the real one


def retried(runner: CaseRunner, case: Case, next_case: Case | None = None) -> CaseResult:
    """Run a case, and again after each failed attempt while it has retries left; the
    result is the last attempt's, with the failed ones before it in `attempts`.

    An attempt runs the case's own stages again: its setups, its case-scoped fixtures,
    the body and its teardowns. Fixtures of wider scopes stay set up between attempts,
    and a case whose setup failed in one of them is not run again; nor is an expected
    failure, a skip, or a case an interrupt (Ctrl-C, SIGTERM, the run timeout) stopped.
    """
    times = runner.retries if case.retries is None else case.retries
    if case.xfail is not None:
        times = 0
    attempts: list[Attempt] = []
    start, began = _time(), _perf_counter()
    while True:
        last = len(attempts) >= times
        runner.fixtures.failing = None
        running = runner.start(case, next_case)  # the capture starts a case's output afresh
        if running.setup().ok:
            running.call()
        passed = all(stage.ok for stage in running.stages)
        again = not last and not passed and _again(runner, case, running)
        if again:  # the scopes around the case stay for its next attempt
            running.next_case = case
        running.teardown()
        result = running.finish()
        if not last and not runner.interrupted and result.outcome in _RETRIED and (again or passed):
            attempts.append(as_attempt(result))
            continue
        if not attempts:
            return result
        fields = dict(result.__dict__)
        fields.update(attempts=tuple(attempts), start=start, duration=_perf_counter() - began)
        return CaseResult(**fields)


def _again(runner: CaseRunner, case: Case, running: Running) -> bool:
    """Whether a case whose setup or body failed runs again (decided before its teardown,
    which then keeps the wider fixture scopes): a failure or error of its own, not an
    interrupt, nor a fixture of a wider scope that could not be set up."""
    if runner.interrupted:
        return False
    outcome, _ = runner._outcome(case, [*running.stages, _TEARDOWN_PASSED])
    if outcome not in _RETRIED:
        return False
    if not running.stages[0].ok:
        error = running.errors.get(Stage.SETUP)
        failing = runner.fixtures.failing
        if isinstance(error, FixtureError) or (failing is not None and failing.scope != "case"):
            return False
    return True


def as_attempt(result: CaseResult) -> Attempt:
    """A failed attempt as the result of a retried case keeps it."""
    return Attempt(
        outcome=result.outcome,
        message=result.message,
        duration=result.duration,
        stages=result.stages,
        stdout=result.stdout,
        stderr=result.stderr,
        log=result.log,
        start=result.start,
    )
