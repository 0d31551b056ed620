"""Collecting: import the modules a run names, then list what they declared, in run order.

Modules are imported in name order, packages recursively. A module that fails to import
becomes an error item naming it and the line that failed; the others still run.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

from thinking_tests.case import Case
from thinking_tests.discover import pytest_settings, pytest_style_cases, should_import
from thinking_tests.exception_text import exception_info
from thinking_tests.model import ExceptionInfo, record
from thinking_tests.paths import shown
from thinking_tests.pytest_config import PytestSettings
from thinking_tests.registry import Registry, package_root

# Files in a test package that are not test modules.
SKIPPED_FILES = frozenset(
    {"__init__", "__main__", "run_all", "conftest", "__test__", "__tests__", "__testing__"}
)


@record
class Target:
    """What a run covers: a package and everything below it, or one module, or the cases of
    a module a pytest node id names."""

    kind: str  # "package" or "module"
    name: str  # dotted name
    path: str  # the package's directory or the module's file
    namespace: dict[str, Any] | None = None  # a module already executed (run as __main__)
    # Found in a directory (not a package) given on the command line, or in the current
    # directory when none was given (`named` false): the pytest engine hands pytest that
    # directory, or no path at all, so pytest collects there by the project's own rules.
    directory: str = ""
    named: bool = True
    # A pytest node id's part after the module: "name", "name[param]", "Class::method".
    node: str = ""

    def covers(self, module: str, file: str) -> bool:
        if self.kind == "module":
            return file == self.path or module == self.name
        return module == self.name or module.startswith(self.name + ".")

    def selects(self, module: str, name: str) -> bool:
        """Whether a node-id target names this case: itself, a param of it, or a class's."""
        if module != self.name:
            return False
        node = self.node
        return name == node or name.startswith((node + "[", node + "::"))


@record
class NativeTest:
    """A test that unittest's loader gives for a collected module: a TestCase test method, or
    whatever its load_tests added (a doctest, a FunctionTestCase, any callable test)."""

    id: str
    module: str
    name: str
    test: Any  # what unittest runs: a TestCase, mostly, but a suite may hold any callable
    file: str
    line: int
    description: str = ""
    tags: tuple[str, ...] = ()


@record
class ImportFailure:
    """A module that could not be imported: reported as one error case."""

    id: str
    module: str
    name: str
    file: str
    line: int
    info: ExceptionInfo
    message: str
    description: str = ""
    tags: tuple[str, ...] = ()
    error: BaseException | None = field(default=None, compare=False, repr=False)


Item = Case | NativeTest | ImportFailure


@dataclass(repr=False, eq=False)
class Collection:
    """The collected cases, and the modules that failed to import."""

    items: list[Item] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)


def walk_package(name: str, directory: str) -> Iterator[tuple[str, str, bool]]:
    """(dotted name, file, is_package) of every module below a package, in name order.

    A module pytest would not collect is left out unless its source declares something
    (see `discover`): a helper module is never imported just for being there.
    """
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    settings: PytestSettings | None = None
    for entry in entries:
        if entry.is_dir():
            init = os.path.join(entry.path, "__init__.py")
            if entry.name.isidentifier() and os.path.isfile(init):
                yield f"{name}.{entry.name}", init, True
        elif entry.name.endswith(".py"):
            stem = entry.name[:-3]
            if stem.isidentifier() and stem not in SKIPPED_FILES:
                if settings is None:
                    settings = pytest_settings(directory)
                if should_import(entry.path, settings):
                    yield f"{name}.{stem}", entry.path, False


def import_tree(target: Target, failures: list[ImportFailure]) -> None:
    """Import the target's module, or its package and every module below it."""
    if target.namespace is not None:
        return  # already executed, e.g. the module running as __main__
    if not _import(target.name, target.path, failures):
        return
    if target.kind == "package":
        _import_below(target.name, target.path, failures)


def _import_below(package: str, directory: str, failures: list[ImportFailure]) -> None:
    for name, file, is_package in walk_package(package, directory):
        if _import(name, file, failures) and is_package:
            _import_below(name, os.path.dirname(file), failures)


def _import(name: str, file: str, failures: list[ImportFailure]) -> bool:
    try:
        importlib.import_module(name)
        return True
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit at import time is a broken module too
        failures.append(import_failure(name, file, error))
        return False


def import_failure(name: str, file: str, error: BaseException) -> ImportFailure:
    info = exception_info(error, explain=False)
    line = 0
    tb = error.__traceback__
    while tb is not None:  # the deepest line of this module: the import line that failed
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(file):
            line = tb.tb_lineno
        tb = tb.tb_next
    if line == 0 and isinstance(error, SyntaxError) and error.lineno:
        line = error.lineno
    where = f"{shown(file)}:{line}" if line else shown(file)
    first = info.message.strip().splitlines()[0] if info.message.strip() else ""
    message = f"module {name} failed to import: {info.type_name}: {first} ({where})"
    return ImportFailure(
        id=f"{name}::<import>",
        module=name,
        name="<import>",
        file=file,
        line=line,
        info=info,
        message=message,
        error=error,
    )


# The file names unittest's discovery loads tests from (its default pattern), and pytest's.
UNITTEST_PATTERN = "test*.py"


def _is_test_file(file: str) -> bool:
    """A module unittest or pytest loads tests from by its name: test*.py or *_test.py."""
    from fnmatch import fnmatchcase

    base = os.path.basename(file)
    return fnmatchcase(base, UNITTEST_PATTERN) or base.endswith("_test.py")


@record
class _Source:
    """A module the unittest loader takes TestCase tests from, as discovery would."""

    module: ModuleType
    name: str  # its real dotted name, also when it runs as __main__
    file: str
    pattern: str | None  # what its load_tests gets: "test*.py" when discovered, None when named
    package: bool


def _main_module(namespace: dict[str, Any]) -> ModuleType:
    main = sys.modules.get("__main__")
    if main is not None and vars(main) is namespace:
        return main
    module = ModuleType(str(namespace.get("__name__", "__main__")))
    module.__dict__.update(namespace)
    return module


def _sources(targets: list[Target], declaring: set[str]) -> Iterator[_Source]:
    """The modules to load TestCase tests from, in discovery order.

    As `python -m unittest discover`: a package's `__init__` always (its TestCase classes and
    its load_tests), then, unless that package has a load_tests (which then decides what the
    package runs), its modules named test*.py and its subpackages, in name order. Also every
    module that declares @test cases, and a module named as a target.
    """
    for target in targets:
        if target.kind == "module":
            if target.namespace is not None:
                module: ModuleType | None = _main_module(target.namespace)
            else:
                module = sys.modules.get(target.name)
            if module is not None:
                yield _Source(module, target.name, os.path.abspath(target.path), None, False)
            continue
        init = os.path.join(target.path, "__init__.py")
        yield from _package_sources(target.name, init, declaring)


def _package_sources(name: str, init: str, declaring: set[str]) -> Iterator[_Source]:
    package = sys.modules.get(name)
    if package is None:  # it failed to import: its ImportFailure stands for it
        return
    yield _Source(package, name, os.path.abspath(init), UNITTEST_PATTERN, True)
    if getattr(package, "load_tests", None) is not None:
        return
    for sub, file, is_package in walk_package(name, os.path.dirname(init)):
        if is_package:
            yield from _package_sources(sub, file, declaring)
            continue
        module = sys.modules.get(sub)
        file = os.path.abspath(file)
        if module is not None and (_is_test_file(file) or file in declaring):
            yield _Source(module, sub, file, UNITTEST_PATTERN, False)


def _leaves(suite: Any, unittest: ModuleType) -> Iterator[Any]:
    """The tests of a suite, nested suites flattened, in the order the suite runs them."""
    for test in suite:
        if isinstance(test, unittest.suite.BaseTestSuite):
            yield from _leaves(test, unittest)
        else:
            yield test


def _code_line(function: Any) -> int:
    try:  # unittest.skip and other decorators wrap the method: the line is the user's
        function = inspect.unwrap(function)
    except ValueError:
        pass
    code = getattr(function, "__code__", None)
    return code.co_firstlineno if code is not None else 0


def _class_line(cls: type) -> int:
    """Where a class starts, about: its first function (cheaper than reading its source)."""
    lines = [_code_line(value) for value in vars(cls).values() if callable(value)]
    return min((line for line in lines if line), default=0)


def _native(
    test: Any, source: _Source, unittest: ModuleType
) -> tuple[NativeTest, int]:
    """One test of a source's suite as an item, and where it sits among the source's @test
    cases (the line of its class, for merging)."""
    cls = type(test)
    method = getattr(test, "_testMethodName", None)
    own = source.module.__name__  # "__main__" when the module runs as the main program
    defined_in = cls.__module__
    module, file = source.name, source.file
    if defined_in == own:
        pass
    elif source.package and defined_in.startswith(source.name + "."):
        # A package's load_tests gathering the tests of its modules: each keeps its module.
        module = defined_in
        file = os.path.abspath(getattr(sys.modules.get(defined_in), "__file__", "") or file)
    line, key = 0, 0
    description = ""
    try:
        identifier = str(test.id())
    except Exception:
        identifier = repr(test)
    if (
        isinstance(test, unittest.TestCase)
        and method
        and identifier == f"{unittest.util.strclass(cls)}.{method}"
    ):
        name = f"{cls.__qualname__}::{method}"
        if defined_in in (own, module):
            line, key = _code_line(getattr(cls, method, None)), _class_line(cls)
    else:
        name = identifier  # a doctest's name, a FunctionTestCase's function, ...
        # Where it comes from, in the module's own file: the load_tests that added it.
        line = key = _code_line(getattr(source.module, "load_tests", None))
    if isinstance(test, unittest.TestCase):
        try:
            description = test.shortDescription() or ""
        except Exception:
            description = ""
    native = NativeTest(f"{module}::{name}", module, name, test, file, line, description)
    return native, key


def native_tests(source: _Source, loader: Any) -> list[tuple[Item, int]]:
    """The tests unittest's loader gives for a module (its load_tests included), in its order,
    each with its merge key."""
    import unittest

    # As discovery does: a package's load_tests that calls loader.discover() on its own
    # directory must not load the package again, and names modules from the same root.
    loader._top_level_dir = package_root(source.file)
    if source.package:
        loader._loading_packages.add(source.module.__name__)
    try:
        suite = loader.loadTestsFromModule(source.module, pattern=source.pattern)
    finally:
        loader._loading_packages.discard(source.module.__name__)
    if not isinstance(suite, unittest.suite.BaseTestSuite):
        if not callable(suite):  # unittest itself would stop the whole run on it
            return [(_bad_load_tests(source, suite), 0)]
        suite = [suite]  # one test instead of a suite
    return [_native(test, source, unittest) for test in _leaves(suite, unittest)]


def _bad_load_tests(source: _Source, returned: object) -> ImportFailure:
    function = getattr(source.module, "load_tests", None)
    line = _code_line(function)
    message = (
        f"load_tests of {source.name} returned {type(returned).__name__}, not a test suite "
        f"({shown(source.file)}:{line})"
    )
    info = ExceptionInfo("TypeError", message, "")
    return ImportFailure(f"{source.name}::load_tests", source.name, "load_tests", source.file, line, info, message)


def _interleave(items: list[Item], placed: list[tuple[int, Item]], ties_first: bool) -> list[Item]:
    """`items` (in line order) with each of `placed` put at its line (`(line, item)`, in their
    own order): the items above that line (and on it, with `ties_first`) go before it. Each
    group keeps its own order, so a class's tests stay together."""
    merged: list[Item] = []
    index = 0
    for anchor, item in placed:
        while index < len(items) and (
            items[index].line < anchor or (ties_first and items[index].line == anchor)
        ):
            merged.append(items[index])
            index += 1
        merged.append(item)
    merged.extend(items[index:])
    return merged


def _unique(items: list[Item]) -> None:
    """unittest runs a test as often as a suite holds it: number the repeats so ids stay
    one per result."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, NativeTest):
            continue
        count = seen[item.id] = seen.get(item.id, 0) + 1
        if count > 1:
            items[index] = replace(item, id=f"{item.id}#{count}", name=f"{item.name}#{count}")


def _skips(error: BaseException) -> bool:
    """Whether an import error is a skip: unittest's SkipTest, or pytest's Skipped (only a
    process that imported those modules can raise them)."""
    unittest, outcomes = sys.modules.get("unittest"), sys.modules.get("_pytest.outcomes")
    return (unittest is not None and isinstance(error, unittest.SkipTest)) or (
        outcomes is not None and isinstance(error, outcomes.Skipped)
    )


def _skipped_import(failure: ImportFailure) -> NativeTest:
    """A module that skipped itself at import: one skipped test, as unittest has it."""
    import unittest

    reason = failure.error if isinstance(failure.error, unittest.SkipTest) else unittest.SkipTest(str(failure.error))
    suite = unittest.loader._make_skipped_test(failure.module, reason, unittest.TestSuite)
    (test,) = list(suite)
    return NativeTest(failure.id, failure.module, failure.name, test, failure.file, failure.line)


def collect(targets: list[Target], registry: Registry) -> Collection:
    """Import every target and list its items, modules in name order; in a module, TestCase
    tests in unittest's own order (load_tests included), @test cases in source order."""
    failures: list[ImportFailure] = []
    for target in targets:
        import_tree(target, failures)
    # A module that raised SkipTest (or pytest's module-level skip, importorskip) on import
    # is skipped, not broken.
    skipped = [f for f in failures if _skips(f.error)]
    failures = [f for f in failures if f not in skipped]
    unittest = sys.modules.get("unittest")
    by_module: dict[str, list[Item]] = {}
    # A module that failed to import is its one error case: the cases it declared before
    # failing belong to a half-run module and do not run.
    broken = {failure.module for failure in failures + skipped}
    declaring: set[str] = set()
    for entry in registry.entries():
        if entry.name in broken:
            continue
        if any(t.covers(entry.name, entry.file) for t in targets):
            by_module.setdefault(entry.name, []).extend(entry.cases)
            if entry.cases:
                declaring.add(os.path.abspath(entry.file))
    if unittest is not None:  # else no module imported unittest, so none defines a TestCase
        loader = unittest.TestLoader()
        seen_files: set[str] = set()
        for source in _sources(targets, declaring):
            if source.file in seen_files:
                continue
            seen_files.add(source.file)
            natives = native_tests(source, loader)
            if natives:
                own = by_module.setdefault(source.name, [])
                # TestCase tests in unittest's order; each @test case goes before the first
                # class that starts below it.
                own[:] = _interleave(own, [(key, native) for native, key in natives], False)
    # pytest-style test functions and classes, where pytest would collect them.
    natives_in = lambda module: any(isinstance(i, NativeTest) for i in by_module.get(module, ()))  # noqa: E731
    for module, found in pytest_style_cases(targets, registry, broken, natives_in):
        own = by_module.setdefault(module, [])
        own[:] = _interleave(own, found, True)
    for skip in skipped:
        by_module.setdefault(skip.module, []).insert(0, _skipped_import(skip))
    for failure in failures:
        by_module.setdefault(failure.module, []).insert(0, failure)
    collection = Collection(failures=failures)
    for module in sorted(by_module):
        collection.items.extend(by_module[module])
    _unique(collection.items)
    return collection
