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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from thinking_tests.case import Case
from thinking_tests.model import ExceptionInfo
from thinking_tests.paths import shown
from thinking_tests.registry import Registry, module_name
from thinking_tests.runner import exception_info

if TYPE_CHECKING:
    import unittest

# Files in a test package that are not test modules.
SKIPPED_FILES = frozenset(
    {"__init__", "__main__", "run_all", "conftest", "__test__", "__tests__", "__testing__"}
)


@dataclass(frozen=True)
class Target:
    """What a run covers: a package and everything below it, or one module."""

    kind: str  # "package" or "module"
    name: str  # dotted name
    path: str  # the package's directory or the module's file
    namespace: dict[str, Any] | None = None  # a module already executed (run as __main__)

    def covers(self, module: str, file: str) -> bool:
        if self.kind == "module":
            return file == self.path or module == self.name
        return module == self.name or module.startswith(self.name + ".")


@dataclass(frozen=True)
class NativeTest:
    """A test method of a `unittest.TestCase` class found in a collected module."""

    id: str
    module: str
    name: str
    test: unittest.TestCase
    file: str
    line: int
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
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


Item = Case | NativeTest | ImportFailure


@dataclass
class Collection:
    items: list[Item] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)


def walk_package(name: str, directory: str) -> Iterator[tuple[str, str, bool]]:
    """(dotted name, file, is_package) of every module below a package, in name order."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir():
            init = os.path.join(entry.path, "__init__.py")
            if entry.name.isidentifier() and os.path.isfile(init):
                yield f"{name}.{entry.name}", init, True
        elif entry.name.endswith(".py"):
            stem = entry.name[:-3]
            if stem.isidentifier() and stem not in SKIPPED_FILES:
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
    )


def native_tests(namespace: dict[str, Any], file: str) -> list[NativeTest]:
    """The TestCase test methods defined (not merely imported) in a module, in source order."""
    unittest = sys.modules.get("unittest")
    if unittest is None:  # no module imported unittest, so none defines a TestCase
        return []
    defined_in = namespace.get("__name__")
    real_name = module_name(namespace, file)
    found: list[NativeTest] = []
    loader = unittest.defaultTestLoader
    for value in list(namespace.values()):
        if not (
            isinstance(value, type)
            and issubclass(value, unittest.TestCase)
            and value.__module__ == defined_in
        ):
            continue
        for test in loader.loadTestsFromTestCase(value):
            if not isinstance(test, unittest.TestCase):
                continue
            method = getattr(test, "_testMethodName", "runTest")
            # unittest.skip wraps the method: the wrapper's line is in unittest's own file,
            # and sorting by it would split the class (setUpClass would then run twice).
            function = getattr(value, method, None)
            try:
                function = inspect.unwrap(function) if function is not None else None
            except ValueError:
                pass
            code = getattr(function, "__code__", None)
            line = code.co_firstlineno if code is not None else 0
            name = f"{value.__qualname__}::{method}"
            doc = test.shortDescription() or ""
            found.append(NativeTest(f"{real_name}::{name}", real_name, name, test, file, line, doc))
    return found


def collect(targets: list[Target], registry: Registry) -> Collection:
    """Import every target and list its items: modules in name order, cases in source order."""
    failures: list[ImportFailure] = []
    for target in targets:
        import_tree(target, failures)
    by_module: dict[str, list[Item]] = {}
    seen_files: set[str] = set()
    # A module that failed to import is its one error case: the cases it declared before
    # failing belong to a half-run module and do not run.
    broken = {failure.module for failure in failures}
    for entry in registry.entries():
        if entry.name in broken:
            continue
        if any(t.covers(entry.name, entry.file) for t in targets):
            by_module.setdefault(entry.name, []).extend(entry.cases)
    for name, namespace, file in _covered_namespaces(targets):
        if file in seen_files:
            continue
        seen_files.add(file)
        natives = native_tests(namespace, file)
        if natives:
            items = by_module.setdefault(module_name(namespace, file), [])
            items.extend(natives)
            items.sort(key=lambda item: item.line)
    for failure in failures:
        by_module.setdefault(failure.module, []).insert(0, failure)
    collection = Collection(failures=failures)
    for module in sorted(by_module):
        collection.items.extend(by_module[module])
    return collection


def _covered_namespaces(targets: list[Target]) -> Iterator[tuple[str, dict[str, Any], str]]:
    for target in targets:
        if target.namespace is not None:
            yield target.name, target.namespace, target.path
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name == "__main__":
            continue
        file = os.path.abspath(file)
        if any(t.covers(name, file) for t in targets):
            yield name, vars(module), file
