"""A module with native `unittest.TestCase` classes, run by `unittest.TestSuite`.

Its @test cases are adapted to unittest and run in the same suite, in source order with the
native tests. The suite keeps its own duties (setUpClass, setUpModule, their teardowns,
shouldStop); a result class turns what it reports into neutral CaseResults.
"""

from __future__ import annotations

import time
import unittest
import unittest.util
from types import TracebackType
from typing import Any

from thinking_tests.case import Case
from thinking_tests.collect import ImportFailure, Item, NativeTest
from thinking_tests.engines import import_failure_result
from thinking_tests.engines.unittest_engine import Stopping
from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult
from thinking_tests.runner import CaseRunner, exception_info, first_line
from thinking_tests.sandbox import Snapshot

_ErrInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class _CaseAdapter(unittest.TestCase):
    """One @test case as a unittest test; its run is the case runner's."""

    def __init__(self, case: Case, next_case: Case | None, runner: CaseRunner) -> None:
        super().__init__("_run")
        self._case = case
        self._next = next_case
        self._runner = runner

    def _run(self) -> None:  # never called: run() below does the work
        pass

    def run(self, result: Any = None) -> None:
        collector: _Collector = result
        collector.startTest(self)
        collector.started(self._case)
        try:
            collector.add_case_result(self._runner.run(self._case, self._next))
        finally:
            collector.stopTest(self)

    def id(self) -> str:
        return self._case.id

    def __str__(self) -> str:
        return self._case.id

    __repr__ = __str__


class _FailureAdapter(unittest.TestCase):
    """A module that failed to import, reported in its place in the run."""

    def __init__(self, failure: ImportFailure) -> None:
        super().__init__("_run")
        self._failure = failure

    def _run(self) -> None:
        pass

    def run(self, result: Any = None) -> None:
        result.add_case_result(import_failure_result(self._failure))

    def id(self) -> str:
        return self._failure.id


class _Collector(unittest.TestResult):
    """Turns what unittest reports about native tests into CaseResults; passes ours on."""

    def __init__(self, runner: CaseRunner, listener: Stopping) -> None:
        super().__init__()
        self._runner = runner
        self._listener = listener
        self._natives: dict[int, NativeTest] = {}
        # "module.Class" and "module" (as unittest names them) -> a native test there, so a
        # setUpClass or setUpModule error is reported under the real module.
        self._owners: dict[str, NativeTest] = {}
        self._outcome: tuple[Outcome, str, ExceptionInfo | None] = (Outcome.PASSED, "", None)
        self._began = 0.0
        self._start = 0.0
        self._snapshot = Snapshot()

    def expect(self, native: NativeTest) -> None:
        self._natives[id(native.test)] = native
        cls = type(native.test)
        self._owners.setdefault(unittest.util.strclass(cls), native)
        self._owners.setdefault(cls.__module__, native)

    def started(self, item: Item) -> None:
        self._listener.started(item)

    def add_case_result(self, result: CaseResult) -> None:
        self._listener.finished(result)
        if self._listener.stopped:
            self.stop()

    # Native tests: unittest calls these around and during each test.

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        native = self._natives.get(id(test))
        if native is None:
            return
        self.started(native)
        self._snapshot = Snapshot()  # put back in stopTest: cwd, sys.path, environment, logging
        self._outcome = (Outcome.PASSED, "", None)
        self._start, self._began = time.time(), time.perf_counter()
        if self._runner.capture is not None:
            self._runner.capture.start_case()

    def stopTest(self, test: unittest.TestCase) -> None:
        super().stopTest(test)
        native = self._natives.pop(id(test), None)
        if native is None:
            return
        self._snapshot.restore()
        captured = ("", "", "")
        if self._runner.capture is not None:
            captured = self._runner.capture.end_case()
        outcome, message, info = self._outcome
        stage = StageResult(Stage.RUN, info is None, time.perf_counter() - self._began, info)
        self.add_case_result(
            CaseResult(
                id=native.id,
                module=native.module,
                name=native.name,
                outcome=outcome,
                duration=time.perf_counter() - self._began,
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

    def _set(self, outcome: Outcome, message: str, info: ExceptionInfo | None) -> None:
        if self._outcome[0] in (Outcome.PASSED, Outcome.SKIPPED):  # the first problem wins
            self._outcome = (outcome, message, info)

    def addFailure(self, test: unittest.TestCase, err: _ErrInfo) -> None:  # type: ignore[override]
        info = exception_info(err[1])
        self._set(Outcome.FAILED, first_line(info), info)

    def addError(self, test: unittest.TestCase, err: _ErrInfo) -> None:  # type: ignore[override]
        if isinstance(err[1], KeyboardInterrupt):
            self._runner.interrupted = True
        info = exception_info(err[1])
        if id(test) in self._natives:
            self._set(Outcome.FAILED, first_line(info), info)
            return
        # setUpClass, setUpModule and their teardowns: unittest reports them without a test.
        description = str(test)  # "setUpClass (module.Class)" or "setUpModule (module)"
        inside = description.rpartition(" (")[2].rstrip(")")
        owner = self._owners.get(inside)
        module = owner.module if owner is not None else type(test).__module__
        if owner is not None:  # a module run as __main__ keeps its real name here too
            real = owner.module + inside[len(type(owner.test).__module__):]
            description = description.replace(f"({inside})", f"({real})")
        result = CaseResult(
            id=f"{module}::{description}",
            module=module,
            name=description,
            file=owner.file if owner is not None else "",
            outcome=Outcome.ERROR,
            duration=0.0,
            stages=(StageResult(Stage.SETUP, False, 0.0, info),),
            message=f"error in {description}: {first_line(info)}",
            start=time.time(),
        )
        self.add_case_result(result)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        self._set(Outcome.SKIPPED, reason, None)

    def addExpectedFailure(self, test: unittest.TestCase, err: _ErrInfo) -> None:  # type: ignore[override]
        self._set(Outcome.XFAILED, first_line(exception_info(err[1], explain=False)), None)

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        self._set(Outcome.XPASSED, "unittest.expectedFailure", None)

    def addSubTest(  # type: ignore[override]
        self, test: unittest.TestCase, subtest: unittest.TestCase, err: _ErrInfo | None
    ) -> None:
        if err is not None and err[1] is not None:
            info = exception_info(err[1])
            self._set(Outcome.FAILED, f"{subtest}: {first_line(info)}", info)


def run_module(
    items: list[Item], following: dict[int, Case | None], runner: CaseRunner, listener: Stopping
) -> bool:
    """Run one module's items, some of them native tests, as one suite; True when it stopped
    the run (-x, or an interrupt)."""
    collector = _Collector(runner, listener)
    suite = unittest.TestSuite()
    for item in items:
        if isinstance(item, Case):
            suite.addTest(_CaseAdapter(item, following[id(item)], runner))
        elif isinstance(item, NativeTest):
            collector.expect(item)
            suite.addTest(item.test)
        else:
            suite.addTest(_FailureAdapter(item))
    suite.run(collector)
    return collector.shouldStop
