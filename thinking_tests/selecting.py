"""A run's select phase: which cases it runs, or what pytest is told to select.

Under the unittest engine (and for --list) the cases are collected here and narrowed by node
ids, -k, -t, --shard, --affected, --lf/--ff, run_all()'s predicate and --isolate's ids.
Under the pytest engine pytest collects and selects: what it is told goes on its command
line (-n for pytest-xdist, --reruns for pytest-rerunfailures) and into the plan, which the
plugin reads (the ids --lf and --affected choose). The filters themselves are in `select`.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.collect import collect
from thinking_tests.config import config
from thinking_tests.items import Item
from thinking_tests.registry import REGISTRY
from thinking_tests.select import (
    NothingSelected,
    SelectionError,
    Shard,
    by_node_ids,
    durations_from,
    failed_again,
    failed_in,
    node_ids,
    nothing_matched,
    runnable,
    select,
    unmatched_node,
)

if TYPE_CHECKING:
    from thinking_tests.engines import Plan
    from thinking_tests.options import Options
    from thinking_tests.terminal import Terminal


class Selector:
    """Chooses a run's cases into its `plan`: the items to run (collected here), or what
    pytest is told. Adds to `filters` each narrowing it made that the options do not name
    (--last-failed, --affected's), for the reports; `deselected` counts the cases left out.
    Refuses with SelectionError or NothingSelected, its message one sentence."""

    def __init__(
        self,
        options: Options,
        plan: Plan,
        terminal: Terminal,
        root: Path,
        journal_path: Callable[[], Path | None],
        filters: list[str],
    ) -> None:
        self.options = options
        self.plan = plan
        self.terminal = terminal
        self.root = root
        self.journal_path = journal_path  # the last run's journal, if it has one
        self.filters = filters
        self.deselected = 0

    def choose(self) -> None:
        """What each option asks, in this order: the combinations refused up front, pytest's
        command line, the shard; then pytest told the ids to leave out, or the items
        collected and narrowed here."""
        options, plan = self.options, self.plan
        if options.isolate and config.backend == "pytest" and not options.list_only:
            raise SelectionError(
                "--isolate runs each module in a child process of the unittest engine; under "
                "the pytest engine use pytest-xdist's -n or pytest-forked instead"
            )
        asked = config.workers if options.workers is None else options.workers  # -n over the setting
        if asked and config.backend == "pytest" and not options.list_only:
            from thinking_tests.workers import to_xdist, wanted

            config.pytest_args = to_xdist(wanted(options.workers, config.workers), config.pytest_args)
        if config.retries and config.backend == "pytest" and not options.list_only:
            from thinking_tests.retries import to_rerunfailures

            config.pytest_args = to_rerunfailures(config.retries, config.pytest_args)
        if options.arrange is not None and config.backend == "pytest":
            raise SelectionError(
                "a predicate or sorter given to run_all() or run_current_*() chooses cases on the "
                "unittest engine only; use -k or -t under the pytest engine"
            )
        shard = None
        if options.shard:
            durations = durations_from(options.shard_durations) if options.shard_durations else None
            shard = Shard.parse(options.shard, durations)
            plan.shard, plan.shard_durations = (shard.index, shard.count), shard.durations
        if options.affected and config.backend == "pytest":  # --list too: pytest lists what it would run
            self.affected_to_pytest()
        if (options.last_failed or options.failed_first) and config.backend == "pytest":
            self.failed_to_pytest()
        if options.list_only and config.backend == "pytest":
            from thinking_tests.engines.pytest_engine import listed

            # What pytest would run, collected by pytest with the project's settings.
            plan.items = listed(plan)  # type: ignore[assignment]
        elif config.backend != "pytest" or options.list_only:
            plan.items = self.collected(shard)

    def collected(self, shard: Shard | None) -> list[Item]:
        """The items collected here, narrowed by every option that narrows, in run order."""
        options = self.options
        items = collect(options.targets, REGISTRY).items
        unmatched = unmatched_node(items, options.targets)
        if unmatched:
            raise SelectionError(unmatched)
        chosen = by_node_ids(select(items, options.keyword, options.tags, shard), options.targets)
        if options.affected:
            chosen = self.affected(chosen)
        if options.last_failed or options.failed_first:
            chosen = self.failed_again(chosen)
        if options.arrange is not None:
            chosen = options.arrange(chosen)
        left = runnable(chosen)
        self.deselected = runnable(items) - left
        if self.deselected and not left:
            raise NothingSelected(
                nothing_matched(items, options.keyword, options.tags, options.shard, node_ids(options))
            )
        if options.only_ids:
            from thinking_tests.isolate import read_ids

            wanted = read_ids(options.only_ids)
            chosen = [i for i in chosen if i.id in wanted]
        return chosen

    def failed_again(self, items: list[Item]) -> list[Item]:
        """--last-failed: the items that failed or errored in the last run, by its journal;
        every item, and a line saying why, when none of them did. --failed-first: those
        items first, the rest after, each in its order."""
        failed = failed_in(self.journal_path())
        ordered = failed_again(items, attrgetter("id"), failed or set(), self.options.last_failed)
        if ordered is not None:
            if self.options.last_failed:
                self.filters.append("--last-failed")
            return ordered
        why = "no journal of a last run" if failed is None else "no case of this selection failed in the last run"
        self.terminal.write(f"thinking-tests: --last-failed: {why}; running all {runnable(items)} cases\n")
        return items

    def affected(self, items: list[Item]) -> list[Item]:
        """--affected: the items a change since the last measured run may affect (see
        `affected`); every item, and a line saying why, when that cannot be told."""
        from thinking_tests.affected import for_run

        chosen = for_run(self.root, self.journal_path())
        if chosen.everything is not None:
            self.terminal.write(f"thinking-tests: {chosen.line()}\n")
            return items
        kept = [item for item in items if item.id not in chosen.left_out]
        running, collected = runnable(kept), runnable(items)
        line = chosen.line(running, collected)
        if collected and not running:
            raise NothingSelected(line)
        self.terminal.write(f"thinking-tests: {line}\n")
        self.filters.append(chosen.filter())
        return kept

    def affected_to_pytest(self) -> None:
        """--affected under the pytest engine: the ids to leave out go to the plugin, which
        drops pytest's items of those ids (cases unknown to the record run)."""
        from thinking_tests.affected import for_run

        chosen = for_run(self.root, self.journal_path())
        self.terminal.write(f"thinking-tests: {chosen.line()}\n")
        if chosen.everything is None:
            self.plan.left_out = sorted(chosen.left_out)
            self.filters.append(chosen.filter())

    def failed_to_pytest(self) -> None:
        """--last-failed / --failed-first under the pytest engine: the ids that failed last
        time go to the plugin, which selects or orders pytest's items by them."""
        options, plan = self.options, self.plan
        failed = failed_in(self.journal_path())
        if not failed:
            if options.last_failed:
                why = "no journal of a last run" if failed is None else "nothing failed in the last run"
                self.terminal.write(f"thinking-tests: --last-failed: {why}; running every case\n")
            return
        plan.failed_before, plan.failed_only = sorted(failed), options.last_failed
        if options.last_failed:
            self.filters.append("--last-failed")
