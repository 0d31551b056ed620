"""The one case runner: a case's stages, with fixtures, setups, teardowns and aspects.

Both hosts (the unittest engine and the pytest plugin) call `CaseRunner.run`; neither has a
copy of this logic. The runner turns whatever a case does into exactly one CaseResult.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from time import perf_counter as _perf_counter
from time import time as _time
from typing import TYPE_CHECKING, Any

from thinking_tests.aspects import _current, aspect_name
from thinking_tests.capture import Capture
from thinking_tests.case import Aspect, Case
from thinking_tests.exception_text import (
    error_kind,
    exception_info,
    first_line,
    interrupted_message,
)
from thinking_tests.fixtures import Fixtures
from thinking_tests.model import (
    NOTHING_TO_SET_UP,
    NOTHING_TO_TEAR_DOWN,
    CaseResult,
    Outcome,
    Stage,
    StageResult,
)
from thinking_tests.sandbox import Snapshot, with_note
from thinking_tests.timeouts import CaseTimeout, Deadline, blamed

if TYPE_CHECKING:
    from thinking_tests.coverage_contexts import Contexts

__all__ = ["CaseRunner", "Running"]


class CaseRunner:
    """Runs cases one after another within one run, owning its live fixture values."""

    def __init__(
        self,
        fixtures: Fixtures,
        aspects: Sequence[Aspect] = (),
        capture: Capture | None = None,
        timeout: float | None = None,
        retries: int = 0,
    ) -> None:
        self.fixtures = fixtures
        self.aspects = tuple(aspects)
        self.capture = capture
        self.timeout = timeout
        self.retries = retries  # times a failed case runs again, unless it says its own
        self.interrupted = False
        fixtures.timeout = timeout  # scopes that end outside a case have a limit too
        # The process as the last case's body was put back to, while no code but the
        # runner's has run since: the next body starts from it without a second look.
        self.clean: Snapshot | None = None
        # coverage.py's switch_context when each case runs under its own coverage context
        # (see coverage_contexts); None, and one attribute look-up a stage, without coverage.
        self.switch: Contexts | None = None

    def run(self, case: Case, next_case: Case | None = None) -> CaseResult:
        """Run one case; `next_case` tells which fixture scopes end after it."""
        self.clean = None
        return self.run_next(case, next_case)

    def run_next(self, case: Case, next_case: Case | None = None) -> CaseResult:
        """`run`, for an engine that runs nothing of its own between one case and the next
        (the built-in loop): a case with nothing to set up starts from the state the last
        body was put back to, instead of looking at the process again (two system calls and
        a copy of the environment a case)."""
        clean, self.clean = self.clean, None
        if case.skip is not None:
            return self.skipped(case, next_case)
        if self.retries or case.retries:
            return self.retried(case, next_case)
        if not (
            case.setups or case.teardowns or case.fixture_names or case.aspects or case.timeout
            or self.aspects or self.timeout or self.switch is not None or self.fixtures.live
        ):
            return self._body_alone(case, clean)
        capture = self.capture  # as start() does, in line: this runs once a case
        if capture is not None:
            capture.start_case()
        running = Running(self, case, next_case)
        setup = running.setup()
        if setup.ok:
            running.call(clean if setup is NOTHING_TO_SET_UP else None)
        if running.teardown() is NOTHING_TO_TEAR_DOWN:
            self.clean = running.snapshot
        return running.finish()

    def _body_alone(self, case: Case, clean: Snapshot | None) -> CaseResult:
        """`run_next` for a case that is its body alone, as most are: no fixture, setup,
        teardown, aspect or time limit, no coverage context to switch, and no fixture scope
        left to end. The same stages and result as through `Running`, whose bookkeeping it
        has no use for: setup and teardown have nothing to run, and the body runs once."""
        capture = self.capture
        if capture is not None:
            capture.start_case()
        start, began = _time(), _perf_counter()
        snapshot = clean or Snapshot()
        token = _current.set((case, _RUN))  # current() makes the Current when asked
        body_began = _perf_counter()
        try:
            _call(case)
            run = StageResult(_RUN, True, _perf_counter() - body_began)
        except BaseException as error:
            run = self._failed(_RUN, error, body_began)
        finally:
            _current.reset(token)
            put_back = snapshot.restore()
        self.clean = snapshot
        captured = self.captured(put_back)
        stages = (NOTHING_TO_SET_UP, run, NOTHING_TO_TEAR_DOWN)
        if run.ok and case.xfail is None and not self.interrupted:
            outcome, message = _PASSED, ""
        else:
            outcome, message = self._outcome(case, list(stages))
        return self._result(case, outcome, stages, message, start, began, captured)

    def captured(self, put_back: list[str]) -> tuple[str, str, str]:
        """What the case that ends wrote to stdout and stderr and logged (nothing without a
        capture), its stderr with a line naming what was put back after it: every report
        shows that, and the case's outcome stays its own."""
        captured = self.capture.end_case() if self.capture is not None else ("", "", "")
        if put_back:
            captured = (captured[0], with_note(captured[1], put_back), captured[2])
        return captured

    def retried(self, case: Case, next_case: Case | None = None) -> CaseResult:
        """`run` for a case with retries: the loop in `retry_loop`, which a run without
        retries never imports."""
        from thinking_tests.retry_loop import retried

        return retried(self, case, next_case)

    def start(self, case: Case, next_case: Case | None = None) -> "Running":
        """Begin a case whose stages the caller drives one by one (the pytest host does)."""
        self.clean = None
        if self.capture is not None:
            self.capture.start_case()
        return Running(self, case, next_case)

    def skipped(self, case: Case, next_case: Case | None = None) -> CaseResult:
        start, began = _time(), _perf_counter()
        if self.switch is not None:  # fixture scopes that end here end in its teardown
            self.switch(f"{case.id}|teardown")
            self.switch.ended()
        limit = case.timeout or self.timeout
        ended = tuple(
            StageResult(Stage.TEARDOWN, False, 0.0, exception_info(error))
            for error in self.fixtures.finish(next_case, Deadline(limit) if limit else None)
        )
        return self._result(case, Outcome.SKIPPED, ended, case.skip or "", start, began, ("", "", ""))

    def _stage(
        self,
        stage: Stage,
        case: Case,
        aspects: tuple[Aspect, ...],
        body: Callable[[], None],
        errors: dict[Stage, BaseException],
        limit: Deadline | None = None,
        allowed: float | None = None,
    ) -> StageResult:
        __tracebackhide__ = True  # pytest shows the user's frames, not the runner's
        switch = self.switch
        if switch is not None:
            switch(f"{case.id}|{stage.value}")
        token = _current.set((case, stage))  # current() makes the Current when asked
        began = _perf_counter()  # bound at import: a case may leave time's functions mocked
        try:
            if limit is not None:  # the timed path: nothing of it runs without a timeout
                try:
                    limit.arm(allowed)
                    self._around(stage, case, aspects, body, limit)
                finally:
                    limit.disarm()  # an alarm landing in this file waits: see timeouts
            elif aspects:
                with ExitStack() as stack:
                    for obj in aspects:
                        stack.enter_context(obj.around(stage, case))
                    body()
            else:
                body()
        except BaseException as error:
            if limit is not None:
                limit.blame(error, f"{stage} of case {case.name}")
                if isinstance(error, CaseTimeout) and stage is not Stage.RUN:
                    errors[stage] = error.as_exception()  # for hosts that re-raise it
            errors.setdefault(stage, error)
            return self._failed(stage, error, began)
        finally:
            _current.reset(token)
            if switch is not None:
                switch.ended()  # the environment as the stage found it (see Contexts)
        return StageResult(stage, True, _perf_counter() - began)

    def _failed(self, stage: Stage, error: BaseException, began: float) -> StageResult:
        """A stage that raised `error`; an interrupt stops the run after this case."""
        kind = error_kind(error)
        if kind == "interrupt":
            self.interrupted = True
        info = exception_info(error, explain=kind == "fail")
        return StageResult(stage, False, _perf_counter() - began, info)

    @staticmethod
    def _around(
        stage: Stage,
        case: Case,
        aspects: tuple[Aspect, ...],
        body: Callable[[], None],
        limit: Deadline,
    ) -> None:
        """The aspects around the body, each blamed by name for a timeout in its own code."""
        __tracebackhide__ = True
        with ExitStack() as stack:
            for obj in aspects:
                what = f"aspect {aspect_name(obj)} around {stage}"
                try:
                    around = obj.around(stage, case)
                except CaseTimeout as error:
                    raise error.blame(what)
                stack.enter_context(blamed(around, what))
            body()

    def _outcome(self, case: Case, stages: list[StageResult]) -> tuple[Outcome, str]:
        # Stages come in order: setup, then run when setup passed, then teardown.
        setup, teardown = stages[0], stages[-1]
        run = stages[1] if len(stages) == 3 else None
        if self.interrupted:
            return Outcome.ERROR, interrupted_message(stages)
        if not setup.ok:
            assert setup.exception is not None
            if setup.exception.type_name in _SKIP_NAMES:
                return Outcome.SKIPPED, setup.exception.message
            if setup.exception.type_name == _TIMEOUT_NAME:  # the message names the stage
                return Outcome.ERROR, setup.exception.message
            return Outcome.ERROR, f"error in setup: {first_line(setup.exception)}"
        assert run is not None
        if not run.ok:
            assert run.exception is not None
            name = run.exception.type_name
            if name in _SKIP_NAMES:
                outcome, message = Outcome.SKIPPED, run.exception.message
            elif name == _TIMEOUT_NAME:
                outcome, message = Outcome.ERROR, run.exception.message
            elif case.xfail is not None or name == "_pytest.outcomes.XFailed":
                outcome = Outcome.XFAILED
                message = case.xfail or run.exception.message
            else:
                outcome, message = Outcome.FAILED, first_line(run.exception)
        elif case.xfail is not None:
            outcome, message = Outcome.XPASSED, case.xfail  # the reason, as for XFAILED
        else:
            outcome, message = Outcome.PASSED, ""
        if not teardown.ok:
            assert teardown.exception is not None
            if outcome is not Outcome.FAILED:
                outcome = Outcome.ERROR
                if teardown.exception.type_name == _TIMEOUT_NAME:
                    message = teardown.exception.message
                else:
                    message = f"error in teardown: {first_line(teardown.exception)}"
            else:
                message += f" (and in teardown: {first_line(teardown.exception)})"
        return outcome, message

    @staticmethod
    def _result(
        case: Case,
        outcome: Outcome,
        stages: tuple[StageResult, ...],
        message: str,
        start: float,
        began: float,
        captured: tuple[str, str, str],
    ) -> CaseResult:
        return CaseResult(
            id=case.id,
            module=case.module,
            name=case.name,
            outcome=outcome,
            duration=_perf_counter() - began,
            file=case.file,
            line=case.line,
            description=case.description,
            tags=case.tags,
            params=_params(case) if case.args else (),
            stages=stages,
            stdout=captured[0],
            stderr=captured[1],
            log=captured[2],
            message=message,
            start=start,
        )


_RUN, _PASSED = Stage.RUN, Outcome.PASSED
# How a skip's type is written in its ExceptionInfo ("Skipped": pytest 9 puts it in builtins).
_SKIP_NAMES = frozenset({"unittest.case.SkipTest", "_pytest.outcomes.Skipped", "Skipped"})
_TIMEOUT_NAME = f"{CaseTimeout.__module__}.CaseTimeout"



def _params(case: Case) -> tuple[tuple[str, str], ...]:
    if not case.args:
        return ()
    code = case.func.__code__
    names = code.co_varnames[: len(case.args)]
    return tuple((name, _short_repr(value)) for name, value in zip(names, case.args))


def _short_repr(value: object, limit: int = 200) -> str:
    try:
        text = repr(value)
    except BaseException as error:
        text = f"<repr() raised {type(error).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _name(func: Callable[..., Any]) -> str:
    return repr(getattr(func, "__qualname__", None) or type(func).__name__)


def _call(case: Case, kwargs: dict[str, Any] | None = None) -> None:
    """The case's function, and the coroutine it returns, if any, run to its end."""
    __tracebackhide__ = True
    result = case.func(*case.args, **kwargs) if kwargs else case.func(*case.args)
    if case.is_async or (result is not None and inspect.iscoroutine(result)):
        # Imported here: a run without coroutine cases never needs it.
        from thinking_tests.coroutines import run_coroutine

        run_coroutine(result)


class Running:
    """One case in progress: setup, call and teardown, each wrapped in the aspects."""

    def __init__(self, runner: CaseRunner, case: Case, next_case: Case | None) -> None:
        self.runner = runner
        self.case = case
        self.next_case = next_case
        self.start = _time()
        self.began = _perf_counter()
        self.aspects = runner.aspects + case.aspects
        self.kwargs: dict[str, Any] = {}
        self.teardowns: list[Callable[[], Any]] = []
        self.stages: list[StageResult] = []
        self.errors: dict[Stage, BaseException] = {}  # for hosts that re-raise them
        self.put_back: list[str] = []  # what the body left changed in the process
        self.snapshot: Snapshot | None = None  # the process as the body found it
        timeout = case.timeout or runner.timeout
        # The case's limit covers all its stages; `left` is what they have not used yet.
        self.limit = Deadline(timeout) if timeout else None
        self.left = timeout

    def _stage(self, stage: Stage, body: Callable[[], None]) -> StageResult:
        limit = self.limit
        if limit is None:
            result = self.runner._stage(stage, self.case, self.aspects, body, self.errors)
        else:
            # After a timeout the teardown still gets a whole limit to clean up in.
            allowed = limit.seconds if limit.fired and stage is Stage.TEARDOWN else self.left
            result = self.runner._stage(
                stage, self.case, self.aspects, body, self.errors, limit, allowed
            )
            self.left = max((self.left or 0.0) - result.duration, 0.01)
        self.stages.append(result)
        return result

    def _nothing(self, result: StageResult) -> StageResult:
        """A stage with nothing to run (no aspect, setup, fixture or teardown): recorded as
        taking no time, without the cost of running an empty one (most cases have two)."""
        self.stages.append(result)
        return result

    def setup(self) -> StageResult:
        case = self.case
        if not (self.aspects or case.setups or case.teardowns or case.fixture_names):
            return self._nothing(NOTHING_TO_SET_UP)

        def do_setup() -> None:
            self.kwargs.update(self.runner.fixtures.resolve(self.case))
            for func in self.case.setups:
                try:
                    func()
                except CaseTimeout as error:
                    raise error.blame(f"setup {_name(func)}")
            # Like unittest's tearDown: the teardowns run only when every setup did.
            self.teardowns.extend(self.case.teardowns)

        return self._stage(Stage.SETUP, do_setup)

    def call(self, clean: Snapshot | None = None) -> StageResult:
        """The body; `clean`: the process as it is known to be now, if it is."""
        case = self.case
        kwargs = self.kwargs

        def do_run() -> None:
            __tracebackhide__ = True
            try:
                _call(case, kwargs)
            except CaseTimeout as error:
                raise error.blame(f"case {case.name}")

        # What the body changes in the process (cwd, sys.path, environment, root logger) is
        # put back after it; what fixtures and setups changed stays until their teardown.
        snapshot = self.snapshot = clean or Snapshot()
        try:
            return self._stage(Stage.RUN, do_run)
        finally:
            self.put_back = snapshot.restore()

    def teardown(self) -> StageResult:
        if not (self.aspects or self.teardowns or self.runner.fixtures.live):
            return self._nothing(NOTHING_TO_TEAR_DOWN)

        def do_teardown() -> None:
            errors: list[BaseException] = []
            limit = self.limit
            for func in self.teardowns:
                try:
                    func()
                except KeyboardInterrupt:
                    raise
                except BaseException as error:
                    errors.append(error)
                    if isinstance(error, CaseTimeout) and limit is not None:
                        error.blame(f"teardown {_name(func)}")
                        limit.restart()  # the rest still cleans up, with time of its own
            errors.extend(self.runner.fixtures.finish(self.next_case, limit))
            if errors:
                raise errors[0]

        return self._stage(Stage.TEARDOWN, do_teardown)

    def finish(self) -> CaseResult:
        runner = self.runner
        captured = runner.captured(self.put_back)
        outcome, message = runner._outcome(self.case, self.stages)
        return runner._result(
            self.case, outcome, tuple(self.stages), message, self.start, self.began, captured
        )
