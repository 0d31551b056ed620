"""The neutral result model: the only thing reports read.

Both engines produce it, so every report is the same whichever engine ran. Everything here
is a frozen dataclass (`record`) or an enum, built once when a case finishes and never changed.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def record(cls: type[T] | None = None, *, eq: bool = True) -> Any:
    """`@record` makes a frozen dataclass: read-only after `__init__`, equal by value (unless
    `eq=False`, then by identity) and hashable, printable, with `dataclasses.replace` and
    `fields` working as on any dataclass.

    Built with fewer generated methods than `@dataclass(frozen=True)`, whose code generation
    is most of what importing this package costs: one `__init__` that fills the instance's
    `__dict__` in one step (a frozen dataclass's sets each field through
    `object.__setattr__`, about three times slower, and a run builds several of these per
    case); and `__setattr__`/`__delattr__` that refuse, `__eq__`, `__hash__` and `__repr__`,
    shared by every record rather than generated for each (a class's own `__repr__` stays).
    """
    if cls is None:
        return lambda cls: record(cls, eq=eq)
    cls = dataclass(init=False, repr=False, eq=False)(cls)
    names: list[str] = []
    parameters: list[str] = []
    defaults: dict[str, Any] = {}
    factories: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        names.append(f.name)
        if f.default is not dataclasses.MISSING:
            defaults[f"_d_{f.name}"] = f.default
            parameters.append(f"{f.name}=_d_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            defaults[f"_f_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=_factory")
            factories.append(f"    if {f.name} is _factory: {f.name} = _f_{f.name}()\n")
        else:
            parameters.append(f.name)
    body = "".join(factories) + "    self.__dict__.update({" + ", ".join(
        f"{name!r}: {name}" for name in names
    ) + "})\n"
    source = f"def __init__(self, {', '.join(parameters)}):\n{body}"
    scope: dict[str, Any] = {"_factory": object(), **defaults}
    exec(source, scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    cls.__setattr__ = _read_only  # type: ignore[method-assign,assignment]
    cls.__delattr__ = _read_only  # type: ignore[method-assign,assignment]
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr  # type: ignore[method-assign,assignment]
    if eq:
        cls.__eq__ = _eq  # type: ignore[method-assign,assignment]
        cls.__hash__ = _hash  # type: ignore[method-assign,assignment]
    return cls


# A record's fields are exactly its instance's __dict__, in field order (see its __init__).


def _read_only(self: object, name: str, *value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _repr(self: object) -> str:
    shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
    return f"{type(self).__qualname__}({shown})"


def _eq(self: object, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return self.__dict__ == other.__dict__


def _hash(self: object) -> int:
    return hash(tuple(self.__dict__.values()))


class Stage(enum.Enum):
    """The three stages a case goes through; aspects wrap each one."""

    SETUP = "setup"
    RUN = "run"
    TEARDOWN = "teardown"

    def __str__(self) -> str:
        return self.value


class Outcome(enum.Enum):
    """What happened to one case, from best to worst for sorting in reports."""

    PASSED = "passed"
    SKIPPED = "skipped"
    XFAILED = "xfailed"  # expected failure that failed: counted as skipped, like JUnit
    XPASSED = "xpassed"  # expected failure that passed: reported, counted as passed
    FAILED = "failed"  # an assertion or exception in the case body
    ERROR = "error"  # setup, teardown, fixture, collection, timeout

    @property
    def counts_as(self) -> str:
        """The summary bucket: passed, failed or skipped (DESIGN.md's summary line)."""
        if self in (Outcome.FAILED, Outcome.ERROR):
            return "failed"
        if self in (Outcome.SKIPPED, Outcome.XFAILED):
            return "skipped"
        return "passed"

    def __str__(self) -> str:
        return self.value


@record
class ExceptionInfo:
    """An exception turned into text, so results can be stored, sent and reported."""

    type_name: str  # qualified name, e.g. "AssertionError" or "mypkg.errors.Boom"
    message: str
    traceback: str  # formatted traceback, already trimmed of runner frames
    explanation: str = ""  # extra lines explaining a failed assert (both sides, a diff)


@record
class StageResult:
    """One stage of a case (setup, call or teardown): whether it passed, how long it took, why not."""

    stage: Stage
    ok: bool
    duration: float
    exception: ExceptionInfo | None = None


# A setup or teardown with nothing to run (most cases have both), one object for every such
# case: a writer that finds it by identity skips looking at its fields.
NOTHING_TO_SET_UP = StageResult(Stage.SETUP, True, 0.0)
NOTHING_TO_TEAR_DOWN = StageResult(Stage.TEARDOWN, True, 0.0)


def passed_alone(stages: tuple[StageResult, ...]) -> StageResult | None:
    """The run stage of a body that passed between the shared nothing-to-set-up and
    nothing-to-tear-down stages (most cases), found by identity; None for any other."""
    if len(stages) == 3 and stages[0] is NOTHING_TO_SET_UP and stages[2] is NOTHING_TO_TEAR_DOWN:
        run = stages[1]
        if run.ok and run.exception is None:
            return run
    return None


@record
class Attempt:
    """One failed attempt of a case that was run again (`retries`): what the case result
    itself says of its last attempt, for an earlier one."""

    outcome: Outcome  # FAILED or ERROR
    message: str
    duration: float  # seconds, all stages of this attempt
    stages: tuple[StageResult, ...] = ()
    stdout: str = ""
    stderr: str = ""
    log: str = ""
    start: float = 0.0  # wall-clock start, seconds since the epoch

    @property
    def exception(self) -> ExceptionInfo | None:
        """The first exception of any stage of this attempt."""
        for stage in self.stages:
            if stage.exception is not None:
                return stage.exception
        return None


@record
class CaseResult:
    """The result of one case: exactly one per case run, whatever went wrong where.

    A case run again after failing (`retries`) has one result, its last attempt's, with
    the failed attempts before it in `attempts`: passed then, it is flaky."""

    id: str  # "module.path::name[param-id]"
    module: str
    name: str  # "name[param-id]"
    outcome: Outcome
    duration: float  # seconds, all stages
    file: str = ""
    line: int = 0
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()  # (parameter name, repr) pairs
    stages: tuple[StageResult, ...] = ()
    stdout: str = ""
    stderr: str = ""
    log: str = ""
    message: str = ""  # one line: why it failed, was skipped or errored
    start: float = 0.0  # wall-clock start, seconds since the epoch
    attempts: tuple[Attempt, ...] = ()  # failed attempts before this one, oldest first
    worker: str = ""  # the process of a parallel run that ran it ("w0", "gw1"); "" when serial

    @property
    def flaky(self) -> bool:
        """Passed after failing: an attempt before the last one failed."""
        return bool(self.attempts) and self.outcome is Outcome.PASSED

    @property
    def exception(self) -> ExceptionInfo | None:
        """The first exception of any stage: the one a report shows first."""
        for stage in self.stages:
            if stage.exception is not None:
                return stage.exception
        return None

    @property
    def failed_stage(self) -> Stage | None:
        for stage in self.stages:
            if not stage.ok:
                return stage.stage
        return None


def error_result(
    id: str,
    module: str,
    name: str,
    info: ExceptionInfo,
    message: str,
    *,
    stage: Stage = Stage.SETUP,
    file: str = "",
    line: int = 0,
    start: float = 0.0,
) -> CaseResult:
    """The result of a case that errored without running its stages through the runner: a
    module that failed to import, a case a dead process never reported, a fixture's end."""
    return CaseResult(
        id=id,
        module=module,
        name=name,
        outcome=Outcome.ERROR,
        duration=0.0,
        file=file,
        line=line,
        stages=(StageResult(stage, False, 0.0, info),),
        message=message,
        start=start,
    )


@record
class Counts:
    """How many cases ended each way."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0  # included in failed
    xfailed: int = 0  # included in skipped
    xpassed: int = 0  # included in passed
    flaky: int = 0  # included in passed: passed after failed attempts

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    def summary_line(self, word: str = "") -> str:
        line = f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"
        return f"{word}: {line}" if word else line


@record
class CoverageSummary:
    """What a run's coverage came to, for reports that show or link it."""

    percent: float
    html_index: str | None = None  # absolute path of the coverage HTML report's index.html
    xml: str | None = None  # absolute path of coverage.xml


@record
class Selection:
    """Which part of the tree a run covered, so a partial report is never taken for a full one.

    `targets` are what the run was pointed at (packages, modules, node ids); `filters` the
    narrowing on top (e.g. "-k 'slow and not db'", "-t fast", "shard 2/3", "-x"). A run is
    partial when it has filters, left collected cases out, or did not run all it selected.
    """

    targets: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    deselected: int = 0  # collected cases the filters left out
    not_run: int = 0  # selected cases that never ran: -x stopped the run, or it was interrupted

    @property
    def partial(self) -> bool:
        return bool(self.filters or self.deselected or self.not_run)

    def describe(self) -> str:
        """One line for a report's header: "" for a full run."""
        parts = list(self.filters)
        if self.deselected:
            parts.append(f"{self.deselected} deselected")
        if self.not_run:
            parts.append(f"{self.not_run} not run")
        return "; ".join(parts)


@record
class RunResult:
    """A whole run: its cases in run order, and what reports say about the run itself."""

    cases: tuple[CaseResult, ...]
    start: float  # seconds since the epoch
    duration: float
    interrupted: bool = False
    backend: str = "unittest"
    command: tuple[str, ...] = field(default_factory=tuple)
    coverage: CoverageSummary | None = None
    selection: Selection = field(default_factory=Selection)
    # Lines a report shows about the run itself: a merge's conflicting results, a run that
    # did not finish. Never a case's result: those are in `cases`.
    notes: tuple[str, ...] = ()

    def counts(self) -> Counts:
        # Tallied by the outcome's value: hashing an Enum member runs Python code, a str not.
        tally = dict.fromkeys(_VALUES, 0)
        flaky = 0
        for case in self.cases:
            tally[case.outcome._value_] += 1
            if case.attempts:
                flaky += case.outcome is Outcome.PASSED
        return Counts(
            passed=tally["passed"] + tally["xpassed"],
            failed=tally["failed"] + tally["error"],
            skipped=tally["skipped"] + tally["xfailed"],
            errors=tally["error"],
            xfailed=tally["xfailed"],
            xpassed=tally["xpassed"],
            flaky=flaky,
        )


_VALUES = tuple(outcome.value for outcome in Outcome)
