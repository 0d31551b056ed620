"""One run, start to end: configure, collect, select, run on an engine, report, exit code.

Exit codes follow pytest's: 0 all passed, 1 some failed (or coverage under its threshold),
2 interrupted, 3 internal error, 4 usage or configuration error, 5 no tests collected.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from time import perf_counter as _perf_counter  # bound at import: a case may mock time's
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.items import Target
from thinking_tests.config import ConfigError, config, validate
from thinking_tests.configure import (
    load_config_file,
    load_pyproject,
    locate,
    turns_coverage_off,
)
from thinking_tests.engines import Plan
from thinking_tests.exits import INTERNAL_ERROR, INTERRUPTED, NO_TESTS, OK, USAGE_ERROR, exit_code
from thinking_tests.inprogress import ReportFolderBusy, stand_in
from thinking_tests.model import RunResult, Selection
from thinking_tests.paths import reason
from thinking_tests.report_folder import ReportFolder
from thinking_tests.run_reports import (
    check_report_directory,
    coverage_reports,
    report_directory,
    report_root,
    shown_path,
    write_reports,
)
from thinking_tests.select import (
    NothingSelected,
    SelectionError,
    filters_of,
    parse_keyword,
    unrun,
)
from thinking_tests.selecting import Selector
from thinking_tests.options import Options, apply_overrides
from thinking_tests.results import PausedCollector, Results, run_plan
from thinking_tests.terminal import Terminal
from thinking_tests.usage import UsageError

if TYPE_CHECKING:
    from thinking_tests.compare import Previous
    from thinking_tests.coverage_run import CoverageRun
    from thinking_tests.interrupts import Interrupts
    from thinking_tests.journal import Journal
    from thinking_tests.resume import Resume


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


def start_coverage(root: Path, targets: Sequence[Target] = ()) -> CoverageRun | None:
    """Coverage started as configured (`coverage_run`, imported only when it is on)."""
    if not config.coverage.enabled:
        return None
    from thinking_tests.coverage_run import start_coverage

    return start_coverage(root, targets)


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
        self.folder: ReportFolder | None = None  # held, with stand-ins, until the run's end
        self.journal: Journal | None = None
        self.plan = Plan(options.targets, options.keyword, options.tags, options.exitfirst)
        self.deselected = 0
        self.interrupted = False  # set from the moment a signal stops the run
        self.why: tuple[str, ...] = ()  # notes on why the run stopped, when not a person
        self.filters: list[str] = []  # narrowing found while selecting (--last-failed)
        self.resumed: Resume | None = None  # --resume: the run it continues
        self.compared: Previous | None = None  # --compare: the run to compare with
        self.previous_journal: Path | None = None  # the last run's journal, kept beside this one's

    def execute(self) -> int:
        self.collector = PausedCollector()  # until the cases run (see run_cases)
        try:
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
        finally:
            self.collector.resume(freeze=False)  # a run that ended before its cases ran

    def configure(self) -> None:
        """Settings from pyproject.toml, then coverage started, then __test__.py (so what it
        imports is measured), then the command line over both."""
        options = self.options
        self.config_file, pyproject = locate(options.start)
        self.root = report_root(self.config_file or pyproject)
        load_pyproject(pyproject)
        apply_overrides(options)
        # The folder this run may create before __test__.py says where reports go: a refused
        # run removes it again, and only it (never a folder __test__.py names that was there).
        first_directory = report_directory(self.root)
        self.made_folder = None if first_directory.exists() else first_directory
        self.coverage_settings: tuple[object, ...] | None = None
        if not options.list_only:
            validate(config)
            if not turns_coverage_off(self.config_file):
                check_report_directory(self.root)
                self.coverage = start_coverage(self.root, options.targets)
            self.coverage_settings = config.coverage_key()
        try:
            load_config_file(self.config_file)
            apply_overrides(options)
            validate(config)
            if not options.list_only:
                check_report_directory(self.root)
        except BaseException:
            self.leave_nothing()
            raise

    def hold_report_folder(self) -> None:
        """One run at a time writes a report folder."""
        if self.options.list_only or not config.reports.enabled:
            return
        folder = ReportFolder(self.root)
        try:
            folder.hold()
        except ReportFolderBusy as error:
            if self.coverage is not None:
                self.coverage.discard()
            raise UsageError(str(error)) from None
        self.folder = folder

    def settle_coverage(self) -> None:
        """Coverage started again when __test__.py changed what to measure, and the folder
        made for it removed when __test__.py moved the reports elsewhere."""
        if not self.options.list_only and config.coverage_key() != self.coverage_settings:
            if self.coverage is not None:
                self.coverage.discard(keep_data=self.options.resume or self.options.affected)
            self.coverage = start_coverage(self.root, self.options.targets)
        made = self.made_folder
        if made is not None and report_directory(self.root) != made:
            try:
                made.rmdir()
            except OSError:
                pass

    def select(self) -> int | None:
        """The cases to run, collected here (the unittest engine, --list) or left to pytest
        (see `selecting`); the exit code of a run that stops here (nothing selected), or None."""
        from thinking_tests.journal import JournalError

        options, plan = self.options, self.plan
        self.start = time.time()
        self.began = time.perf_counter()
        selector = Selector(options, plan, self.terminal, self.root, self.journal_path, self.filters)
        try:
            if options.keyword:
                parse_keyword(options.keyword)  # a bad expression stops every engine up front
            if options.compare is not None:
                from thinking_tests.compare import read_compared

                self.compared = read_compared(Path(options.compare))
            if options.resume:
                from thinking_tests.resume import Resume

                self.resumed = Resume.read(self)
                if self.resumed.finished:
                    return self.resumed.finished_run(self)
            selector.choose()
            if self.resumed is not None:  # only ever a unittest run, which collected its items
                plan.items = self.resumed.remaining(self, plan.items or [])
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
        self.deselected = selector.deselected
        return None

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
            filters=(*filters_of(options), *self.filters),
            deselected=self.deselected,
        )
        items = plan.items or []
        self.terminal.header(len(items) if plan.items is not None else None, config.backend, shown_path(self.config_file))
        journal_path = self.journal_path()
        if self.folder is not None and (plan.items is None or plan.items):
            keep = None
            if plan.items is None:
                from thinking_tests.journal import previous

                # pytest selects and reads its command line: should it select nothing or
                # refuse the command line, the last run's reports come back.
                keep = [journal_path, previous(journal_path)] if journal_path else []  # both, as they were
            stand_ins = stand_in(self.start, options.command, config.backend, self.selection)
            with self.interrupts.deferred():  # never half a stand-in: a signal here stops the run after
                for line in self.folder.put_stand_ins(stand_ins, keep):
                    self.terminal.write(line + "\n")
            self.interrupted = self.interrupted or self.interrupts.pending
        if journal_path is not None:
            from thinking_tests.journal import Journal

            if not options.only_ids:  # a run's own journal, not an --isolate child's
                self.keep_previous(journal_path)
            self.journal = Journal(journal_path, config.backend, options.command)
            if plan.items:
                self.journal.plan(plan.items)
        self.results = Results(self.terminal, self.journal)
        if self.resumed is not None:
            self.resumed.begin(self.journal, self.results)

    def keep_previous(self, journal: Path) -> None:
        """The last run's journal kept beside this run's, to compare with. A resumed run keeps
        the one kept already: the run before the one it continues."""
        from thinking_tests.journal import keep_previous, previous

        if not self.options.resume:
            keep_previous(journal)
        self.previous_journal = previous(journal)

    def run_cases(self) -> None:
        """The cases, by the engine (or in child processes with --isolate), within the run's
        time limit; an interrupt keeps every finished result."""
        from thinking_tests.timeouts import run_limit

        options, plan = self.options, self.plan
        # What the run made so far (the collected cases, the report writers, the journal's
        # plan) lives to its end: frozen before any case runs (see PausedCollector).
        self.collector.resume()
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
                self.interrupted = run_plan(plan, self.results)
        except KeyboardInterrupt:
            self.interrupted = True  # landed between cases: every finished one is kept all the same
        except UsageError:
            # The engine refused its command line before a case ran (pytest: an option it
            # does not know, a node id it cannot find): nothing is left behind.
            if self.journal is not None:
                self.journal.close(0.0, False)
            if self.folder is not None:
                self.folder.put_back()
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
            notes: list[str] = []
            selection, unrun_note = unrun(self.plan, self.results.cases, selection, interrupted, options.exitfirst)
            if unrun_note is not None:  # said in words here; the reports show a partial run
                notes.append(unrun_note)
            if self.journal is not None:  # its end says what the run selected: `report` shows it too
                self.journal.close(duration, interrupted, selection, self.results.cases)
            coverage_ok = True
            measuring = _perf_counter()  # from here: coverage's share of the run's duration
            if coverage is not None:
                try:
                    coverage.stop()  # measuring ends before the reports are written
                except Exception as error:  # its data cannot be saved: said, and the run fails
                    coverage_ok, coverage = False, None
                    notes.append(f"thinking-tests: coverage data could not be saved: {reason(error)}")
            if coverage is not None:  # what each case ran, for --affected next time
                coverage.record_meanwhile(self.results.cases, self.start, notes)
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
            folder = self.folder
            if folder is not None and folder.kept is not None and selection.filters and not run.cases and not interrupted:
                folder.put_back()
                folder.let_go()
                asked = " and ".join(selection.filters)
                terminal.write(f"thinking-tests: {asked} matched no case; the last run's reports are kept\n")
                terminal.write(run.counts().summary_line() + "\n")
                return NO_TESTS
            run, compared = self.compare(run)
            # JUnit XML and HTML first: whatever happens to coverage's reports, these are written.
            unwritten: list[Path] = []
            notes.extend(write_reports(run, self.root, unwritten=unwritten))
        summary = None
        if coverage is not None and not interrupts.pending:
            coverage_ok, summary = coverage_reports(coverage, notes, interrupts)
        if coverage is not None:  # written while coverage.py wrote its HTML pages, or now
            coverage.do_meanwhile()
        if summary is not None and not interrupts.pending:
            # The HTML report shows the coverage total: written again, now that it is known.
            with interrupts.deferred():
                run = replace(run, coverage=summary)
                write_reports(run, self.root, unwritten=unwritten, only=("html",))
        if self.folder is not None:
            self.folder.let_go()
        if interrupts.pending:
            interrupted = True
            notes.append("thinking-tests: interrupted while the reports were written; JUnit XML and HTML are complete")
        # The terminal gives the whole run's duration, coverage's reports included; the
        # reports (written before coverage's) keep the duration of running the cases.
        whole = replace(run, duration=_perf_counter() - self.began)
        spent = _perf_counter() - measuring if coverage is not None else None
        # A run failed by coverage alone must not end on a line that reads like a pass.
        word = "coverage-failed" if not coverage_ok else ""
        terminal.end(whole, options.durations, notes, word=word, coverage_seconds=spent, compared=compared)
        return exit_code(run, interrupted, bool(unwritten), coverage_ok)

    def compare(self, run: RunResult) -> tuple[RunResult, list[str]]:
        """`run` with what changed since the last run (or --compare's), and the terminal's
        lines saying it (see `compare`); `run` and no lines when there is no earlier run."""
        path = self.previous_journal
        if self.compared is None and (path is None or not path.is_file()):
            return run, []
        from thinking_tests.compare import compared_safely

        return compared_safely(run, self.compared or path, self.compared is not None, config.pytest_args)  # type: ignore[arg-type]

    def leave_nothing(self) -> None:
        """What a refused run undoes: coverage's data discarded, the report folder's lock
        released, the report folder removed if this run made it."""
        if self.coverage is not None:
            # --affected that ran nothing keeps the data its record describes.
            self.coverage.discard(keep_data=self.options.resume or self.options.affected)
        if self.folder is not None:
            self.folder.let_go()
        if self.made_folder is not None:
            import shutil  # only a refused run removes a folder

            shutil.rmtree(self.made_folder, ignore_errors=True)
