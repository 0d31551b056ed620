"""Which files of a test package are test modules, and which imported modules hold pytest-style tests.

A module pytest would collect (`python_files`: `test_*.py` and `*_test.py` unless the
project's pytest configuration says otherwise) is imported; any other module only when a
look at its bytes shows it declares something. A helper pytest never imports (a file for a
type checker, `_helpers.py` with plain functions) is then not imported either, so it cannot
break a run that is green under pytest. The look is a regular expression over the raw
bytes, no parsing: start-up time matters more than catching a declaration hidden behind a
helper in a non-test-named module.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from thinking_tests.pytest_config import COLLECTING, PytestSettings, read_settings

if TYPE_CHECKING:
    from thinking_tests.case import Case
    from thinking_tests.items import Target
    from thinking_tests.pytest_style.conftests import ConftestReader
    from thinking_tests.registry import Registry

# What a module that declares tests mentions: this package, unittest and its protocol, or a
# pytest-style test function or class defined at the start of a line. Compiled on first use
# (re keeps it): a run whose files all match python_files never needs it.
_DECLARES = (
    rb"thinking_tests|unittest|TestCase|load_tests"
    rb"|^[ \t]*(?:async[ \t]+)?def[ \t]+test|^[ \t]*class[ \t]+Test"
)


def declares_tests(path: str) -> bool:
    """Whether a module's source mentions anything that declares tests (unreadable: yes,
    so importing it reports the problem)."""
    try:
        with open(path, "rb") as source:
            return re.search(_DECLARES, source.read(), re.MULTILINE) is not None
    except OSError:
        return True


def should_import(path: str, settings: PytestSettings) -> bool:
    """Whether a module found below a test package is imported by a run."""
    return settings.is_test_file(path) or declares_tests(path)


class SettingsFinder:
    """pytest's settings for each directory, each configuration file read once per finder."""

    def __init__(self) -> None:
        self._by_directory: dict[str, PytestSettings] = {}

    def __call__(self, directory: str) -> PytestSettings:
        directory = os.path.abspath(directory)
        found = self._by_directory.get(directory)
        if found is None:
            found = self._by_directory[directory] = pytest_settings(directory)
        return found


def pytest_settings(directory: str) -> PytestSettings:
    """The settings pytest would use for tests in `directory`: its configuration file is
    parsed only when it mentions one a run reads, which most do not."""
    return read_settings(directory, needed=COLLECTING)


# Files in a test package that are not test modules.
SKIPPED_FILES = frozenset(
    {"__init__", "__main__", "run_all", "conftest", "__test__", "__tests__", "__testing__"}
)


def walk_package(name: str, directory: str) -> Iterator[tuple[str, str, bool]]:
    """(dotted name, file, is_package) of every module below a package, in name order.

    A module pytest would not collect is left out unless its source declares something
    (see `should_import`): a helper module is never imported just for being there.
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


def pytest_style_cases(
    targets: Sequence[Target],
    registry: Registry,
    broken: set[str],
    runs_unittest_fixtures: Callable[[str], bool],
) -> Iterator[tuple[str, list[tuple[int, Case]]]]:
    """(module, its pytest-style tests as cases with the line each sorts by) of every module
    of the targets that pytest would collect tests from: a module named as a target, and
    below a package the modules `python_files` matches. `runs_unittest_fixtures(module)`
    tells whether unittest calls that module's setUpModule (it holds TestCase tests)."""
    finder = SettingsFinder()
    conftests: ConftestReader | None = None  # each conftest.py read once per run
    for namespace, file, explicit in _imported(targets, broken):
        settings = finder(os.path.dirname(file))
        if not (explicit or settings.is_test_file(file)) or not _has_candidates(namespace, settings):
            continue
        from thinking_tests.pytest_style.collect import collect_module  # only where there are some
        from thinking_tests.pytest_style.conftests import ConftestReader
        from thinking_tests.registry import module_name

        conftests = conftests or ConftestReader()
        name = module_name(namespace, file)
        found = collect_module(namespace, file, settings, registry, runs_unittest_fixtures(name), conftests)
        if found:
            yield name, found


def _imported(
    targets: Sequence[Target], broken: set[str]
) -> Iterator[tuple[dict[str, Any], str, bool]]:
    """(namespace, file, named as a target) of every imported module the targets cover."""
    seen: set[str] = set()
    for target in targets:
        if target.namespace is not None:  # the module running as __main__
            file = os.path.abspath(target.path)
            seen.add(file)
            yield target.namespace, file, True
    packages = tuple(t.name + "." for t in targets if t.kind == "package")
    named = {t.name: t.kind == "module" for t in targets if t.namespace is None}
    for name, module in list(sys.modules.items()):
        # By name first: most of sys.modules is the standard library and the like.
        explicit = named.get(name)
        if explicit is None:
            if not name.startswith(packages):
                continue
            explicit = False
        if name == "__main__" or name in broken:
            continue
        file = getattr(module, "__file__", None)
        if not file:
            continue
        file = os.path.abspath(file)
        if file not in seen:
            seen.add(file)
            yield vars(module), file, explicit


def _has_candidates(namespace: dict[str, Any], settings: PytestSettings) -> bool:
    """Whether a module holds anything pytest might collect as a test (a quick first look)."""
    unittest = sys.modules.get("unittest")
    case_class = unittest.TestCase if unittest is not None else None
    for name, obj in list(namespace.items()):
        if isinstance(obj, type):
            if settings.matches_class(name) or getattr(obj, "__test__", None) is True:
                if case_class is None or not issubclass(obj, case_class):
                    return True
        elif callable(obj) and not getattr(obj, "__thinking_tests__", 0):
            if settings.matches_function(name) or getattr(obj, "__test__", None) is True:
                if getattr(obj, "__test__", True) is not False:
                    return True
    return False
