"""Settings of a run, as `__test__.py` mutates them.

`config` is a plain object of typed settings. Setting an unknown name raises at once, so a
typo in `__test__.py` is caught where it is made; every value is checked again by
`validate()` before anything runs, which names the setting in one sentence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

BACKENDS = ("unittest", "pytest")
CAPTURE_LEVELS = ("fd", "sys", "no")
CONFIG_FILE_NAMES = ("__test__.py", "__tests__.py", "__testing__.py")


class ConfigError(Exception):
    """A wrong setting: the message is one sentence naming the setting (exit code 4)."""


class _Strict:
    """Refuses attributes that are not declared fields: catches typos in __test__.py."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in {f.name for f in fields(self)}:  # type: ignore[arg-type]
            known = ", ".join(f.name for f in fields(self))  # type: ignore[arg-type]
            raise ConfigError(
                f"unknown setting '{self._prefix}.{name}' (known: {known})"
            )
        object.__setattr__(self, name, value)

    _prefix = "config"


@dataclass
class ReportSettings(_Strict):
    """Where reports go; every relative path resolves under `directory`; None turns one off."""

    _prefix = "config.reports"
    directory: str | os.PathLike[str] = "reports"
    junit_xml: str | os.PathLike[str] | None = "junit.xml"
    html: str | os.PathLike[str] | None = "report.html"
    json: str | os.PathLike[str] | None = None  # "report.json": the CTRF JSON report
    # Reports of installed packages (entry-point group thinking_tests.reports): name -> path.
    plugins: dict[str, str | os.PathLike[str]] = field(default_factory=dict)
    journal: str | os.PathLike[str] | None = "journal.jsonl"  # each case as it finishes
    max_output: int = 1024 * 1024  # characters of stdout/stderr/log kept per case in reports
    # Characters of captured output kept over the whole run; past it a case keeps a marker.
    max_run_output: int = 50 * 1024 * 1024
    enabled: bool = True

    def folder(self, root: Path) -> Path:
        """The folder of the reports: `directory`, relative to `root` unless absolute."""
        directory = Path(self.directory)
        return directory if directory.is_absolute() else root / directory

    def path(self, name: str | os.PathLike[str] | None, root: Path) -> Path | None:
        """The absolute path of one report, or None when it is off."""
        if name is None or not self.enabled:
            return None
        return Path(os.path.normpath(self.folder(root) / name))  # no empty folders for "a/../b"


@dataclass
class CoverageSettings(_Strict):
    """What coverage measures and where its reports go.

    It measures the code under test: with no `source`, `include` or `omit` (here or in
    coverage.py's own [run] configuration) the tests are left out (the packages and modules
    the run collects tests from, folders named test or tests, and test_*.py, *_test.py and
    conftest.py files under the repository root), so `fail_under` checks the code under test
    only. To measure the tests too, say what to measure: `omit = []` measures everything
    that is not installed, or name the packages in `source`.
    """

    _prefix = "config.coverage"
    enabled: bool = True
    source: list[str] | None = None  # packages or folders to measure; None: what is not installed
    branch: bool = False
    include: list[str] | None = None  # file patterns to measure (the tests too, if they match)
    omit: list[str] | None = None  # file patterns left out; [] leaves out nothing, tests included
    fail_under: float | None = None
    subprocess: bool = True  # measure Python subprocesses that tests start, and combine them
    data_file: str | os.PathLike[str] = ".coverage"
    xml: str | os.PathLike[str] | None = "coverage.xml"
    html: str | os.PathLike[str] | None = "coverage-html"
    # Each case measured under its own coverage context (`<case id>|setup`, `|run`,
    # `|teardown`): the HTML report shows which cases ran a line, and --affected uses them.
    contexts: bool = True


@dataclass
class Config(_Strict):
    """The run's settings: what __test__.py and pyproject.toml set, then the command line."""

    backend: str = "unittest"
    reports: ReportSettings = field(default_factory=ReportSettings)
    coverage: CoverageSettings = field(default_factory=CoverageSettings)
    aspects: list[Any] = field(default_factory=list)
    timeout: float | None = None  # seconds for every case without its own timeout
    run_timeout: float | None = None  # seconds for the whole run: past it, it stops as on Ctrl-C
    # Times a failed case runs again (--reruns over it, @test(retries=...) over both); one
    # that passes then is flaky: passed, with its failed attempts in the reports.
    retries: int = 0
    pytest_args: list[str] = field(default_factory=list)
    workers: int | str | None = None  # -n: modules in this many worker processes, or "auto"
    # Per case: "fd" captures descriptors 1 and 2 (C code, child processes too), "sys" only
    # sys.stdout and sys.stderr, "no" nothing; True means "fd", False "no". Logging is
    # captured unless "no", and stdin is closed to cases.
    capture: bool | str = "fd"
    source_file: Path | None = None  # the __test__.py that was loaded, for messages

    def coverage_key(self) -> tuple[object, ...]:
        """The settings that decide what coverage measures and where its data goes: when
        __test__.py changes them, coverage started before it is started again."""
        c = self.coverage
        return (c.enabled, c.source, c.branch, c.include, c.omit, c.data_file, self.reports.directory)

    def reset(self) -> None:
        """Back to every default (tests of this project make fresh runs in one process)."""
        fresh = Config()
        for f in fields(self):
            object.__setattr__(self, f.name, getattr(fresh, f.name))


def _check_type(where: str, value: object, expected: tuple[type, ...], allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) and bool not in expected:
        raise ConfigError(f"{where} must be {_names(expected)}, not {type(value).__name__}")
    if not isinstance(value, expected):
        raise ConfigError(f"{where} must be {_names(expected)}, not {type(value).__name__}")


def _is_one_of(value: object, names: tuple[str, ...]) -> bool:
    return isinstance(value, str) and value in names


def _names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


_PATH = (str, os.PathLike)


def _check_named(where: str, value: object) -> None:
    """A report path names a file: "" (or ".") would be the report folder itself."""
    if value is not None and os.fspath(value).strip() in ("", "."):  # type: ignore[call-overload]
        raise ConfigError(f"{where} is empty: give it a file name, or None to turn it off")


def _check_no_nul(where: str, value: object) -> None:
    """No file system takes a NUL in a path: said here, not as a crash when writing."""
    if value is not None and "\0" in str(os.fspath(value)):  # type: ignore[call-overload]
        raise ConfigError(f"{where} {os.fspath(value)!r} cannot be created: it holds a NUL character, which no path may")  # type: ignore[call-overload]


def validate(config: Config) -> None:
    """Check every setting before anything runs; raise ConfigError naming the first bad one."""
    where = f" (in {config.source_file})" if config.source_file else ""
    try:
        if config.backend not in BACKENDS:  # a built-in engine is known without a scan
            from thinking_tests.engines import unknown_engine

            problem = unknown_engine(config.backend, "config.backend")
            if problem is not None:
                raise ConfigError(problem)
        r = config.reports
        _check_type("config.reports", r, (ReportSettings,), False)
        _check_type("config.reports.directory", r.directory, _PATH, False)
        for name in ("junit_xml", "html", "json", "journal"):
            _check_type(f"config.reports.{name}", getattr(r, name), _PATH, True)
            _check_named(f"config.reports.{name}", getattr(r, name))
        _check_plugins(r.plugins)
        _check_type("config.reports.max_output", r.max_output, (int,), False)
        if r.max_output < 1000:
            raise ConfigError("config.reports.max_output must be at least 1000 characters")
        _check_type("config.reports.max_run_output", r.max_run_output, (int,), False)
        if r.max_run_output < 1000:
            raise ConfigError("config.reports.max_run_output must be at least 1000 characters")
        _check_type("config.reports.enabled", r.enabled, (bool,), False)
        c = config.coverage
        _check_type("config.coverage", c, (CoverageSettings,), False)
        _check_type("config.coverage.enabled", c.enabled, (bool,), False)
        _check_type("config.coverage.branch", c.branch, (bool,), False)
        _check_type("config.coverage.subprocess", c.subprocess, (bool,), False)
        _check_type("config.coverage.contexts", c.contexts, (bool,), False)
        for name in ("source", "include", "omit"):
            value = getattr(c, name)
            _check_type(f"config.coverage.{name}", value, (list, tuple), True)
            if value is not None and not all(isinstance(v, str) for v in value):
                raise ConfigError(f"config.coverage.{name} must be a list of strings")
        _check_type("config.coverage.fail_under", c.fail_under, (int, float), True)
        if c.fail_under is not None and not 0 <= c.fail_under <= 100:
            raise ConfigError("config.coverage.fail_under must be between 0 and 100")
        _check_type("config.coverage.data_file", c.data_file, _PATH, False)
        _check_type("config.coverage.xml", c.xml, _PATH, True)
        _check_type("config.coverage.html", c.html, _PATH, True)
        for name in ("data_file", "xml", "html"):
            _check_named(f"config.coverage.{name}", getattr(c, name))
        _check_type("config.aspects", config.aspects, (list,), False)
        for index, obj in enumerate(config.aspects):
            if not callable(getattr(obj, "around", None)):
                raise ConfigError(
                    f"config.aspects[{index}] has no around(stage, case) method: {type(obj).__name__}"
                )
        for name in ("timeout", "run_timeout"):
            seconds = getattr(config, name)
            _check_type(f"config.{name}", seconds, (int, float), True)
            if seconds is not None and not 0 < seconds < float("inf"):  # NaN too
                raise ConfigError(f"config.{name} must be a positive, finite number of seconds")
        _check_type("config.retries", config.retries, (int,), False)
        if config.retries < 0:
            raise ConfigError(f"config.retries must be a whole number of times (0 or more), not {config.retries}")
        _check_type("config.pytest_args", config.pytest_args, (list,), False)
        if config.workers is not None and config.workers != "auto" and not (
            isinstance(config.workers, int) and not isinstance(config.workers, bool) and config.workers >= 0
        ):
            raise ConfigError(f'config.workers must be a number of workers (0 or more) or "auto", not {config.workers!r:.80}')
        if not (isinstance(config.capture, bool) or _is_one_of(config.capture, CAPTURE_LEVELS)):
            raise ConfigError(
                'config.capture must be "fd", "sys" or "no" (or True for "fd", False for "no"), '
                f"not {config.capture!r:.80}"
            )
        for name, value in _report_paths(config).items():
            _check_no_nul(name, value)
        _check_inside(config)
        _check_distinct(config)
    except ConfigError as error:
        raise ConfigError(f"{error}{where}") from None


def _report_paths(config: Config) -> dict[str, Any]:
    """Every setting that names a path the run writes, by its name in messages."""
    r, c = config.reports, config.coverage
    return {
        "config.reports.directory": r.directory,
        "config.reports.junit_xml": r.junit_xml,
        "config.reports.html": r.html,
        "config.reports.json": r.json,
        "config.reports.journal": r.journal,
        **_plugin_paths(r),
        "config.coverage.data_file": c.data_file,
        "config.coverage.xml": c.xml,
        "config.coverage.html": c.html,
    }


def _plugin_paths(r: ReportSettings) -> dict[str, Any]:
    return {f"config.reports.plugins[{name!r}]": value for name, value in r.plugins.items()}


def _check_plugins(plugins: object) -> None:
    """`config.reports.plugins`: report names, each an installed report that is not built
    in, to paths. The entry points are scanned only when it names one."""
    if not isinstance(plugins, dict):
        raise ConfigError(
            f'config.reports.plugins must be a dict of report name to path (e.g. {{"allure": "allure.json"}}), '
            f"not {type(plugins).__name__}"
        )
    if not plugins:
        return
    from thinking_tests.reports import BUILT_IN
    from thinking_tests.reports.plugins import UnknownReport, find

    for name, value in plugins.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"config.reports.plugins has the key {name!r}: a report's name is a non-empty string")
        where = f"config.reports.plugins[{name!r}]"
        if name in BUILT_IN:
            raise ConfigError(f"{where} names a built-in report: set config.reports.{name} instead")
        _check_type(where, value, _PATH, False)
        _check_named(where, value)
        try:
            find(name)
        except UnknownReport as error:
            raise ConfigError(str(error)) from None


def _check_inside(config: Config) -> None:
    """A relative path may not climb out with `..`: only an absolute path writes elsewhere."""
    for name, value in _report_paths(config).items():
        if value is None or os.path.isabs(value):
            continue
        parts = os.path.normpath(os.fspath(value)).split(os.sep)
        if parts[0] == "..":
            raise ConfigError(
                f"{name} {os.fspath(value)!r} leads out of its directory with '..'; "
                f"give an absolute path to write elsewhere"
            )


def _check_distinct(config: Config) -> None:
    """Two reports written to one path would overwrite each other: refuse that up front."""
    r, c = config.reports, config.coverage
    paths = {
        "config.reports.junit_xml": r.junit_xml,
        "config.reports.html": r.html,
        "config.reports.json": r.json,
        "config.reports.journal": r.journal,
        **_plugin_paths(r),
        "config.coverage.data_file": c.data_file,
        "config.coverage.xml": c.xml if c.enabled else None,
        "config.coverage.html": c.html if c.enabled else None,
    }
    seen: dict[str, str] = {}
    # Each resolves under the report folder, as the writers resolve it; an absolute path
    # that names the same file as a relative one is the same report.
    directory = os.path.abspath(os.fspath(r.directory))
    for name, value in paths.items():
        if value is None:
            continue
        key = os.path.normcase(os.path.normpath(os.path.join(directory, os.fspath(value))))
        if key in seen:
            raise ConfigError(f"{name} and {seen[key]} both name {os.fspath(value)!r}")
        seen[key] = name


def find_config_file(start: Path) -> Path | None:
    """The __test__.py (or __tests__.py, __testing__.py) in start or its nearest parent."""
    for directory in (start, *start.parents):
        for name in CONFIG_FILE_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


config = Config()


def capture_level(value: bool | str) -> str:
    """config.capture as one of "fd", "sys", "no" (True is the default "fd", False is "no")."""
    if value is True:
        return "fd"
    if value is False:
        return "no"
    return str(value)
