"""One run, start to end: configure, collect, select, run on an engine, report, exit code.

Exit codes follow pytest's: 0 all passed, 1 some failed (or coverage under its threshold),
2 interrupted, 3 internal error, 4 usage or configuration error, 5 no tests collected.
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
import sys
import time
from collections.abc import Sequence
from time import perf_counter as _perf_counter  # bound at import: a case may mock time's
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.collect import Item, Target, collect
from thinking_tests.config import (
    ConfigError,
    CoverageSettings,
    ReportSettings,
    config,
    validate,
)
from thinking_tests.configure import (
    load_config_file,
    load_pyproject,
    locate,
    turns_coverage_off,
)
from thinking_tests.engines import Plan
from thinking_tests.inprogress import (
    LastReports,
    ReportFolderBusy,
    ReportLock,
    Writer,
    stand_in,
    write_stand_ins,
)
from thinking_tests.model import CaseResult, RunResult, Selection
from thinking_tests.paths import reason, shown
from thinking_tests.registry import REGISTRY
from thinking_tests.terminal import Terminal
from thinking_tests.usage import USAGE_ERROR, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from thinking_tests.coverage_run import CoverageRun
    from thinking_tests.interrupts import Interrupts
    from thinking_tests.journal import Journal
    from thinking_tests.model import CoverageSummary
    from thinking_tests.resume import Resume

OK, FAILED, INTERRUPTED, INTERNAL_ERROR, NO_TESTS = 0, 1, 2, 3, 5  # USAGE_ERROR (4): usage.py


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
    command: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))
    # Filters and orders the selected items (thinking-tests 0.0.4's predicate and sorter).
    arrange: "Callable[[list[Item]], list[Item]] | None" = None


def _apply_overrides(options: Options) -> None:
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


def report_root(config_file: Path | None) -> Path:
    """Relative report paths resolve against the repository root: where __test__.py (or the
    pyproject.toml with the settings) is, else the current directory."""
    return config_file.parent if config_file is not None else Path.cwd()


def _report_directory(root: Path) -> Path:
    directory = Path(config.reports.directory)
    return directory if directory.is_absolute() else root / directory


def _check_report_directory(root: Path) -> None:
    if not config.reports.enabled:
        return
    directory = _report_directory(root)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise ConfigError(
            f"config.reports.directory {str(directory)!r} cannot be created: {reason(error)}"
        ) from None
    if not os.access(directory, os.W_OK):
        raise ConfigError(f"config.reports.directory {str(directory)!r} is not writable")
    _check_report_paths(directory)


def _check_report_paths(directory: Path) -> None:
    """Each report file must be able to be a file (and the coverage HTML pages a folder):
    said before anything runs, not found out after the tests ran."""
    r, c = config.reports, config.coverage
    wanted: list[tuple[str, object, bool]] = [
        ("config.reports.junit_xml", r.junit_xml, False),
        ("config.reports.html", r.html, False),
        ("config.reports.json", r.json, False),
        ("config.reports.journal", r.journal, False),
        *((f"config.reports.plugins[{name!r}]", value, False) for name, value in r.plugins.items()),
    ]
    if c.enabled:
        wanted += [
            ("config.coverage.data_file", c.data_file, False),
            ("config.coverage.xml", c.xml, False),
            ("config.coverage.html", c.html, True),
        ]
    for setting, name, is_folder in wanted:
        if name is None:
            continue
        path = Path(os.path.normpath(directory / os.fspath(name)))  # type: ignore[call-overload]
        if path.is_dir() and not is_folder:
            raise ConfigError(f"{setting} {str(path)!r} is a folder: this report is a file, name another path")
        if path.exists() and is_folder and not path.is_dir():
            raise ConfigError(f"{setting} {str(path)!r} is a file: the coverage HTML pages need a folder there")
        existing = next((parent for parent in path.parents if parent.exists()), None)
        if existing is not None and not existing.is_dir():  # the nearest folder is a file
            raise ConfigError(f"{setting} {str(path)!r} cannot be made: {str(existing)!r} is a file")
    if r.plugins:  # each plug-in imported now: one that cannot be is said before anything runs
        from thinking_tests.reports.plugins import UnknownReport, load

        for name in r.plugins:
            try:
                load(name)
            except UnknownReport as error:
                raise ConfigError(str(error)) from None


class _Results:
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


def execute(options: Options) -> int:
    """Run as the options say and return the exit code; prints the summary line last."""
    terminal = Terminal(verbose=options.verbose, quiet=options.quiet)
    from thinking_tests.interrupts import Interrupts

    # SIGTERM (how CI cancels a job) stops the run as Ctrl-C does, from its first moment.
    interrupts = Interrupts(terminal.write_now)
    interrupts.install()
    try:
        return _Run(options, terminal, interrupts).execute()
    except (ConfigError, UsageError) as error:
        terminal.write(f"thinking-tests: {error}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        terminal.write("thinking-tests: interrupted\n")
        return INTERRUPTED
    except Exception:
        import traceback  # only here: a passing run never formats a traceback

        terminal.write("thinking-tests: internal error, please report it:\n")
        terminal.write(traceback.format_exc())
        return INTERNAL_ERROR
    finally:
        interrupts.restore()


def _coverage_key() -> tuple[object, ...]:
    """The settings that decide what coverage measures and where its data goes."""
    c = config.coverage
    return (c.enabled, c.source, c.branch, c.include, c.omit, c.data_file, config.reports.directory)


def _start_coverage(root: Path, targets: Sequence[Target] = ()) -> "CoverageRun | None":
    """Coverage started as configured; `targets` (what the run collects tests from) are left
    out of the measurement with the other tests under `root` (see coverage_run)."""
    if not config.coverage.enabled:
        return None
    from thinking_tests.coverage_run import CoverageRun

    coverage = CoverageRun(config.coverage, config.reports, root, targets)
    coverage.start()
    return coverage


class _Run:
    """One run, its phases in the order they happen: the settings and coverage, the report
    folder held, the cases collected and selected, stand-in reports and the journal, the
    cases run, and the end (reports, coverage's reports, the summary line, the exit code).

    A run refused before its cases run leaves nothing behind (`leave_nothing`)."""

    def __init__(self, options: Options, terminal: Terminal, interrupts: "Interrupts") -> None:
        self.options = options
        self.terminal = terminal
        self.interrupts = interrupts
        self.coverage: CoverageRun | None = None
        self.lock: ReportLock | None = None
        self.kept: LastReports | None = None  # the last run's reports, while pytest may refuse
        self.journal: Journal | None = None
        self.plan = Plan(options.targets, options.keyword, options.tags, options.exitfirst)
        self.deselected = 0
        self.interrupted = False  # set from the moment a signal stops the run
        self.why: tuple[str, ...] = ()  # notes on why the run stopped, when not a person
        self.filters: list[str] = []  # narrowing found while selecting (--last-failed)
        self.resumed: Resume | None = None  # --resume: the run it continues

    def execute(self) -> int:
        self.configure()
        self.hold_report_folder()
        self.settle_coverage()
        refused = self.select()
        if refused is not None:
            return refused
        if self.options.list_only:
            return self.list_cases()
        self.begin_reports()
        self.run_cases()
        return self.finish()

    def configure(self) -> None:
        """Settings from pyproject.toml, then coverage started, then __test__.py (so what it
        imports is measured), then the command line over both."""
        options = self.options
        self.config_file, pyproject = locate(options.start)
        self.root = report_root(self.config_file or pyproject)
        load_pyproject(pyproject)
        _apply_overrides(options)
        # The folder this run may create before __test__.py says where reports go: a refused
        # run removes it again, and only it (never a folder __test__.py names that was there).
        first_directory = _report_directory(self.root)
        self.made_folder = None if first_directory.exists() else first_directory
        self.coverage_settings: tuple[object, ...] | None = None
        if not options.list_only:
            validate(config)
            if not turns_coverage_off(self.config_file):
                _check_report_directory(self.root)
                self.coverage = _start_coverage(self.root, options.targets)
            self.coverage_settings = _coverage_key()
        try:
            load_config_file(self.config_file)
            _apply_overrides(options)
            validate(config)
            if not options.list_only:
                _check_report_directory(self.root)
        except BaseException:
            self.leave_nothing()
            raise

    def hold_report_folder(self) -> None:
        """One run at a time writes a report folder."""
        if self.options.list_only or not config.reports.enabled:
            return
        self.lock = ReportLock(_report_directory(self.root))
        try:
            self.lock.acquire()
        except ReportFolderBusy as error:
            self.lock = None
            if self.coverage is not None:
                self.coverage.discard()
            raise UsageError(str(error)) from None

    def settle_coverage(self) -> None:
        """Coverage started again when __test__.py changed what to measure, and the folder
        made for it removed when __test__.py moved the reports elsewhere."""
        if not self.options.list_only and _coverage_key() != self.coverage_settings:
            if self.coverage is not None:
                self.coverage.discard(keep_data=self.options.resume)
            self.coverage = _start_coverage(self.root, self.options.targets)
        made = self.made_folder
        if made is not None and _report_directory(self.root) != made:
            try:
                made.rmdir()
            except OSError:
                pass

    def select(self) -> int | None:
        """The cases to run, collected here (the unittest engine, --list) or left to pytest;
        the exit code of a run that stops here (nothing selected), or None."""
        from thinking_tests.journal import JournalError
        from thinking_tests.select import (
            SelectionError,
            Shard,
            durations_from,
            parse_keyword,
            select,
        )

        options, plan = self.options, self.plan
        self.start = time.time()
        self.began = time.perf_counter()
        try:
            if options.keyword:
                parse_keyword(options.keyword)  # a bad expression stops every engine up front
            if options.resume:
                from thinking_tests.resume import Resume

                self.resumed = Resume.read(self)
                if self.resumed.finished:
                    return self.resumed.finished_run(self)
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
            if (options.last_failed or options.failed_first) and config.backend == "pytest":
                self.failed_to_pytest()
            if options.list_only and config.backend == "pytest":
                from thinking_tests.engines.pytest_engine import listed

                # What pytest would run, collected by pytest with the project's settings.
                plan.items = listed(plan)  # type: ignore[assignment]
            elif config.backend != "pytest" or options.list_only:
                items = collect(options.targets, REGISTRY).items
                unmatched = unmatched_node(items, options.targets)
                if unmatched:
                    raise SelectionError(unmatched)
                plan.items = by_node_ids(select(items, options.keyword, options.tags, shard), options.targets)
                if options.last_failed or options.failed_first:
                    plan.items = self.failed_again(plan.items)
                if options.arrange is not None:
                    plan.items = options.arrange(plan.items)
                self.deselected = runnable(items) - runnable(plan.items)
                if self.deselected and not runnable(plan.items):
                    raise NothingSelected(
                        nothing_matched(items, options.keyword, options.tags, options.shard, _node_ids(options))
                    )
                if options.only_ids:
                    from thinking_tests.isolate import read_ids

                    wanted = read_ids(options.only_ids)
                    plan.items = [i for i in plan.items if i.id in wanted]
                if self.resumed is not None:
                    plan.items = self.resumed.remaining(self, plan.items)
        except (SelectionError, JournalError, NothingSelected) as error:
            # A refused run leaves nothing behind, as when __test__.py refuses it: the last
            # run's reports stay as they were.
            self.leave_nothing()
            if isinstance(error, NothingSelected):
                self.terminal.write(f"thinking-tests: {error}\n")
                last = "0 cases selected" if options.list_only else RunResult((), self.start, 0.0).counts().summary_line()
                self.terminal.write(last + "\n")
                return NO_TESTS
            raise UsageError(str(error)) from None
        except KeyboardInterrupt:
            if options.list_only:
                raise
            # Stopped while collecting: nothing ran, and the reports say the run was interrupted.
            self.interrupted = True
            plan.items = []
        return None

    def failed_again(self, items: "list[Item]") -> "list[Item]":
        """--last-failed: the items that failed or errored in the last run, by its journal;
        every item, and a line saying why, when none of them did. --failed-first: those
        items first, the rest after, each in its order."""
        from thinking_tests.select import failed_again

        failed = _failed_in(self.journal_path())
        ordered = failed_again(items, _item_id, failed or set(), self.options.last_failed)
        if ordered is not None:
            if self.options.last_failed:
                self.filters.append("--last-failed")
            return ordered
        why = "no journal of a last run" if failed is None else "no case of this selection failed in the last run"
        self.terminal.write(f"thinking-tests: --last-failed: {why}; running all {runnable(items)} cases\n")
        return items

    def failed_to_pytest(self) -> None:
        """--last-failed / --failed-first under the pytest engine: the ids that failed last
        time go to the plugin, which selects or orders pytest's items by them."""
        options, plan = self.options, self.plan
        failed = _failed_in(self.journal_path())
        if not failed:
            if options.last_failed:
                why = "no journal of a last run" if failed is None else "nothing failed in the last run"
                self.terminal.write(f"thinking-tests: --last-failed: {why}; running every case\n")
            return
        plan.failed_before, plan.failed_only = sorted(failed), options.last_failed
        if options.last_failed:
            self.filters.append("--last-failed")

    def journal_path(self) -> Path | None:
        options = self.options
        return Path(options.journal) if options.journal else config.reports.path(config.reports.journal, self.root)

    def list_cases(self) -> int:
        items = self.plan.items or []
        for item in items:
            self.terminal.write(f"{item.id}\n")
        self.terminal.write(f"{len(items)} case{'s' if len(items) != 1 else ''} selected\n")
        return OK if items else NO_TESTS

    def begin_reports(self) -> None:
        """The header; stand-ins on the report paths until the run writes its own (a run that
        dies leaves them, failing); the journal, which records each case as it ends."""
        options, plan = self.options, self.plan
        self.selection = Selection(
            targets=tuple(target.name for target in options.targets),
            filters=(*_filters(options), *self.filters),
            deselected=self.deselected,
        )
        items = plan.items or []
        self.terminal.header(len(items) if plan.items is not None else None, config.backend, _shown(self.config_file))
        journal_path = self.journal_path()
        if self.lock is not None and (plan.items is None or plan.items):
            writers = [(path, write) for _, path, write in _report_writers(self.root)]
            if plan.items is None:
                # pytest selects and reads its command line: should it select nothing or
                # refuse the command line, the last run's reports come back.
                self.kept = LastReports([path for path, _ in writers] + [p for p in [journal_path] if p])
            stand_ins = stand_in(self.start, options.command, config.backend, self.selection)
            with self.interrupts.deferred():  # never half a stand-in: a signal here stops the run after
                for problem in write_stand_ins(stand_ins, writers):
                    self.terminal.write(f"thinking-tests: could not replace the last run's report {problem}\n")
            self.interrupted = self.interrupted or self.interrupts.pending
        if journal_path is not None:
            from thinking_tests.journal import Journal

            self.journal = Journal(journal_path, config.backend, options.command)
            if plan.items:
                self.journal.plan(plan.items)
        self.results = _Results(self.terminal, self.journal)
        if self.resumed is not None:
            self.resumed.begin(self.journal, self.results)

    def run_cases(self) -> None:
        """The cases, by the engine (or in child processes with --isolate), within the run's
        time limit; an interrupt keeps every finished result."""
        from thinking_tests.timeouts import run_limit

        options, plan = self.options, self.plan
        # Past it the run stops as on Ctrl-C. An --isolate child (given --only-ids) has none
        # of its own: its parent's limit covers it, and stops it through the parent.
        limit = run_limit(
            None if options.only_ids else config.run_timeout,
            self.terminal.write,
            before=lambda reason: setattr(self.interrupts, "reason", reason),
        )
        try:
            if self.interrupted:
                pass
            elif (config.workers if options.workers is None else options.workers) and plan.items:
                from thinking_tests.workers import run_workers, wanted

                workers = wanted(options.workers, config.workers)
                self.interrupted = run_workers(plan.items, self.results, options, workers)
            elif options.isolate and plan.items:
                from thinking_tests.isolate import run_isolated

                self.interrupted = run_isolated(plan.items, self.results, options)
            elif plan.items is None or plan.items:
                _freeze_once()
                self.interrupted = _run_plan(plan, self.results)
        except KeyboardInterrupt:
            self.interrupted = True  # landed between cases: every finished one is kept all the same
        except UsageError:
            # The engine refused its command line before a case ran (pytest: an option it
            # does not know, a node id it cannot find): nothing is left behind.
            if self.journal is not None:
                self.journal.close(0.0, False)
            if self.kept is not None:
                self.kept.restore()
            self.leave_nothing()
            raise
        finally:
            limit.stop()
        # The reports say why the run stopped when it was the run timeout, not a person.
        self.why = (limit.reason,) if limit.fired else ()

    def finish(self) -> int:
        """The journal closed, JUnit XML and HTML written, then coverage's reports (whose
        failure, or an interrupt while they are written, costs no other report); the summary
        line last; the exit code."""
        options, terminal, interrupts = self.options, self.terminal, self.interrupts
        interrupted, coverage, selection = self.interrupted, self.coverage, self.selection
        with interrupts.deferred():  # the JUnit XML and HTML are written whole: a signal waits
            duration = _perf_counter() - self.began
            if self.journal is not None:
                self.journal.close(duration, interrupted)
            notes: list[str] = []
            # A failing setUpClass reports one error for its class's tests, which never start:
            # only -x and an interrupt leave selected cases unrun.
            selected = _selected_ids(self.plan)
            not_run = count_not_run(selected, self.results.cases) if interrupted or options.exitfirst else 0
            if not_run:
                why = "interrupted" if interrupted else "stopped at the first failure (-x)"
                # The terminal says it in words; the reports show it as the selection (partial run).
                notes.append(f"{why}: {not_run} of {len(selected)} selected cases did not run")
                filters = selection.filters if interrupted else (*selection.filters, "-x")
                selection = Selection(selection.targets, filters, selection.deselected, not_run)
            coverage_ok = True
            measuring = _perf_counter()  # from here: coverage's share of the run's duration
            if coverage is not None:
                try:
                    coverage.stop()  # measuring ends before the reports are written
                except Exception as error:  # its data cannot be saved: said, and the run fails
                    coverage_ok, coverage = False, None
                    notes.append(f"thinking-tests: coverage data could not be saved: {reason(error)}")
            run = RunResult(
                cases=tuple(self.results.cases),
                start=self.start,
                duration=duration,
                interrupted=interrupted,
                backend=config.backend,
                command=options.command,
                selection=selection,
                notes=self.why,
            )
            if self.resumed is not None:  # the whole run, the earlier parts' results kept
                run = self.resumed.whole(run)
                notes.extend(self.resumed.finish(coverage))
            if self.kept is not None and selection.filters and not run.cases and not interrupted:
                self.kept.restore()
                if self.lock is not None:
                    self.lock.release()
                asked = " and ".join(selection.filters)
                terminal.write(f"thinking-tests: {asked} matched no case; the last run's reports are kept\n")
                terminal.write(run.counts().summary_line() + "\n")
                return NO_TESTS
            # JUnit XML and HTML first: whatever happens to coverage's reports, these are written.
            unwritten: list[Path] = []
            notes.extend(write_reports(run, self.root, unwritten=unwritten))
        if coverage is not None and not interrupts.pending:
            coverage_ok, summary = _coverage_reports(coverage, notes, interrupts)
            if summary is not None and not interrupts.pending:
                # The HTML report shows the coverage total: written again, now that it is known.
                with interrupts.deferred():
                    run = replace(run, coverage=summary)
                    write_reports(run, self.root, unwritten=unwritten, only=("html",))
        if self.lock is not None:
            self.lock.release()
        if interrupts.pending:
            interrupted = True
            notes.append("thinking-tests: interrupted while the reports were written; JUnit XML and HTML are complete")
        # The terminal gives the whole run's duration, coverage's reports included; the
        # reports (written before coverage's) keep the duration of running the cases.
        whole = replace(run, duration=_perf_counter() - self.began)
        spent = _perf_counter() - measuring if coverage is not None else None
        # A run failed by coverage alone must not end on a line that reads like a pass.
        word = "coverage-failed" if not coverage_ok else ""
        terminal.end(whole, options.durations, notes, word=word, coverage_seconds=spent)
        if interrupted:
            return INTERRUPTED
        if not run.cases:
            return NO_TESTS
        if run.counts().failed:
            return FAILED
        if unwritten:
            return USAGE_ERROR  # a report path that cannot be written is a configuration error
        return OK if coverage_ok else FAILED

    def leave_nothing(self) -> None:
        """What a refused run undoes: coverage's data discarded, the report folder's lock
        released, the report folder removed if this run made it."""
        if self.coverage is not None:
            self.coverage.discard(keep_data=self.options.resume)
        if self.lock is not None:
            self.lock.release()
        if self.made_folder is not None:
            import shutil  # only a refused run removes a folder

            shutil.rmtree(self.made_folder, ignore_errors=True)


def _freeze_once() -> None:
    """Before the first cases run in this process: what is alive now (modules, the collected
    cases, the run's own objects) lives to the end of the run, so it is moved out of the
    garbage collector's reach (gc.freeze) instead of being walked by each full collection
    as results pile up. Nothing a case makes is frozen; only once per process, so that a
    process running several runs never freezes a finished run's garbage."""
    if gc.get_freeze_count() == 0:
        gc.freeze()


def _coverage_reports(
    coverage: "CoverageRun", notes: list[str], interrupts: "Interrupts"
) -> "tuple[bool, CoverageSummary | None]":
    """Coverage's own reports, after the others: a failure is a line naming it and a failing
    run, never an internal error; an interrupt while they are written stops only them."""
    try:
        coverage_ok, note, summary = coverage.report()
    except KeyboardInterrupt:
        interrupts.pending = True  # the run ends as interrupted, its other reports complete
        notes.append("coverage: interrupted while its reports were written")
        return True, None
    except Exception as error:
        notes.append(f"coverage: could not write its reports: {reason(error)}")
        return False, None
    notes.append(note)
    return coverage_ok, summary


class NothingSelected(Exception):
    """-k, -t or a shard left none of the collected cases: exit 5, the last reports kept."""


def runnable(items: "list[Item] | None") -> int:
    """How many of `items` are cases (a module that failed to import is not one)."""
    from thinking_tests.collect import ImportFailure

    return sum(1 for item in items or () if not isinstance(item, ImportFailure))


def by_node_ids(items: "list[Item]", targets: list[Target]) -> "list[Item]":
    """The items a node-id target names, and every item of the other targets' modules."""
    nodes = [t for t in targets if t.node]
    if not nodes:
        return items
    from thinking_tests.collect import ImportFailure

    named = {t.name for t in nodes}
    whole = [t for t in targets if not t.node]
    return [
        item
        for item in items
        if isinstance(item, ImportFailure)
        or any(t.selects(item.module, item.name) for t in nodes)
        or (item.module not in named or any(t.covers(item.module, item.file) for t in whole))
    ]


def unmatched_node(items: "list[Item]", targets: list[Target]) -> str:
    """One sentence for the first node-id target that names no case of its module ("" when
    each names one), as pytest refuses a node id it cannot find. A module that failed to
    import is not asked: its error case says why."""
    from thinking_tests.collect import ImportFailure

    for target in targets:
        if not target.node:
            continue
        own = [item for item in items if item.module == target.name]
        if any(isinstance(item, ImportFailure) for item in own):
            continue
        names = [item.name for item in own]
        if any(target.selects(target.name, name) for name in names):
            continue
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        return (
            f"node id '{target.name}::{target.node}' names no case of {target.name} "
            f"({f'its cases: {shown}' if names else 'it has none'})"
        )
    return ""


def nothing_matched(
    items: "list[Item]", keyword: str | None, tags: list[str], shard: str | None, nodes: tuple[str, ...] = ()
) -> str:
    """One sentence: which selection matched none of how many collected cases."""
    asked = [f"node id {node!r}" for node in nodes]
    if keyword:
        asked.append(f"-k {keyword!r}")
    if tags:
        known = sorted({tag for item in items for tag in getattr(item, "tags", ())})
        shown = ", ".join(known) if known else "none"
        asked.append(f"-t {' -t '.join(tags)} (tags in use: {shown})")
    if shard:
        asked.append(f"--shard {shard}")
    count = runnable(items)
    return (
        f"{' and '.join(asked) or 'the selection'} matched none of the {count} collected "
        f"case{'s' if count != 1 else ''} ({count} deselected); the last run's reports are kept"
    )


def _filters(options: Options) -> tuple[str, ...]:
    """The selection on top of the targets, as a reader of a report would want it told."""
    import shlex

    filters: list[str] = [f"node id {node}" for node in _node_ids(options)]
    if len(options.targets) == 1 and options.targets[0].kind == "module" and not filters:
        filters.append(f"one module: {options.targets[0].name}")
    if options.keyword:
        filters.append(f"-k {shlex.quote(options.keyword)}")
    filters.extend(f"-t {shlex.quote(tag)}" for tag in options.tags)
    if options.shard:
        filters.append(f"shard {options.shard}")
    return tuple(filters)


def _node_ids(options: Options) -> tuple[str, ...]:
    return tuple(f"{t.name}::{t.node}" for t in options.targets if t.node)


def _item_id(item: Item) -> str:
    return item.id


def _failed_in(journal: Path | None) -> set[str] | None:
    """The ids of the cases a journal records as failed or errored; None without a readable
    journal there."""
    from thinking_tests.journal import JournalError, read
    from thinking_tests.model import Outcome

    if journal is None or not journal.is_file():
        return None
    try:
        run = read(journal)
    except JournalError:
        return None
    return {case.id for case in run.cases if case.outcome in (Outcome.FAILED, Outcome.ERROR)}


def _selected_ids(plan: Plan) -> list[str]:
    """The ids of the selected cases: the items collected here, or those the engine selected
    itself (pytest); none when neither is known."""
    if plan.items is not None:
        from thinking_tests.collect import ImportFailure

        return [item.id for item in plan.items if not isinstance(item, ImportFailure)]
    return list(plan.selected or ())


def count_not_run(selected: list[str], finished: list[CaseResult]) -> int:
    """Selected cases that have no result: the run stopped (-x) or was interrupted first."""
    done = {case.id for case in finished}
    return sum(1 for identifier in selected if identifier not in done)


def _run_plan(plan: Plan, results: _Results) -> bool:
    from thinking_tests.capture import Capture
    from thinking_tests.engines import get_engine
    from thinking_tests.fixtures import Fixtures
    from thinking_tests.runner import CaseRunner

    from thinking_tests.config import capture_level

    # pytest captures output itself; two captures would fight over sys.stdout.
    level = capture_level(config.capture)
    wanted = level != "no" and config.backend != "pytest"
    r = config.reports
    capture = Capture(r.max_output, level, r.max_run_output) if wanted else None
    runner = CaseRunner(Fixtures(REGISTRY), config.aspects, capture, config.timeout, config.retries)
    engine = get_engine(config.backend)
    terminal_stream = results.terminal.stream
    if capture is not None:
        capture.install()
        results.terminal.stream = capture.stdout  # the real terminal, not the captured fd 1
    # Ctrl-C and SIGTERM are the run's (thinking_tests.interrupts), installed by execute().
    try:
        engine(plan, runner, results)
    finally:
        if capture is not None:
            capture.uninstall()
            results.terminal.stream = terminal_stream
    return runner.interrupted


def _report_writers(root: Path) -> list[tuple[str, Path, Writer]]:
    """(setting or plug-in name, path, write(run, path)) of every report that is on: the
    built-in ones (thinking_tests.reports.BUILT_IN), then those of config.reports.plugins."""
    from thinking_tests.reports import BUILT_IN

    writers: list[tuple[str, Path, Writer]] = []
    limit = config.reports.max_output
    for setting, module_name in BUILT_IN.items():
        path = config.reports.path(getattr(config.reports, setting), root)
        if path is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        writers.append((setting, path, functools.partial(module.write, max_output=limit)))
    if config.reports.plugins:
        from thinking_tests.reports.plugins import plugin_writer

        for name, value in config.reports.plugins.items():
            path = config.reports.path(value, root)
            if path is not None:
                writers.append((name, path, plugin_writer(name, limit)))
    return writers


def rebuild_reports(run: RunResult, root: Path, terminal: Terminal) -> int:
    """Write the reports of a run read back from journals, print its end, give its exit code."""
    unwritten: list[Path] = []
    lines = write_reports(run, root, unwritten=unwritten)
    terminal.end(run, None, lines)
    if run.counts().failed:
        return FAILED
    if run.interrupted:
        return INTERRUPTED
    if unwritten:
        return USAGE_ERROR
    return OK if run.cases else NO_TESTS


def write_reports(
    run: RunResult,
    root: Path,
    pytest_junitxml: Path | None = None,
    unwritten: list[Path] | None = None,
    only: tuple[str, ...] | None = None,
) -> list[str]:
    """Write every report that is on; return one line per report for the terminal.

    A report whose path is the file pytest's own `--junitxml` writes is left to pytest.
    The path of each report that could not be written is added to `unwritten`."""
    lines: list[str] = []
    for setting, path, write in _report_writers(root):
        if only is not None and setting not in only:
            continue
        label = setting.replace("_", " ")
        if pytest_junitxml is not None and path.resolve() == pytest_junitxml:
            lines.append(f"{label} report: {_shown(path)} is pytest's --junitxml, left to it")
            continue
        try:
            write(run, path)
        except (OSError, ValueError) as error:
            lines.append(f"thinking-tests: could not write the {label} report {path}: {reason(error)}")
            if unwritten is not None:
                unwritten.append(path)
            continue
        lines.append(f"{label} report: {_shown(path)}")
    return lines


def _shown(path: Path | None) -> str | None:
    return None if path is None else shown(path)
