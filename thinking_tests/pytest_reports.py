"""Our reports under plain `pytest` (`PlainPytestReports`), from the results pytest reports:
registered by the plugin only in a project with settings of ours, so installing
thinking-tests never makes pytest write reports into another project.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


class PlainPytestReports:
    """Under plain `pytest`: the reports of __test__.py, from the results pytest reports.

    In the xdist controller the workers' reports arrive too, and the workers' coverage is
    measured as subprocesses and combined, so one set of reports covers the whole run.
    """

    def __init__(self, config: pytest.Config, coverage: Any = None) -> None:
        import time

        from thinking_tests.config import config as settings
        from thinking_tests.configure import locate
        from thinking_tests.engines.pytest_results import ResultCollector
        from thinking_tests.run_reports import report_root

        config_file, pyproject = locate(Path(config.invocation_params.dir))
        self.root = report_root(config_file or pyproject)
        self.cases: list[Any] = []
        self.collector = ResultCollector(self)
        self.start = time.time()
        self.began = time.perf_counter()
        self.lines: list[str] = []
        # Started before the first conftest.py was imported (pytest_load_initial_conftests).
        self.coverage: Any = coverage
        self.selection = _selection(config)
        self.folder: Any = None  # the report folder, held until the end (report_folder)
        self.unwritten: list[Path] = []
        if settings.reports.enabled:
            self._begin(config)
        from thinking_tests.timeouts import run_limit

        # config.run_timeout: past it the run stops as on Ctrl-C, and the case that was
        # running says why.
        self.limit = run_limit(
            settings.run_timeout,
            lambda text: self.lines.append(text.strip().removeprefix("thinking-tests").lstrip(": ")),
            before=lambda reason: setattr(self.collector, "reason", reason),
        )

    def _begin(self, config: pytest.Config) -> None:
        """Hold the report folder and put failing stand-ins in place of the last reports,
        until this run writes its own (a run that dies leaves them: CI fails)."""
        from thinking_tests.inprogress import ReportFolderBusy, stand_in
        from thinking_tests.report_folder import ReportFolder
        from thinking_tests.run_reports import report_directory

        folder = ReportFolder(self.root, "run without our reports with --no-tt-reports")
        try:
            report_directory(self.root).mkdir(parents=True, exist_ok=True)
            folder.hold()
        except ReportFolderBusy as error:
            if self.coverage is not None:
                self.coverage.discard()
            raise pytest.UsageError(f"thinking-tests: {error}") from None
        except OSError:
            return  # the reports will say they cannot be written, at the end
        self.folder = folder
        command = ("pytest", *config.invocation_params.args)
        run = stand_in(self.start, command, "pytest", self.selection)
        folder.put_stand_ins(run, pytest_junitxml=_pytest_junitxml(config))

    def started(self, item: object) -> None:
        pass

    def finished(self, result: Any) -> None:
        self.cases.append(result)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.collector.pytest_sessionstart(session)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collector.pytest_collection_finish(session)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.collector.pytest_collectreport(report)

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.collector.pytest_runtest_logstart(nodeid, location)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.pytest_runtest_logreport(report)

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        self.collector.pytest_keyboard_interrupt(excinfo)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        import time

        from thinking_tests.config import config as settings
        from thinking_tests.model import RunResult
        from thinking_tests.run_reports import write_reports
        from thinking_tests.select import count_not_run

        self.limit.stop()
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        selection = self.selection
        if interrupted:
            # The case that was running is an error saying so, and the reports count what
            # never ran (a partial run), as under our own engines.
            self.collector.finish_interrupted()
            not_run = count_not_run(self.collector.selected or [], self.cases)
            if not_run:
                from dataclasses import replace

                selection = replace(selection, not_run=not_run)
        summary = None
        if self.coverage is not None:
            self.coverage.stop()
            problem = self.coverage.record(self.cases, self.start)  # for --affected next time
            if problem is not None:
                self.lines.append(problem)
            ok, note, summary = self.coverage.report()
            self.lines.append(note)
            if not ok and session.exitstatus == 0:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        cases, self.cases = self.cases, []  # released once written, not kept to the exit
        run = RunResult(
            cases=tuple(cases),
            start=self.start,
            duration=time.perf_counter() - self.began,
            interrupted=interrupted,
            backend="pytest",
            command=("pytest", *session.config.invocation_params.args),
            coverage=summary,
            selection=selection,
            notes=(self.limit.reason,) if self.limit.fired else (),
        )
        if settings.reports.enabled:
            junitxml = _pytest_junitxml(session.config)
            self.lines.extend(
                write_reports(run, self.root, pytest_junitxml=junitxml, unwritten=self.unwritten)
            )
            if self.unwritten and session.exitstatus == 0:
                session.exitstatus = pytest.ExitCode.USAGE_ERROR
        if self.folder is not None:
            self.folder.let_go()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for line in self.lines:
            terminalreporter.write_line(f"thinking-tests {line}")


def _selection(config: pytest.Config) -> Any:
    """What a plain pytest run was narrowed to, for the reports: -k, -m, --lf."""
    from thinking_tests.model import Selection

    filters: list[str] = []
    if getattr(config.option, "keyword", ""):
        filters.append(f"-k {config.option.keyword!r}")
    if getattr(config.option, "markexpr", ""):
        filters.append(f"-m {config.option.markexpr!r}")
    if getattr(config.option, "lf", False):
        filters.append("--last-failed")
    return Selection(targets=tuple(config.args), filters=tuple(filters))


def _pytest_junitxml(config: pytest.Config) -> Path | None:
    """The file pytest's own `--junitxml` writes, if any: ours never overwrites it."""
    path = getattr(config.option, "xmlpath", None)
    if not path:
        return None
    return Path(config.invocation_params.dir, os.path.expanduser(path)).resolve()
