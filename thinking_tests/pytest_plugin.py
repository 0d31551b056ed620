"""The pytest plugin: plain `pytest` collects registered `@test` cases as pytest items.

Loaded through the `pytest11` entry point whenever thinking-tests is installed (and with
`-p thinking_tests.pytest_plugin` by the pytest engine), so this module holds the hooks:
settings and coverage at start-up, the items a module's cases become (`pytest_collect`,
`pytest_items`), the pytest engine's selection, fixture scopes ended by what runs next, and
under plain pytest our reports (`pytest_reports`). Under the pytest engine, and in a project
configured for thinking-tests, unittest's `load_tests` protocol is honoured too
(`pytest_suite`).
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thinking_tests.fixtures import Fixtures
from thinking_tests.pytest_collect import (
    SELECT_ENV,
    add_unclaimed,
    forget_module_cases,
    may_hold_suite,
    module_cases,
)
from thinking_tests.pytest_items import RUNNER, CaseItem, unapplied_retries
from thinking_tests.registry import REGISTRY
from thinking_tests.runner import CaseRunner


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
    from thinking_tests.run_reports import report_root
    from thinking_tests.coverage_run import start_coverage

    root = report_root(config_file or pyproject)
    coverage = None
    try:
        load_pyproject(pyproject)
        validate(settings)
        if not turns_coverage_off(config_file):
            coverage = start_coverage(root)
        started_with = settings.coverage_key()
        load_config_file(config_file)
        validate(settings)
    except ConfigError as error:
        if coverage is not None:
            coverage.discard()
        raise pytest.UsageError(f"thinking-tests: {error}") from None
    if settings.coverage_key() != started_with:  # __test__.py changed what to measure
        if coverage is not None:
            coverage.discard()
        coverage = start_coverage(root)
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
    config.stash[RUNNER] = CaseRunner(Fixtures(REGISTRY), settings.aspects, None, settings.timeout)
    # unittest's load_tests protocol: always under the pytest engine, and under plain pytest
    # only in a project configured for thinking-tests (pytest stays stock everywhere else).
    config_file, pyproject = locate(start)
    configured = config_file is not None or pyproject is not None
    config.stash[_SUITES] = bool(os.environ.get(SELECT_ENV)) or configured
    config.addinivalue_line("markers", "thinking_tests: a case declared with @test")
    if config.pluginmanager.hasplugin("rerunfailures"):
        config.pluginmanager.register(_NotAgain(), "thinking_tests.not_again")
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
    if settings.coverage.contexts and "coverage" in sys.modules:  # a Coverage may be running
        from thinking_tests.pytest_contexts import register

        register(config)
    if plain:
        if configured and (settings.reports.enabled or coverage is not None):
            from thinking_tests.pytest_reports import PlainPytestReports

            config.pluginmanager.register(PlainPytestReports(config, coverage), "thinking_tests.reports")
            return
    if coverage is not None:  # started, then turned off (--no-tt-reports): measure nothing
        coverage.discard()


def _late_coverage(config: pytest.Config, settings_file: Path) -> Any:
    from thinking_tests.config import config as settings
    from thinking_tests.run_reports import report_root
    from thinking_tests.coverage_run import start_coverage

    if config.pluginmanager.hasplugin("_cov"):
        return None
    return start_coverage(report_root(settings_file)) if settings.coverage.enabled else None


def pytest_collection_finish(session: pytest.Session) -> None:
    forget_module_cases()  # they hold a collector, so the session's tree, past the collection


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> list[pytest.Item] | None:
    if not inspect.isfunction(obj) or not getattr(obj, "__thinking_tests__", 0):
        return None
    # Claimed even when empty (a case imported from another module): never collected twice.
    known = module_cases(collector)
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
        add_unclaimed(collector, report)  # type: ignore[arg-type]
    if (python_module or isinstance(collector, pytest.Package)) and collector.config.stash.get(_SUITES, False):
        if may_hold_suite(collector):
            from thinking_tests.pytest_suite import replace_with_suite

            replace_with_suite(collector, report)
    return report


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
        item.config.stash[RUNNER].fixtures.finish(item._next)  # type: ignore[arg-type]
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    suites = sys.modules.get("thinking_tests.pytest_suite")
    if suites is not None:  # the last unittest class and module fixtures end
        suites.close(session.config)


class _NotAgain:
    """Registered when pytest-rerunfailures is: a case whose setup failed in a fixture of a
    wider scope (or a missing one) is not run again, as the unittest engine's retries do not."""

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: after the plugin's own mark
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
        report: pytest.TestReport = yield
        if call.when == "setup" and report.failed and isinstance(item, CaseItem) and item.not_again:
            final = getattr(item, "_terminal_errors", None)  # the plugin's: failures it never reruns
            if isinstance(final, dict):
                final["setup"] = True
        return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Cases whose `@test(retries=N)` pytest cannot apply (pytest-rerunfailures not loaded):
    one warning line. The pytest engine, whose pytest output is held back, says it itself."""
    unapplied = unapplied_retries(terminalreporter.config)
    if unapplied:
        from thinking_tests.retries import not_applied

        terminalreporter.write_line(not_applied(unapplied), yellow=True)


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
    left_out = set(selection.get("left_out") or ())  # --affected
    if not keyword and not tags and not shard_spec and not failed_before and not left_out:
        return
    from thinking_tests.engines.pytest_results import case_id
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
        if wanted and identifier not in left_out:
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
