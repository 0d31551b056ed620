"""The cases run in this process and their results as they come: kept, and told to the
terminal and the journal as each case ends."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

from thinking_tests.config import capture_level, config
from thinking_tests.registry import REGISTRY

if TYPE_CHECKING:
    from thinking_tests.coverage_contexts import Contexts
    from thinking_tests.engines import Plan
    from thinking_tests.items import Item
    from thinking_tests.journal import Journal
    from thinking_tests.model import CaseResult
    from thinking_tests.terminal import Terminal


class Results:
    """The Listener that keeps every finished result, and tells the terminal and journal."""

    def __init__(self, terminal: Terminal, journal: "Journal | None" = None) -> None:
        self.cases: list[CaseResult] = []
        self.terminal = terminal
        self.journal = journal

    def started(self, item: Item) -> None:
        if self.journal is not None:
            self.journal.started(item)
        self.terminal.started(item)

    def finished(self, result: CaseResult) -> None:
        self.cases.append(result)
        if self.journal is not None:
            self.journal.finished(result)
        self.terminal.finished(result)


def freeze_once() -> None:
    """Before the first cases run in this process: what is alive now (modules, the collected
    cases, the run's own objects) lives to the end of the run, so it is moved out of the
    garbage collector's reach (gc.freeze) instead of being walked by each full collection
    as results pile up. Nothing a case makes is frozen; only once per process, so that a
    process running several runs never freezes a finished run's garbage."""
    if gc.get_freeze_count() == 0:
        gc.freeze()


class PausedCollector:
    """The garbage collector paused from a run's start until its cases start, then what the
    run made so far frozen (`freeze_once`): importing the test modules, declaring thousands
    of cases and planning them otherwise sets off dozens of collections over everything
    imported so far, several times unittest's whole share. Garbage in reference cycles made
    meanwhile is frozen with the rest; importing test modules makes little (about a thousand
    objects for 5,000 cases)."""

    def __init__(self) -> None:
        self.enabled = gc.isenabled()
        self.paused = True
        gc.disable()

    def resume(self, freeze: bool = True) -> None:
        """Collecting again (as before the pause); `freeze`: what is alive now first."""
        if not self.paused:
            return
        self.paused = False
        if freeze:
            freeze_once()
        if self.enabled:
            gc.enable()


def run_plan(plan: Plan, results: Results) -> bool:
    """The plan's cases run in this process by the configured engine, through one case
    runner with the run's capture; whether the run was interrupted."""
    from thinking_tests.capture import Capture
    from thinking_tests.engines import get_engine
    from thinking_tests.fixtures import Fixtures
    from thinking_tests.runner import CaseRunner

    # pytest captures output itself; two captures would fight over sys.stdout.
    level = capture_level(config.capture)
    wanted = level != "no" and config.backend != "pytest"
    r = config.reports
    capture = Capture(r.max_output, level, r.max_run_output) if wanted else None
    runner = CaseRunner(Fixtures(REGISTRY), config.aspects, capture, config.timeout, config.retries)
    contexts: Contexts | None = None
    # A Coverage may be running (the pytest engine's plugin switches contexts itself).
    if config.coverage.contexts and "coverage" in sys.modules and config.backend != "pytest":
        from thinking_tests.coverage_contexts import switcher

        contexts = runner.switch = switcher()
    engine = get_engine(config.backend)
    terminal_stream = results.terminal.stream
    if capture is not None:
        capture.install()
        results.terminal.stream = capture.stdout  # the real terminal, not the captured fd 1
    # Ctrl-C and SIGTERM are the run's (thinking_tests.interrupts), installed by execute().
    try:
        engine(plan, runner, results)
    finally:
        if contexts is not None:
            contexts.close()  # what runs after the cases belongs to none of them
        if capture is not None:
            capture.uninstall()
            results.terminal.stream = terminal_stream
    return runner.interrupted
