"""The pytest side: plain `pytest` collects registered `@test` cases as pytest items.

Loaded through the `pytest11` entry point whenever thinking-tests is installed (and with
`-p thinking_tests.pytest_plugin` by the pytest engine). Each case becomes a
`pytest.Function` whose setup, call and teardown are the three stages of the one case runner,
so fixtures, setups, teardowns and aspects behave as under the unittest engine; pytest's own
fixtures (`tmp_path`, `monkeypatch`, conftest fixtures) fill the parameters that no
thinking-tests fixture provides. Under the pytest engine, and in a project configured for
thinking-tests, unittest's `load_tests` protocol is honoured too (`pytest_suite`).
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thinking_tests.case import Case
from thinking_tests.fixtures import Fixtures, MissingFixture, UnknownToHost
from thinking_tests.model import Stage
from thinking_tests.registry import REGISTRY
from thinking_tests.runner import CaseRunner, Running

# The pytest engine's -k, -t and --shard, in a JSON file this names; xdist workers inherit
# it, and plain pytest runs are told apart by its absence.
SELECT_ENV = "THINKING_TESTS_SELECT"
_RUNNER = pytest.StashKey[CaseRunner]()


class _Next:
    """What fixture scopes need to know of the item that runs next: its module."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.id = ""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("thinking-tests")
    group.addoption(
        "--no-tt-reports",
        action="store_true",
        help="thinking-tests: write no JUnit XML, HTML or coverage reports of this run",
    )


_COVERAGE = pytest.StashKey[Any]()  # the CoverageRun plain pytest started, or None
_SUITES = pytest.StashKey[bool]()  # whether load_tests suites replace what pytest finds


def _plain_run(config: pytest.Config) -> bool:
    """Plain pytest: not the pytest engine, not an xdist worker, and not --collect-only (IDEs
    collect on every save, and would blank the last run's reports)."""
    options = config.known_args_namespace
    return (
        not os.environ.get(SELECT_ENV)
        and not os.environ.get("PYTEST_XDIST_WORKER")
        and not hasattr(config, "workerinput")
        and not getattr(options, "collectonly", False)
    )


def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Under plain pytest in a project with settings of ours, coverage starts here, before
    any conftest.py (and the code under test it imports) is imported, as pytest-cov does:
    plain pytest then measures what our own engines measure. Settings are loaded here too,
    in the order of our own runs: pyproject.toml, coverage, then __test__.py."""
    from thinking_tests.config import ConfigError, validate
    from thinking_tests.config import config as settings
    from thinking_tests.configure import (
        load_config_file,
        load_pyproject,
        locate,
        turns_coverage_off,
    )

    early_config.stash[_COVERAGE] = None
    start = Path(early_config.invocation_params.dir)
    config_file, pyproject = locate(start)
    measure = (
        (config_file is not None or pyproject is not None)
        and _plain_run(early_config)
        and not getattr(early_config.known_args_namespace, "no_tt_reports", False)
        and not early_config.pluginmanager.hasplugin("_cov")  # pytest-cov measures instead
    )
    if not measure:
        return
    from thinking_tests.session import _coverage_key, _start_coverage, report_root

    root = report_root(config_file or pyproject)
    coverage = None
    try:
        load_pyproject(pyproject)
        validate(settings)
        if not turns_coverage_off(config_file):
            coverage = _start_coverage(root)
        started_with = _coverage_key()
        load_config_file(config_file)
        validate(settings)
    except ConfigError as error:
        if coverage is not None:
            coverage.discard()
        raise pytest.UsageError(f"thinking-tests: {error}") from None
    if _coverage_key() != started_with:  # __test__.py changed what to measure
        if coverage is not None:
            coverage.discard()
        coverage = _start_coverage(root)
    early_config.stash[_COVERAGE] = coverage


def pytest_configure(config: pytest.Config) -> None:
    from thinking_tests.config import ConfigError
    from thinking_tests.config import config as settings
    from thinking_tests.configure import load_config, locate

    try:
        start = Path(config.invocation_params.dir)
        load_config(start)
        if config.getoption("no_tt_reports", False):
            settings.reports.enabled = False
            settings.coverage.enabled = False
    except ConfigError as error:
        raise pytest.UsageError(f"thinking-tests: {error}") from None
    config.stash[_RUNNER] = CaseRunner(Fixtures(REGISTRY), settings.aspects, None, settings.timeout)
    # unittest's load_tests protocol: always under the pytest engine, and under plain pytest
    # only in a project configured for thinking-tests (pytest stays stock everywhere else).
    config_file, pyproject = locate(start)
    configured = config_file is not None or pyproject is not None
    config.stash[_SUITES] = bool(os.environ.get(SELECT_ENV)) or configured
    config.addinivalue_line("markers", "thinking_tests: a case declared with @test")
    # Plain pytest (not the pytest engine, not an xdist worker): write our reports too, but
    # not for --collect-only (IDEs collect on every save), which would blank the last run's,
    # and only in a project with settings of ours (a __test__.py or [tool.thinking-tests]):
    # installing thinking-tests must not make pytest write reports/ into every other project.
    coverage = config.stash.get(_COVERAGE, None)
    plain = _plain_run(config)
    if _COVERAGE not in config.stash and plain and configured:
        # Loaded too late for pytest_load_initial_conftests (from a conftest's pytest_plugins):
        # coverage starts now, later than it should, rather than not at all.
        coverage = _late_coverage(config, config_file or pyproject)
    if plain:
        if configured and (settings.reports.enabled or coverage is not None):
            config.pluginmanager.register(PlainPytestReports(config, coverage), "thinking_tests.reports")
            return
    if coverage is not None:  # started, then turned off (--no-tt-reports): measure nothing
        coverage.discard()


def _late_coverage(config: pytest.Config, settings_file: Path) -> Any:
    from thinking_tests.config import config as settings
    from thinking_tests.session import _start_coverage, report_root

    if config.pluginmanager.hasplugin("_cov"):
        return None
    return _start_coverage(report_root(settings_file)) if settings.coverage.enabled else None


class PlainPytestReports:
    """Under plain `pytest`: the reports of __test__.py, from the results pytest reports.

    In the xdist controller the workers' reports arrive too, and the workers' coverage is
    measured as subprocesses and combined, so one set of reports covers the whole run.
    """

    def __init__(self, config: pytest.Config, coverage: Any = None) -> None:
        import time

        from thinking_tests.config import config as settings
        from thinking_tests.configure import locate
        from thinking_tests.engines.pytest_engine import ResultCollector
        from thinking_tests.session import report_root

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
        self.lock: Any = None
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
        from thinking_tests.inprogress import ReportFolderBusy, ReportLock, stand_in, write_stand_ins
        from thinking_tests.session import _report_directory, _report_writers

        directory = _report_directory(self.root)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self.lock = ReportLock(directory, "run without our reports with --no-tt-reports")
            self.lock.acquire()
        except ReportFolderBusy as error:
            if self.coverage is not None:
                self.coverage.discard()
            raise pytest.UsageError(f"thinking-tests: {error}") from None
        except OSError:
            return  # the reports will say they cannot be written, at the end
        junitxml = _pytest_junitxml(config)
        writers = [(path, write) for _, path, write in _report_writers(self.root) if path.resolve() != junitxml]
        command = ("pytest", *config.invocation_params.args)
        write_stand_ins(stand_in(self.start, command, "pytest", self.selection), writers)

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
        from thinking_tests.session import count_not_run, write_reports

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
        if self.lock is not None:
            self.lock.release()

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


class _ModuleCases:
    """The cases of the module being collected, by function, and which parameters pytest fills.

    Built once per collector, not once per collected name: each function is one dict
    look-up, and each fixture name is searched for in the registry once per module. Only
    the latest is kept: pytest collects one module after another.
    """

    __slots__ = ("collector", "path", "entry", "count", "modules", "by_func", "external")

    def __init__(self, collector: pytest.Collector) -> None:
        self.collector = collector
        self.path = os.path.abspath(str(collector.path))
        self.entry = REGISTRY.modules.get(self.path)
        self.count = len(self.entry.cases) if self.entry is not None else 0
        self.modules = len(REGISTRY.modules)
        self.by_func: dict[int, list[Case]] = {}
        self.external: dict[tuple[str, str], bool] = {}
        if self.entry is not None:
            for case in self.entry.cases:
                self.by_func.setdefault(id(case.func), []).append(case)

    def current(self, collector: pytest.Collector) -> bool:
        """Whether this is of `collector` and the registry still holds what it was built from."""
        entry = self.entry
        return (
            collector is self.collector
            and len(REGISTRY.modules) == self.modules
            and REGISTRY.modules.get(self.path) is entry
            and (entry is None or len(entry.cases) == self.count)
        )

    def cases(self, func: object) -> list[Case]:
        """The cases declared with `func`, in declaration order (several with params)."""
        return self.by_func.get(id(func), [])

    def wanted(self, case: Case) -> tuple[str, ...]:
        """The parameters of `case` that no thinking-tests fixture fills: pytest fills them."""
        names: list[str] = []
        for name in case.fixture_names:
            key = (name, case.module)
            external = self.external.get(key)
            if external is None:
                external = REGISTRY.find_fixture(name, case.module, builtins=False) is None
                self.external[key] = external
            if external:
                names.append(name)
        return tuple(names)


_LATEST: list[_ModuleCases] = []


def _module_cases(collector: pytest.Collector) -> _ModuleCases:
    if not _LATEST or not _LATEST[0].current(collector):
        _LATEST[:] = [_ModuleCases(collector)]
    return _LATEST[0]


def pytest_collection_finish(session: pytest.Session) -> None:
    _LATEST.clear()  # holds a collector, so the session's tree, past the collection


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> list[pytest.Item] | None:
    if not inspect.isfunction(obj) or not getattr(obj, "__thinking_tests__", 0):
        return None
    # Claimed even when empty (a case imported from another module): never collected twice.
    known = _module_cases(collector)
    return [CaseItem.from_case(collector, case, known.wanted(case)) for case in known.cases(obj)]


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[pytest.CollectReport]:
    """A module's cases that no module-level name holds (declared in a loop, or by a factory
    called at import) are items too, so pytest runs every case the unittest engine runs."""
    report: pytest.CollectReport = yield
    # Only modules pytest's python collection filled (not, say, a doctest module of the file).
    if not report.passed or not isinstance(report.result, list):
        return report
    python_module = isinstance(collector, pytest.Module) and type(collector).collect is pytest.Module.collect
    if python_module:
        _add_unclaimed(collector, report)  # type: ignore[arg-type]
    if (python_module or isinstance(collector, pytest.Package)) and collector.config.stash.get(_SUITES, False):
        if _may_hold_suite(collector):
            from thinking_tests.pytest_suite import replace_with_suite

            replace_with_suite(collector, report)
    return report


def _may_hold_suite(collector: pytest.Collector) -> bool:
    """A module with load_tests, or a package whose __init__.py is not empty (it may define
    load_tests or TestCase classes): looked at closer by pytest_suite, loaded only then."""
    if isinstance(collector, pytest.Package):
        try:
            return os.path.getsize(os.path.join(collector.path, "__init__.py")) > 0
        except OSError:
            return False
    return hasattr(collector.obj, "load_tests")  # type: ignore[attr-defined]


def _add_unclaimed(collector: pytest.Module, report: pytest.CollectReport) -> None:
    assert isinstance(report.result, list)
    entry = REGISTRY.modules.get(os.path.abspath(str(collector.path)))
    if entry is None or not entry.cases:
        return
    claimed = {id(node.case) for node in report.result if isinstance(node, CaseItem)}
    if len(claimed) == len(entry.cases):
        return
    # A case declared in the body of a class pytest collects is that class's item.
    classes = {node.name for node in report.result if isinstance(node, pytest.Class)}
    known = _module_cases(collector)
    added = [
        CaseItem.from_case(collector, case, known.wanted(case))
        for case in entry.cases
        if id(case) not in claimed and _owner(case) not in classes
    ]
    if not added:
        return
    report.result[:] = _in_declaration_order(report.result, added, entry.cases)


def _owner(case: Case) -> str:
    """The module-level class whose body declared the case, or ""."""
    qualname = getattr(case.func, "__qualname__", "")
    owner, dot, _ = qualname.partition(".")
    return owner if dot and "<locals>" not in qualname else ""


def _in_declaration_order(
    nodes: list[Any], added: list["CaseItem"], cases: list[Case]
) -> list[Any]:
    """`nodes` with `added` among their case items, every case item in declaration order;
    the module's other items keep their places."""
    order = {id(case): index for index, case in enumerate(cases)}
    items = iter(sorted(
        [node for node in nodes if isinstance(node, CaseItem)] + added,
        key=lambda item: order.get(id(item.case), len(order)),
    ))
    slots = [index for index, node in enumerate(nodes) if isinstance(node, CaseItem)]
    result = [next(items) if isinstance(node, CaseItem) else node for node in nodes]
    at = slots[-1] + 1 if slots else len(nodes)
    result[at:at] = list(items)
    return result


_MARKER_NAME = re.compile(r"\W")
_SIGNATURES: dict[tuple[str, ...], inspect.Signature] = {}


def _signature(names: tuple[str, ...]) -> inspect.Signature:
    """The signature pytest reads the fixtures it fills from: one per set of names."""
    signature = _SIGNATURES.get(names)
    if signature is None:
        signature = inspect.Signature([inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names])
        _SIGNATURES[names] = signature
    return signature


class _Marks:
    """The markers of cases, made once per run: a mark is immutable, so items share it.

    A tag's marker is registered (for --strict-markers) the first time a case has it.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.made: dict[tuple[str, str], pytest.MarkDecorator] = {}

    def case(self) -> pytest.MarkDecorator:
        mark = self.made.get(("", ""))
        if mark is None:
            mark = self.made[("", "")] = pytest.mark.thinking_tests
        return mark

    def tag(self, tag: str) -> pytest.MarkDecorator:
        mark = self.made.get(("tag", tag))
        if mark is None:
            marker = _MARKER_NAME.sub("_", tag)
            self.config.addinivalue_line("markers", f"{marker}: thinking-tests tag")
            mark = self.made[("tag", tag)] = getattr(pytest.mark, marker)
        return mark

    def skip(self, reason: str) -> pytest.MarkDecorator:
        mark = self.made.get(("skip", reason))
        if mark is None:
            mark = self.made[("skip", reason)] = pytest.mark.skip(reason=reason)
        return mark

    def xfail(self, reason: str) -> pytest.MarkDecorator:
        mark = self.made.get(("xfail", reason))
        if mark is None:
            mark = self.made[("xfail", reason)] = pytest.mark.xfail(reason=reason, strict=False)
        return mark


_MARKS = pytest.StashKey[_Marks]()


def _marks(config: pytest.Config) -> _Marks:
    marks = config.stash.get(_MARKS, None)
    if marks is None:
        marks = config.stash[_MARKS] = _Marks(config)
    return marks


class CaseItem(pytest.Function):
    """A registered case as a pytest item."""

    case: Case
    _running: Running | None = None
    _next: object = None

    @classmethod
    def from_case(
        cls, parent: pytest.Collector, case: Case, wanted: tuple[str, ...] | None = None
    ) -> "CaseItem":
        """The item of `case`; `wanted` are the parameters pytest fills (found if not given)."""
        if wanted is None:  # pytest fills only what no thinking-tests fixture provides
            wanted = tuple(
                n for n in case.fixture_names if REGISTRY.find_fixture(n, case.module, builtins=False) is None
            )

        def call(**kwargs: Any) -> None:  # never called: runtest() runs the case
            pass

        call.__signature__ = _signature(wanted)  # type: ignore[attr-defined]
        call.__name__ = case.func.__name__
        item: CaseItem = cls.from_parent(
            # originalname too is the case name: pytest 9.2 builds the node id from it.
            parent, name=case.name, callobj=call, originalname=case.name
        )
        item.case = case
        marks = _marks(item.config)
        item.add_marker(marks.case())
        for tag in case.tags:
            item.add_marker(marks.tag(tag))
        if case.skip is not None:
            item.add_marker(marks.skip(case.skip))
        if case.xfail is not None:
            item.add_marker(marks.xfail(case.xfail))
        return item

    def reportinfo(self) -> tuple[str, int, str]:
        return self.case.file, self.case.line - 1, self.case.id

    def setup(self) -> None:
        __tracebackhide__ = True
        runner = self.config.stash[_RUNNER]
        runner.fixtures.external = self._external
        found = self._fixtureinfo.name2fixturedefs
        for name in self._fixtureinfo.initialnames:  # a name no fixture provides, before
            if name not in found and name in self.case.fixture_names:  # pytest says it of the stub
                error = runner.fixtures.missing(name, self.case, (), _pytest_fixtures(self), "pytest")
                raise _NotFound(error) from None
        super().setup()  # pytest's own fixtures, for the parameters they fill
        self._running = runner.start(self.case)
        if not self._running.setup().ok:
            error = self._running.errors[Stage.SETUP]
            if isinstance(error, MissingFixture):
                raise _NotFound(error) from None
            raise error

    def _external(self, name: str) -> Any:
        """The value of pytest's fixture `name`, which a thinking-tests fixture asks for."""
        if name in self.funcargs:
            return self.funcargs[name]
        if not self.session._fixturemanager.getfixturedefs(name, self):
            raise UnknownToHost(_pytest_fixtures(self), "pytest")
        return self._request.getfixturevalue(name)

    def runtest(self) -> None:
        __tracebackhide__ = True
        assert self._running is not None
        if not self._running.call().ok:
            raise self._running.errors[Stage.RUN]

    def teardown(self) -> None:
        __tracebackhide__ = True
        running, self._running = self._running, None
        try:
            if running is not None:
                running.next_case = self._next  # type: ignore[assignment]
                if not running.teardown().ok:
                    raise running.errors[Stage.TEARDOWN]
        finally:
            super().teardown()


def _pytest_fixtures(item: pytest.Item) -> list[str]:
    """The names of the pytest fixtures `item` can use, as pytest lists them when one is
    not found (through a private method: without it, no names)."""
    try:
        found = item.session._fixturemanager._get_all_fixture_defs_for_node(item)
        return sorted({definition.argname for definition in found})
    except AttributeError:
        return []


class _NotFound(pytest.FixtureLookupError):
    """A missing fixture as pytest shows its own: the message, at the declaration that asks
    for it (not at the item's stand-in function), without frames."""

    def __init__(self, error: MissingFixture) -> None:
        LookupError.__init__(self, str(error))
        self.argname = error.name
        self.request = None  # type: ignore[assignment]
        self.fixturestack = []
        self.msg = str(error)
        self.error = error

    def formatrepr(self) -> Any:
        from _pytest.fixtures import FixtureLookupErrorRepr

        return FixtureLookupErrorRepr(self.error.file, self.error.line - 1, [], self.msg, self.argname)

    def __str__(self) -> str:
        return self.msg


def _module_of(item: pytest.Item | None) -> object:
    if item is None:
        return None
    if isinstance(item, CaseItem):
        return item.case
    module = getattr(item, "module", None)
    return _Next(getattr(module, "__name__", ""))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Fixture scopes end by what runs next in this process (which differs under xdist)."""
    if isinstance(item, CaseItem):
        item._next = _module_of(nextitem)
        skipped = item._running is None
    else:
        suites = sys.modules.get("thinking_tests.pytest_suite")  # loaded once a suite is found
        if suites is not None and isinstance(item, suites.SuiteTest):
            item._next = nextitem  # its class and module end unless the next test is of them
    result = yield
    if isinstance(item, CaseItem) and skipped:
        # Skipped before setup: still end the scopes that end here.
        item.config.stash[_RUNNER].fixtures.finish(item._next)  # type: ignore[arg-type]
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    suites = sys.modules.get("thinking_tests.pytest_suite")
    if suites is not None:  # the last unittest class and module fixtures end
        suites.close(session.config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the pytest engine, select with thinking-tests' -k and -t (in every xdist worker)."""
    path = os.environ.get(SELECT_ENV)
    if not path:
        return
    import json

    from thinking_tests.select import matches, parse_keyword

    selection = json.loads(Path(path).read_text(encoding="utf-8"))
    keyword, tags = selection.get("keyword"), selection.get("tags") or []
    shard_spec = selection.get("shard")
    failed_before = set(selection.get("failed_before") or ())
    if not keyword and not tags and not shard_spec and not failed_before:
        return
    from thinking_tests.engines.pytest_engine import case_id
    from thinking_tests.select import Shard

    predicate = parse_keyword(keyword) if keyword else None
    rootdir = str(config.rootpath)
    chosen: list[tuple[pytest.Item, str]] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if isinstance(item, CaseItem):
            case = item.case
            identifier = case.id
            wanted = matches(case.id, case.name, case.description, case.tags, predicate, tags)
        else:
            identifier, _, name = case_id(item.nodeid, rootdir)
            marks = tuple(m.name for m in item.iter_markers())
            wanted = matches(identifier, name, "", marks, predicate, tags)
        if wanted:
            chosen.append((item, identifier))
        else:
            dropped.append(item)
    keep = [item for item, _ in chosen]
    if shard_spec:
        shard = Shard(shard_spec[0], shard_spec[1], selection.get("durations") or None)
        mine = shard.split([identifier for _, identifier in chosen])
        keep = [item for item, identifier in chosen if identifier in mine]
        dropped.extend(item for item, identifier in chosen if identifier not in mine)
    if failed_before:  # --lf / --ff: what failed in the last run (by its journal)
        from thinking_tests.select import failed_again

        identity = {id(item): identifier for item, identifier in chosen}
        ordered = failed_again(keep, lambda item: identity[id(item)], failed_before, bool(selection.get("failed_only")))
        if ordered is not None:  # None: none of them is selected now, and every case runs
            kept = {id(item) for item in ordered}
            dropped.extend(item for item in keep if id(item) not in kept)
            keep = ordered
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    if dropped or failed_before:
        items[:] = keep
