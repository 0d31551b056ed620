"""The tests unittest's loader gives for the collected modules, as `python -m unittest
discover` loads them: TestCase tests in the loader's order, whatever a module's or package's
`load_tests` returns (doctests, FunctionTestCases), each as a NativeTest with the id, file
and line the reports show. Used by the default engine's collection and, under pytest, by
`pytest_suite`.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from types import ModuleType
from typing import Any

from thinking_tests.discover import walk_package
from thinking_tests.items import ImportFailure, Item, NativeTest, Target
from thinking_tests.model import ExceptionInfo, record
from thinking_tests.paths import shown
from thinking_tests.registry import package_root

# The file names unittest's discovery loads tests from (its default pattern), and pytest's.
UNITTEST_PATTERN = "test*.py"


def _is_test_file(file: str) -> bool:
    """A module unittest or pytest loads tests from by its name: test*.py or *_test.py."""
    from fnmatch import fnmatchcase

    base = os.path.basename(file)
    return fnmatchcase(base, UNITTEST_PATTERN) or base.endswith("_test.py")


@record
class Source:
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


def sources(targets: list[Target], declaring: set[str]) -> Iterator[Source]:
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
                yield Source(module, target.name, os.path.abspath(target.path), None, False)
            continue
        init = os.path.join(target.path, "__init__.py")
        yield from _package_sources(target.name, init, declaring)


def _package_sources(name: str, init: str, declaring: set[str]) -> Iterator[Source]:
    package = sys.modules.get(name)
    if package is None:  # it failed to import: its ImportFailure stands for it
        return
    yield Source(package, name, os.path.abspath(init), UNITTEST_PATTERN, True)
    if getattr(package, "load_tests", None) is not None:
        return
    for sub, file, is_package in walk_package(name, os.path.dirname(init)):
        if is_package:
            yield from _package_sources(sub, file, declaring)
            continue
        module = sys.modules.get(sub)
        file = os.path.abspath(file)
        if module is not None and (_is_test_file(file) or file in declaring):
            yield Source(module, sub, file, UNITTEST_PATTERN, False)


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
    test: Any, source: Source, unittest: ModuleType
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


def native_tests(source: Source, loader: Any) -> list[tuple[Item, int]]:
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


def _bad_load_tests(source: Source, returned: object) -> ImportFailure:
    function = getattr(source.module, "load_tests", None)
    line = _code_line(function)
    message = (
        f"load_tests of {source.name} returned {type(returned).__name__}, not a test suite "
        f"({shown(source.file)}:{line})"
    )
    info = ExceptionInfo("TypeError", message, "")
    return ImportFailure(f"{source.name}::load_tests", source.name, "load_tests", source.file, line, info, message)


def unique(items: list[Item]) -> None:
    """unittest runs a test as often as a suite holds it: number the repeats so ids stay
    one per result."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, NativeTest):
            continue
        count = seen[item.id] = seen.get(item.id, 0) + 1
        if count > 1:
            items[index] = replace(item, id=f"{item.id}#{count}", name=f"{item.name}#{count}")


def skipped_import(failure: ImportFailure) -> NativeTest:
    """A module that skipped itself at import: one skipped test, as unittest has it."""
    import unittest

    reason = failure.error if isinstance(failure.error, unittest.SkipTest) else unittest.SkipTest(str(failure.error))
    suite = unittest.loader._make_skipped_test(failure.module, reason, unittest.TestSuite)
    (test,) = list(suite)
    return NativeTest(failure.id, failure.module, failure.name, test, failure.file, failure.line)
