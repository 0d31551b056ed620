"""The listener of a run that may stop early: after the first failure under -x, or once the
run was interrupted. Shared by the unittest engine and the unittest suites it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thinking_tests.model import CaseResult, Outcome

if TYPE_CHECKING:
    from thinking_tests.engines import Listener
    from thinking_tests.items import Item
    from thinking_tests.runner import CaseRunner


class Stopping:
    """The run's listener, and whether the run must stop: -x after a failure, or Ctrl-C."""

    def __init__(self, listener: Listener, runner: CaseRunner, exitfirst: bool) -> None:
        self.listener = listener
        self.runner = runner
        self.exitfirst = exitfirst
        self.stopped = False

    def started(self, item: Item) -> None:
        self.listener.started(item)

    def finished(self, result: CaseResult) -> None:
        self.listener.finished(result)
        if self.runner.interrupted or (
            self.exitfirst and result.outcome in (Outcome.FAILED, Outcome.ERROR)
        ):
            self.stopped = True
