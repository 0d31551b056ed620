"""Collecting: import the modules a run names, then list what they declared, in run order.

Modules are imported in name order, packages recursively. A module that fails to import
becomes an error item naming it and the line that failed; the others still run. What a
module declared comes from the registry (@test cases), unittest's loader (`native_tests`)
and pytest's naming rules (`discover`).
"""

from __future__ import annotations

import importlib
import os
import sys

from thinking_tests.discover import pytest_style_cases, walk_package
from thinking_tests.exception_text import exception_info
from thinking_tests.items import Collection, ImportFailure, Item, NativeTest, Target
from thinking_tests.native_tests import native_tests, skipped_import, sources, unique
from thinking_tests.paths import shown
from thinking_tests.registry import Registry


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


def _skips(error: BaseException) -> bool:
    """Whether an import error is a skip: unittest's SkipTest, or pytest's Skipped (only a
    process that imported those modules can raise them)."""
    unittest, outcomes = sys.modules.get("unittest"), sys.modules.get("_pytest.outcomes")
    return (unittest is not None and isinstance(error, unittest.SkipTest)) or (
        outcomes is not None and isinstance(error, outcomes.Skipped)
    )


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
        for source in sources(targets, declaring):
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
        by_module.setdefault(skip.module, []).insert(0, skipped_import(skip))
    for failure in failures:
        by_module.setdefault(failure.module, []).insert(0, failure)
    collection = Collection(failures=failures)
    for module in sorted(by_module):
        collection.items.extend(by_module[module])
    unique(collection.items)
    return collection
