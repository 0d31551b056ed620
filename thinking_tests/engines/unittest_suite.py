"""The TestCase side of the unittest engine: unittest runs what its loader gave, one test at a
time, in the run's order.

Every test runs through `unittest.TestSuite`, one result object for the whole run, so the
suite's own duties (setUpModule and setUpClass once per module and class, their teardowns
and errors, a class or module whose setup failed or was skipped) happen exactly as in
`python -m unittest`. A result class turns what unittest reports into neutral CaseResults.
"""

from __future__ import annotations

import sys
import time
import unittest
from types import TracebackType
from typing import Any

from thinking_tests.engines.stopping import Stopping
from thinking_tests.exception_text import exception_info, first_line
from thinking_tests.items import NativeTest
from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult
from thinking_tests.runner import CaseRunner
from thinking_tests.sandbox import Snapshot, Streams
from thinking_tests.subtests import combine, subtest_label

# Bound at import: a test may leave time's functions mocked.
_time = time.time
_perf_counter = time.perf_counter

_ErrInfo = tuple[type[BaseException], BaseException, TracebackType | None]

class _Failure:
    """One problem of the running test: its outcome, one-line message and exception."""

    def __init__(self, outcome: Outcome, message: str, info: ExceptionInfo | None) -> None:
        self.outcome = outcome
        self.message = message
        self.info = info


class NativeRun(unittest.TestResult):
    """unittest's result object for the run: turns what unittest reports into CaseResults."""

    def __init__(self, runner: CaseRunner, listener: Stopping) -> None:
        super().__init__()
        self._runner = runner
        self._listener = listener
        # What unittest's suite does between tests (class and module fixtures), done by an
        # empty suite's own methods: the run's state stays in this result, as in unittest.
        self._suite = unittest.TestSuite()
        self._current: NativeTest | None = None  # the test between startTest and stopTest
        self._expected: NativeTest | None = None  # the test handed to run(), until it returns
        self._last: NativeTest | None = None  # the last test handed to run()
        self._before: NativeTest | None = None  # the one before it: its class ends now
        self._fixture_ids: set[str] = set()
        self._problem: _Failure | None = None
        self._skip: str | None = None
        self._subtests: list[tuple[str, ExceptionInfo, bool]] = []  # label, exception, is error
        self._began = 0.0
        self._start = 0.0
        self._streams = Streams()  # as they were when the test began
        # unittest leaves what a test changes (working directory, environment, logging) to
        # the tests after it, and suites come to rely on that: put it back only at the end.
        self._snapshot = Snapshot()
        self._testRunEntered = True  # the run is the top-level suite: no suite ends it early

    # Driving unittest, from the engine.

    def run(self, native: NativeTest) -> None:
        """Run one test as unittest would at this point of its suite."""
        self._before, self._last = self._last, native
        self._expected = native
        try:
            unittest.TestSuite([native.test]).run(self)
        finally:
            self._expected = None

    def between(self, module: str) -> None:
        """Before an item that is not a TestCase test: end the class that ran last; also its
        module, unless the item is of the same module (setUpModule then stays done)."""
        if self._last is None or self._previousTestClass is None:
            return
        if module != self._last.module:
            self.finish()
            return
        previous = self._previousTestClass
        self._suite._tearDownPreviousClass(None, self)
        # The module stays set up: what follows, as unittest sees it, is still in it.
        self._previousTestClass = type("<between>", (), {"__module__": previous.__module__})

    def finish(self) -> None:
        """The end of the run's TestCase tests: tearDownClass and tearDownModule of the last."""
        if self._previousTestClass is None:
            return
        self._suite._tearDownPreviousClass(None, self)
        self._suite._handleModuleTearDown(self)
        self._previousTestClass = None
        self._moduleSetUpFailed = False

    def close(self) -> None:
        """The end of the run: the last fixtures end, and the process is put back as it was."""
        try:
            self.finish()
        finally:
            self._snapshot.restore()

    # unittest calls these around and during each test.

    def startTest(self, test: Any) -> None:
        super().startTest(test)
        native = self._expected
        if native is None or test is not native.test:
            return
        self._current = native
        self._listener.started(native)
        self._problem, self._skip, self._subtests = None, None, []
        self._start, self._began = _time(), _perf_counter()
        self._streams = Streams()
        if self._runner.capture is not None:
            self._runner.capture.start_case()
        if self._runner.switch is not None:  # unittest runs setUp, the test and tearDown as one
            self._runner.switch(f"{native.id}|run")

    def stopTest(self, test: Any) -> None:
        super().stopTest(test)
        native = self._current
        if native is None or test is not native.test:
            return
        self._current = None
        if self._runner.switch is not None:
            self._runner.switch("")
        # Streams and logging's off switch are put back at once, unlike the rest (see
        # _snapshot): left replaced, they would take the output of every later test.
        captured = self._runner.captured(self._streams.restore())
        in_flight = sys.exc_info()[1]  # stopTest runs in a `finally`: Ctrl-C passes through it
        if isinstance(in_flight, KeyboardInterrupt):
            self._runner.interrupted = True
            self._problem = _Failure(Outcome.ERROR, "interrupted", exception_info(in_flight))
        outcome, message, info = self._verdict()
        duration = _perf_counter() - self._began
        stage = StageResult(Stage.RUN, outcome not in (Outcome.FAILED, Outcome.ERROR), duration, info)
        self._report(
            CaseResult(
                id=native.id,
                module=native.module,
                name=native.name,
                outcome=outcome,
                duration=duration,
                file=native.file,
                line=native.line,
                description=native.description,
                stages=(stage,),
                stdout=captured[0],
                stderr=captured[1],
                log=captured[2],
                message=message,
                start=self._start,
            )
        )

    def _verdict(self) -> tuple[Outcome, str, ExceptionInfo | None]:
        """The test's outcome: its first problem, with every failing subtest folded in."""
        problem = self._problem
        if self._subtests:
            message, combined = combine([(label, info) for label, info, _ in self._subtests])
            if problem is None or problem.outcome not in (Outcome.FAILED, Outcome.ERROR):
                worst = Outcome.ERROR if any(error for *_, error in self._subtests) else Outcome.FAILED
                return worst, message, combined
            info = problem.info
            if info is not None:  # the body failed too: its failure first, then the subtests'
                info = ExceptionInfo(
                    info.type_name,
                    info.message,
                    f"{info.traceback}\n{combined.traceback}",
                    info.explanation,
                )
            return problem.outcome, f"{problem.message} (and {message})", info
        if problem is not None:
            return problem.outcome, problem.message, problem.info
        if self._skip is not None:
            return Outcome.SKIPPED, self._skip, None
        return Outcome.PASSED, "", None

    def _report(self, result: CaseResult) -> None:
        self._listener.finished(result)
        if self._listener.stopped:
            self.stop()

    def _own(self, test: Any) -> bool:
        return self._current is not None and test is self._current.test

    def _note(self, outcome: Outcome, message: str, info: ExceptionInfo | None) -> None:
        if self._problem is None:  # the first problem wins, as unittest prints it first
            self._problem = _Failure(outcome, message, info)

    def addFailure(self, test: Any, err: _ErrInfo) -> None:  # type: ignore[override]
        info = exception_info(err[1])
        if self._own(test):
            self._note(Outcome.FAILED, first_line(info), info)
        else:
            self._fixture_result(test, Outcome.ERROR, info, "")

    def addError(self, test: Any, err: _ErrInfo) -> None:  # type: ignore[override]
        if isinstance(err[1], KeyboardInterrupt):
            self._runner.interrupted = True
        info = exception_info(err[1])
        if self._own(test):
            self._note(Outcome.ERROR, first_line(info), info)
        else:
            # setUpClass, setUpModule and their teardowns: unittest reports them without a test.
            self._fixture_result(test, Outcome.ERROR, info, "")

    def addSkip(self, test: Any, reason: str) -> None:
        if self._own(test):
            if self._skip is None:
                self._skip = reason
        elif getattr(test, "test_case", None) is not None and self._own(test.test_case):
            # A subtest skipped: the test goes on; unittest then counts it as skipped, not
            # passed, unless something fails.
            if self._skip is None:
                self._skip = f"subtest {_label(test)} skipped: {reason}"
        else:
            self._fixture_result(test, Outcome.SKIPPED, None, reason)

    def addExpectedFailure(self, test: Any, err: _ErrInfo) -> None:  # type: ignore[override]
        info = exception_info(err[1], explain=False)
        self._note(Outcome.XFAILED, first_line(info), None)

    def addUnexpectedSuccess(self, test: Any) -> None:
        self._note(Outcome.XPASSED, "unittest.expectedFailure", None)

    def addSubTest(self, test: Any, subtest: Any, err: _ErrInfo | None) -> None:  # type: ignore[override]
        if err is None or err[1] is None:
            return
        failure = getattr(test, "failureException", AssertionError)
        error = not isinstance(err[1], failure)
        self._subtests.append((_label(subtest), exception_info(err[1]), error))

    def _fixture_result(
        self, test: Any, outcome: Outcome, info: ExceptionInfo | None, reason: str
    ) -> None:
        """A class or module fixture's error or skip, as its own result (unittest counts it
        as one error or skip, and runs none of the tests it covers)."""
        description = str(test)  # "setUpClass (module.Class)" or "tearDownModule (module)"
        inside = description.rpartition(" (")[2].rstrip(")")
        teardown = description.startswith("tearDown")
        # A setup runs just before the test handed to run(); a teardown ends what ran before.
        if teardown:
            owner = self._before if self._expected is not None else self._last
        else:
            owner = self._expected or self._last
        module = owner.module if owner is not None else type(test).__module__
        if owner is not None:  # a module run as __main__ keeps its real name here too
            defined = type(owner.test).__module__
            if inside == defined or inside.startswith(defined + "."):
                real = owner.module + inside[len(defined):] if defined == "__main__" else inside
                description = description.replace(f"({inside})", f"({real})")
        stage_name = Stage.TEARDOWN if teardown else Stage.SETUP
        if info is not None:
            message = f"error in {description}: {first_line(info)}"
            stage = StageResult(stage_name, False, 0.0, info)
        else:
            message = reason
            stage = StageResult(stage_name, True, 0.0)
        identifier, count = f"{module}::{description}", 1
        while identifier in self._fixture_ids:  # a class set up again later, failing again
            count += 1
            identifier = f"{module}::{description}#{count}"
        self._fixture_ids.add(identifier)
        self._report(
            CaseResult(
                id=identifier,
                module=module,
                name=identifier.partition("::")[2],
                file=owner.file if owner is not None else "",
                outcome=outcome,
                duration=0.0,
                stages=(stage,),
                message=message,
                start=_time(),
            )
        )


def _label(subtest: Any) -> str:
    """A subtest as every report names it: its message and parameters."""
    message = getattr(subtest, "_message", None)
    if not isinstance(message, str):  # unittest's sentinel for "no message"
        message = None
    return subtest_label(message, dict(getattr(subtest, "params", {}) or {}))
