"""unittest's `load_tests` protocol under pytest: a module or package that defines it
contributes the tests of the suite it returns, as `python -m unittest discover` runs them.

pytest ignores `load_tests`, so the doctests a suite adds vanish and the classes it leaves
out run anyway. Under the pytest engine (and plain pytest in a project configured for
thinking-tests) a module's `load_tests` is called as discovery calls it, through the
default engine's own loading (`native_tests`), and each test of its suite becomes a
`SuiteTest` item whose id is the one the default engine gives it. A package whose
`__init__.py` defines `load_tests` contributes that suite and nothing pytest would find
below it; one without contributes the TestCase tests of its `__init__.py`, which discovery
loads as a module and pytest never collects. Items run through the default engine's `NativeRun`, one per process, so
setUpModule and setUpClass happen once per module and class, as in unittest; the verdict
(skips, expected failures, errors apart from failures, failing subtests) travels to the
results in the item's report (`pytest_suite_results`), so every report says what the
default engine says.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from thinking_tests.items import ImportFailure, Item, NativeTest
from thinking_tests.model import CaseResult, Outcome
from thinking_tests.native_tests import UNITTEST_PATTERN, Source, native_tests, unique
from thinking_tests.pytest_suite_results import KEY, dump, failure_text


class SuiteFailure(Exception):
    """A suite test's failure or error as unittest reported it: shown with its own text."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        # pytest's short summary shows the first line: the one-line message, then the rest.
        self.text = text if text.startswith(message) else f"{message}\n\n{text}"


# Collection.


def replace_with_suite(collector: pytest.Collector, report: pytest.CollectReport) -> None:
    """Give a module or package that defines load_tests the items of its suite in place of
    what pytest found in it (a module keeps its @test cases and pytest-style tests)."""
    result = report.result
    try:
        if isinstance(collector, pytest.Package):
            nodes = _package_nodes(collector, result)
        else:
            nodes = _module_nodes(collector, result)  # type: ignore[arg-type]
    except Exception as error:  # load_tests or a loader it called broke: the module fails
        import traceback

        text = "".join(traceback.format_exception(error))
        report.outcome = "failed"
        report.longrepr = f"load_tests of {collector.nodeid} failed:\n{text}"
        result[:] = []
        return
    if nodes is not None:
        result[:] = nodes


def _module_nodes(collector: pytest.Module, found: list[Any]) -> list[Any] | None:
    module = collector.obj
    if not callable(getattr(module, "load_tests", None)):
        return None
    file = os.path.abspath(str(collector.path))
    # As discovery passes it: the pattern when found in a folder, None when named.
    pattern = None if collector.session.isinitpath(collector.path) else UNITTEST_PATTERN
    suite = _suite_nodes(collector, Source(module, module.__name__, file, pattern, False), package=False)
    kept: list[Any] = []
    at: int | None = None
    for node in found:
        if _replaced(node, module.__name__):
            at = len(kept) if at is None else at
        else:
            kept.append(node)
    at = len(kept) if at is None else at
    kept[at:at] = suite
    return kept


def _replaced(node: Any, module: str) -> bool:
    """A class pytest found that the suite stands for: every TestCase class (the suite
    decides which of them run), and every class imported from elsewhere (discovery never
    looks at those; unittest's own TestSuite, say, which pytest would only warn about)."""
    if not isinstance(node, pytest.Class):
        return False
    import unittest

    cls = node.obj
    return issubclass(cls, unittest.TestCase) or getattr(cls, "__module__", None) != module


def _package_nodes(collector: pytest.Package, found: list[Any]) -> list[Any] | None:
    """Discovery loads a package's `__init__` as a module: its load_tests decides what the
    package runs; without one, its own TestCase tests run before the modules below it."""
    init = Path(collector.path) / "__init__.py"
    try:  # a look before importing: most packages' __init__.py are empty
        if not init.read_text(encoding="utf-8", errors="replace").strip():
            return None
    except OSError:
        return None
    holder = pytest.Module.from_parent(collector, path=init)
    try:
        module = holder.obj  # imported as pytest imports it (it would, for the modules below)
    except Exception:
        return None  # pytest reports the broken package when it collects below it
    load_tests = callable(getattr(module, "load_tests", None))
    if not load_tests and "unittest" not in sys.modules:
        return None  # nothing imported unittest: no TestCase anywhere
    source = Source(module, module.__name__, os.path.abspath(init), UNITTEST_PATTERN, True)
    own = _suite_nodes(collector, source, package=True)
    return own if load_tests else (own + found if own else None)


def _suite_nodes(parent: pytest.Collector, source: Source, package: bool) -> list[Any]:
    """The suite's tests as nodes, in the suite's order: each under its file (a package's
    suite holds tests of several modules) and its class, so node ids read
    `path/test_x.py::Class::method` and a doctest's `path/test_x.py::module.function`."""
    import unittest

    tests: list[Item] = [test for test, _ in native_tests(source, unittest.TestLoader())]
    unique(tests)  # a test the suite holds twice runs twice, numbered
    nodes: list[Any] = []
    file_node: Any = None
    class_node: Any = None
    for test in tests:
        assert isinstance(test, (NativeTest, ImportFailure))
        owner: Any = parent
        if package:
            if file_node is None or file_node.path != Path(test.file):
                file_node = SuiteFile.from_parent(parent, path=Path(test.file))
                nodes.append(file_node)
                class_node = None
            owner = file_node
        cls, separator, name = test.name.partition("::")
        if separator:
            if class_node is None or class_node.parent is not owner or class_node.name != cls:
                class_node = SuiteClass.from_parent(owner, name=cls)
                (owner.children if owner is not parent else nodes).append(class_node)
            class_node.children.append(SuiteTest.of(class_node, name, test))
        else:
            class_node = None
            item = SuiteTest.of(owner, test.name, test)
            (owner.children if owner is not parent else nodes).append(item)
    return nodes


class SuiteFile(pytest.File):
    """A module a package's suite has tests of: holds them, imports nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children: list[Any] = []

    def collect(self) -> list[Any]:
        return self.children


class SuiteClass(pytest.Collector):
    """A TestCase class of a suite: holds its tests, in the suite's order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children: list[Any] = []

    def collect(self) -> list[Any]:
        return self.children


# Running.


class SuiteTest(pytest.Item):
    """One test of a load_tests suite, run by unittest as the default engine runs it."""

    test: NativeTest | ImportFailure
    _next: pytest.Item | None = None  # set by the plugin before teardown

    @classmethod
    def of(cls, parent: pytest.Collector, name: str, test: NativeTest | ImportFailure) -> "SuiteTest":
        item: SuiteTest = cls.from_parent(parent, name=name)
        item.test = test
        return item

    def reportinfo(self) -> tuple[str, int | None, str]:
        line = self.test.line - 1 if self.test.line else None
        name = self.test.name
        if "::" not in name:  # a doctest's dotted name: shown as it is, as pytest shows its own
            import doctest

            kind = "doctest" if isinstance(getattr(self.test, "test", None), doctest.DocTestCase) else "unittest"
            name = f"[{kind}] {name}"
        return self.test.file, line, name

    def runtest(self) -> None:
        test = self.test
        if isinstance(test, ImportFailure):  # load_tests returned something unittest cannot run
            from thinking_tests.engines import import_failure_result

            self._keep("own", import_failure_result(test))
            raise SuiteFailure(test.message, test.message)
        runs = _runs(self.config)
        own, before = runs.run(test)
        for result in before:
            self._keep("before", result)
        if own is None:  # its class or module failed to set up, or was skipped: not run
            self.user_properties.append((KEY, {"kind": "covered"}))
            cause = next((r for r in before if r.outcome in (Outcome.ERROR, Outcome.SKIPPED)), None)
            cause = cause or runs.cause(test)
            if cause is not None and cause.outcome is Outcome.SKIPPED:
                pytest.skip(cause.message)
            message = f"not run: {cause.message}" if cause is not None else "not run by unittest"
            raise SuiteFailure(message, failure_text(cause) if cause is not None else message)
        self._keep("own", own)
        outcome = own.outcome
        if outcome is Outcome.SKIPPED:
            pytest.skip(own.message)
        if outcome is Outcome.XFAILED:
            pytest.xfail(own.message)
        if outcome is Outcome.XPASSED:  # unittest counts it against the run, as pytest does
            raise SuiteFailure("Unexpected success", "Unexpected success")
        if outcome in (Outcome.FAILED, Outcome.ERROR):
            raise SuiteFailure(own.message, failure_text(own))

    def teardown(self) -> None:
        """The class (and module) ends when the next item is not of it, as in unittest."""
        if isinstance(self.test, ImportFailure):
            return
        runs = _runs(self.config)
        following = self._next
        if isinstance(following, SuiteTest) and isinstance(following.test, NativeTest):
            if type(following.test.test) is type(self.test.test):
                return
            after = runs.end(following.test.module)
        else:
            after = runs.end(None)
        for result in after:
            self._keep("after", result)
        failed = [r for r in after if r.outcome is Outcome.ERROR]
        if failed:
            raise SuiteFailure(failed[0].message, "\n".join(failure_text(r) for r in failed))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, SuiteFailure):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def _repr_failure_py(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        # What pytest shows for a failing setup or teardown (a tearDownClass that raised).
        if isinstance(excinfo.value, SuiteFailure):
            return excinfo.value.text
        return super()._repr_failure_py(excinfo, style=style)

    def _keep(self, kind: str, result: CaseResult) -> None:
        self.user_properties.append((KEY, dump(kind, result)))


class _Runs:
    """The process's unittest run (the default engine's NativeRun), and the listener that
    keeps what it reports for the item running now."""

    def __init__(self, config: pytest.Config) -> None:
        from thinking_tests.engines.stopping import Stopping
        from thinking_tests.engines.unittest_suite import NativeRun
        from thinking_tests.fixtures import Fixtures
        from thinking_tests.registry import REGISTRY
        from thinking_tests.runner import CaseRunner

        runner = CaseRunner(Fixtures(REGISTRY))  # pytest captures output, not the runner
        self.results: list[CaseResult] = []
        self.setups: dict[str, CaseResult] = {}  # "module" or "module.Class" -> why it did not set up
        self.native = NativeRun(runner, Stopping(self, runner, False))  # type: ignore[arg-type]

    def started(self, item: object) -> None:
        pass

    def finished(self, result: CaseResult) -> None:
        self.results.append(result)
        if result.name.startswith(("setUpClass (", "setUpModule (")):
            inside = result.name.partition(" (")[2].rpartition(")")[0]
            self.setups[inside] = result

    def run(self, test: NativeTest) -> tuple[CaseResult | None, list[CaseResult]]:
        """(its own result, or None when unittest did not run it; class and module fixture
        results reported while it ran)."""
        self.results = []
        self.native.run(test)
        own = next((r for r in self.results if r.id == test.id), None)
        return own, [r for r in self.results if r is not own]

    def cause(self, test: NativeTest) -> CaseResult | None:
        """Why unittest skipped running a test: its class's or its module's setup."""
        cls = type(test.test)
        return self.setups.get(f"{cls.__module__}.{cls.__qualname__}") or self.setups.get(cls.__module__)

    def end(self, module: str | None) -> list[CaseResult]:
        """End the running class; also its module unless `module` (the next test's) is it."""
        self.results = []
        if module is None:
            self.native.finish()
        else:
            self.native.between(module)
        return self.results

    def close(self) -> None:
        self.results = []
        self.native.close()


_RUNS = pytest.StashKey[_Runs]()


def _runs(config: pytest.Config) -> _Runs:
    runs = config.stash.get(_RUNS, None)
    if runs is None:
        runs = config.stash[_RUNS] = _Runs(config)
    return runs


def close(config: pytest.Config) -> None:
    """The end of the session: the last fixtures end, and the process is put back."""
    runs = config.stash.get(_RUNS, None)
    if runs is not None:
        runs.close()
