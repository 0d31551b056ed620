"""The engine protocol: how a third-party engine plugs into thinking-tests.

An engine is any callable `engine(plan, runner, listener) -> None`, declared by its package
in the entry-point group `thinking_tests.engines`:

    [project.entry-points."thinking_tests.engines"]
    reverse = "my_package.engine:run"

and chosen with `config.backend = "reverse"` in `__test__.py` or `--backend reverse`.

What it gets:

- `plan`: `plan.items`, the selected items in the order selection left them (-k, -t, node
  ids and --shard already applied: run them all); `plan.targets`, what the run collected
  from; `plan.exitfirst`, -x; `plan.keyword`, `plan.tags`, `plan.shard` for information.
- `runner`: `runner.run(case, next_case)` runs one @test case through the project's own
  runner (fixtures, setups and teardowns, aspects, timeouts, output capture) and
  returns its one `CaseResult`; it never raises for what the case did. `next_case` is the
  case that will run after it (None for the last): fixture scopes the next case is outside
  of end after this one. `runner.interrupted` turns true on Ctrl-C, SIGTERM or the run
  timeout.
- `listener`: `listener.started(item)` before an item runs, `listener.finished(result)`
  with each result; the terminal, the journal and every report are fed from these.

What it must do, for each item of `plan.items`:

- a `Case`: `listener.started(case)`, then `listener.finished(runner.run(case, next_case))`;
- an `ImportFailure` (a module that did not import): `listener.finished(import_failure_result(item))`;
- a `NativeTest` (a unittest TestCase test or a load_tests suite's): run it, or report it with
  `listener.finished(not_run_result(item, why))`: never leave an item out;
- stop when `should_stop(result, plan, runner)` says so (Ctrl-C, or -x after a failure).

When the engine returns, fixture scopes it left open end and their teardown errors are
reported; a KeyboardInterrupt out of it stops the run as an interrupt.
"""

from __future__ import annotations

from typing import Protocol

from thinking_tests.case import Case
from thinking_tests.items import ImportFailure, Item, NativeTest, Target
from thinking_tests.engines import GROUP, Listener, Plan, import_failure_result, installed
from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, error_result

__all__ = [
    "GROUP",
    "Case",
    "CaseResult",
    "Engine",
    "ImportFailure",
    "Item",
    "Listener",
    "NativeTest",
    "Outcome",
    "Plan",
    "Runner",
    "Target",
    "import_failure_result",
    "installed",
    "not_run_result",
    "should_stop",
]


class Runner(Protocol):
    """The part of the project's case runner an engine uses."""

    interrupted: bool

    def run(self, case: Case, next_case: Case | None = None) -> CaseResult:
        """Run one case whole; `next_case` is the one to run after it, None for the last."""
        ...


class Engine(Protocol):
    """What the entry point names: runs the plan, telling the listener about every item."""

    def __call__(self, plan: Plan, runner: Runner, listener: Listener) -> None: ...


def should_stop(result: CaseResult, plan: Plan, runner: Runner) -> bool:
    """Whether the run stops after `result`: it was interrupted, or -x and the case failed."""
    return runner.interrupted or (
        plan.exitfirst and result.outcome in (Outcome.FAILED, Outcome.ERROR)
    )


def not_run_result(item: Item, why: str) -> CaseResult:
    """An item this engine does not run, as an error case saying why (never a silent pass)."""
    import time

    info = ExceptionInfo("NotRun", why, "")
    return error_result(
        item.id, item.module, item.name, info, why, file=item.file, line=item.line, start=time.time()
    )
