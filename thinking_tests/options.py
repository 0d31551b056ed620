"""What the command line asks of a run (`Options`), and its settings put over the configured ones."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.config import CoverageSettings, ReportSettings, config, validate

if TYPE_CHECKING:
    from collections.abc import Callable

    from thinking_tests.items import Item, Target


@dataclass(repr=False, eq=False)
class Options:
    """What the command line asks of a run."""

    targets: list[Target]
    start: Path = field(default_factory=Path.cwd)  # where the search for __test__.py begins
    keyword: str | None = None
    tags: list[str] = field(default_factory=list)
    exitfirst: bool = False
    last_failed: bool = False  # --lf: only what failed in the last run's journal
    failed_first: bool = False  # --ff: that first
    affected: bool = False  # --affected: only the cases a change since the last run affects
    list_only: bool = False
    verbose: bool = False
    quiet: bool = False
    durations: int | None = None
    backend: str | None = None
    reports: bool | None = None  # --no-reports gives False
    coverage: bool | None = None  # --no-coverage gives False
    report_dir: str | None = None
    shard: str | None = None  # "K/N"
    shard_durations: str | None = None  # a journal of an earlier run, to balance shards
    isolate: bool = False  # each module in a child process
    workers: int | None = None  # -n: modules in this many worker processes (0: none)
    journal: str | None = None  # where the journal goes, whatever the report settings say
    only_ids: str | None = None  # a file of case ids: run exactly these (for --isolate)
    run_timeout: float | None = None  # --run-timeout: seconds for the whole run
    resume: bool = False  # --resume: continue the last run that did not finish
    reruns: int | None = None  # --reruns: times a failed case runs again, over config.retries
    compare: str | None = None  # --compare: a journal to compare this run with, not the last run's
    command: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))
    # Filters and orders the selected items (thinking-tests 0.0.4's predicate and sorter).
    arrange: "Callable[[list[Item]], list[Item]] | None" = None


def apply_overrides(options: Options) -> None:
    """The command line's settings over those of pyproject.toml and __test__.py."""
    if not isinstance(config.reports, ReportSettings) or not isinstance(config.coverage, CoverageSettings):
        validate(config)  # `config.coverage = False`: one sentence, before a flag writes into it
    if options.backend is not None:
        config.backend = options.backend
    if options.reports is False:
        config.reports.enabled = False
    if options.coverage is False:
        config.coverage.enabled = False
    if options.run_timeout is not None:
        config.run_timeout = options.run_timeout
    if options.reruns is not None:
        config.retries = options.reruns
    if options.report_dir is not None:
        # A path typed on the command line means one relative to where it was typed.
        config.reports.directory = os.path.abspath(options.report_dir)
