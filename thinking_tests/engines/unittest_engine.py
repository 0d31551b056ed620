"""The unittest engine: the standard library's unittest for the tests its loader finds
(TestCase classes, load_tests suites), the case runner for @test cases.

Items run in collection order. TestCase tests run one by one through unittest's own suite
machinery with one result object for the whole run (see `unittest_suite`), so setUpModule,
setUpClass and their teardowns happen once, as unittest does them, also around @test cases
of the same module. @test cases go straight to the case runner: wrapping each in a TestCase
would cost several microseconds a case, and `unittest` is then not imported at all unless a
test module imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thinking_tests.case import Case
from thinking_tests.engines import Listener, Plan, import_failure_result
from thinking_tests.engines.stopping import Stopping
from thinking_tests.exception_text import exception_info, first_line
from thinking_tests.items import ImportFailure, NativeTest
from thinking_tests.model import Stage, error_result
from thinking_tests.runner import CaseRunner

if TYPE_CHECKING:
    from thinking_tests.engines.unittest_suite import NativeRun


def run(plan: Plan, runner: CaseRunner, listener: Listener) -> None:
    items = plan.items or []
    cases = [item for item in items if isinstance(item, Case)]
    following = {id(case): nxt for case, nxt in zip(cases, [*cases[1:], None])}
    stopping = Stopping(listener, runner, plan.exitfirst)
    natives: NativeRun | None = None  # made at the first TestCase test
    # The loop runs once a case: the common path, a @test case, calls no helper of its own.
    started, finished, run_case = listener.started, stopping.finished, runner.run_next
    try:
        try:
            for item in items:
                if isinstance(item, Case):
                    if natives is not None:  # a class or module of TestCases may end here
                        runner.clean = None
                        natives.between(item.module)
                    started(item)
                    finished(run_case(item, following[id(item)]))
                elif isinstance(item, NativeTest):
                    runner.clean = None  # a TestCase's own code runs: the state is unknown
                    if natives is None:
                        from thinking_tests.engines.unittest_suite import NativeRun

                        natives = NativeRun(runner, stopping)
                    natives.run(item)
                else:
                    if natives is not None:
                        runner.clean = None
                        natives.between(item.module)
                    if isinstance(item, ImportFailure):
                        finished(import_failure_result(item))
                if stopping.stopped:
                    break
        finally:
            if natives is not None:  # the last class and module fixtures end, as in unittest
                natives.close()
    except KeyboardInterrupt:
        runner.interrupted = True
    if stopping.stopped and not runner.interrupted:
        # Stopped early (-x): scopes that would have ended later end now.
        for error in runner.fixtures.finish(None):
            info = exception_info(error)
            listener.finished(
                error_result(
                    "<session>::fixture teardown", "<session>", "fixture teardown", info,
                    f"error in fixture teardown: {first_line(info)}", stage=Stage.TEARDOWN,
                )
            )
    else:
        runner.fixtures.finish(None)

