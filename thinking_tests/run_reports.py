"""A run's report files: where they go (checked before anything runs), how each is written at
the end (JUnit XML, HTML, CTRF and plug-ins, then coverage's own), and a run read back from
journals written again (`report`, `merge`)."""

from __future__ import annotations

import functools
import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.config import ConfigError, config
from thinking_tests.exits import FAILED, INTERRUPTED, NO_TESTS, OK, USAGE_ERROR
from thinking_tests.inprogress import Writer
from thinking_tests.model import RunResult
from thinking_tests.paths import reason, shown

if TYPE_CHECKING:
    from thinking_tests.coverage_run import CoverageRun
    from thinking_tests.interrupts import Interrupts
    from thinking_tests.model import CoverageSummary
    from thinking_tests.terminal import Terminal


def report_root(config_file: Path | None) -> Path:
    """Relative report paths resolve against the repository root: where __test__.py (or the
    pyproject.toml with the settings) is, else the current directory."""
    return config_file.parent if config_file is not None else Path.cwd()


def report_directory(root: Path) -> Path:
    """The folder of the reports: config.reports.directory, relative to `root`."""
    return config.reports.folder(root)


def check_report_directory(root: Path) -> None:
    """The report folder can be made and written, and each report can be written where it
    goes: said before anything runs (a ConfigError), not found out after the tests ran."""
    if not config.reports.enabled:
        return
    directory = report_directory(root)
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


def report_writers(root: Path) -> list[tuple[str, Path, Writer]]:
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


def rebuild_reports(run: RunResult, root: Path, terminal: Terminal, compared: list[str] | None = None) -> int:
    """Write the reports of a run read back from journals, print its end (with `compared`,
    what changed since an earlier run), give its exit code."""
    unwritten: list[Path] = []
    lines = write_reports(run, root, unwritten=unwritten)
    terminal.end(run, None, lines, compared=compared or ())
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
    for setting, path, write in report_writers(root):
        if only is not None and setting not in only:
            continue
        label = setting.replace("_", " ")
        if pytest_junitxml is not None and path.resolve() == pytest_junitxml:
            lines.append(f"{label} report: {shown_path(path)} is pytest's --junitxml, left to it")
            continue
        try:
            write(run, path)
        except (OSError, ValueError) as error:
            lines.append(f"thinking-tests: could not write the {label} report {path}: {reason(error)}")
            if unwritten is not None:
                unwritten.append(path)
            continue
        lines.append(f"{label} report: {shown_path(path)}")
    return lines


def shown_path(path: Path | None) -> str | None:
    return None if path is None else shown(path)


def coverage_reports(
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
