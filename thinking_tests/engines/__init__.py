"""Engines run a plan and report each finished case as a neutral CaseResult.

An engine is a function `run(plan, runner, listener)`; it stops early when the runner was
interrupted, or at the first failure with `plan.exitfirst`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from thinking_tests.model import CaseResult

if TYPE_CHECKING:
    from thinking_tests.collect import ImportFailure, Item, Target
    from thinking_tests.runner import CaseRunner


class Listener(Protocol):
    def started(self, item: "Item") -> None: ...

    def finished(self, result: CaseResult) -> None: ...


@dataclass(repr=False, eq=False)
class Plan:
    """What to run: the targets and selection, and the collected items when collected here.

    The unittest engine runs `items`; the pytest engine lets pytest import and collect the
    targets itself (so its assertion rewriting and import modes apply) and selects there.
    """

    targets: list["Target"]
    keyword: str | None = None
    tags: list[str] = field(default_factory=list)
    exitfirst: bool = False
    items: list["Item"] | None = None
    # The ids of the cases an engine that collects for itself (pytest) selected, once known:
    # what an interrupted or -x run left unrun is counted against them.
    selected: list[str] | None = None
    shard: tuple[int, int] | None = None  # --shard K/N
    shard_durations: dict[str, float] | None = None


Engine = Callable[[Plan, "CaseRunner", Listener], None]


def get_engine(name: str) -> Engine:
    if name == "pytest":
        from thinking_tests.engines.pytest_engine import run as run_pytest

        return run_pytest
    from thinking_tests.engines.unittest_engine import run as run_unittest

    return run_unittest


def import_failure_result(failure: "ImportFailure") -> CaseResult:
    """A module that failed to import, as the one error case that reports it."""
    import time

    from thinking_tests.model import error_result

    return error_result(
        failure.id, failure.module, failure.name, failure.info, failure.message,
        file=failure.file, line=failure.line, start=time.time(),
    )
