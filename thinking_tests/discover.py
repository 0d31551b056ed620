"""Which files of a test package are test modules, and pytest's collection settings for them.

A module pytest would collect (`python_files`: `test_*.py` and `*_test.py` unless the
project's pytest configuration says otherwise) is imported; any other module only when a
look at its bytes shows it declares something. A helper pytest never imports (a file for a
type checker, `_helpers.py` with plain functions) is then not imported either, so it cannot
break a run that is green under pytest. The look is a regular expression over the raw
bytes, no parsing: start-up time matters more than catching a declaration hidden behind a
helper in a non-test-named module.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from thinking_tests.case import Case
    from thinking_tests.collect import Target
    from thinking_tests.registry import Registry

# What a module that declares tests mentions: this package, unittest and its protocol, or a
# pytest-style test function or class defined at the start of a line.
_DECLARES = re.compile(
    rb"thinking_tests|unittest|TestCase|load_tests"
    rb"|^[ \t]*(?:async[ \t]+)?def[ \t]+test|^[ \t]*class[ \t]+Test",
    re.MULTILINE,
)

# pytest's configuration files, in the order it looks for them in each directory, and the
# section that makes each one pytest's (pytest.ini counts even when empty).
_CONFIG_FILES = (
    ("pytest.ini", b""),
    (".pytest.ini", b""),
    ("pyproject.toml", b"[tool.pytest"),
    ("tox.ini", b"[pytest]"),
    ("setup.cfg", b"[tool:pytest]"),
)
_KEYS = (
    "python_files",
    "python_classes",
    "python_functions",
    "xfail_strict",
    "strict_xfail",
    "strict",
    "asyncio_mode",
    "collect_imported_tests",
)
_TRUE = frozenset({"true", "1", "yes", "y", "t", "on"})


@dataclass(frozen=True)
class PytestSettings:
    """The few pytest settings that decide what it collects and how an xfail ends."""

    python_files: tuple[str, ...] = ("test_*.py", "*_test.py")
    python_classes: tuple[str, ...] = ("Test",)
    python_functions: tuple[str, ...] = ("test",)
    strict_xfail: bool = False
    asyncio_mode: str = "strict"
    collect_imported_tests: bool = True

    def is_test_file(self, path: str) -> bool:
        """Whether pytest collects this file when it walks a directory (pytest's fnmatch_ex)."""
        name = os.path.basename(path)
        for pattern in self.python_files:
            if os.sep not in pattern and "/" not in pattern:
                if fnmatch.fnmatch(name, pattern):
                    return True
            elif fnmatch.fnmatch(path, pattern if os.path.isabs(pattern) else "*" + os.sep + pattern):
                return True
        return False


DEFAULT = PytestSettings()


def declares_tests(path: str) -> bool:
    """Whether a module's source mentions anything that declares tests (unreadable: yes,
    so importing it reports the problem)."""
    try:
        with open(path, "rb") as source:
            return _DECLARES.search(source.read()) is not None
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


def config_file(directory: str) -> str | None:
    """The file pytest takes its configuration from, looking up from `directory`."""
    current = os.path.abspath(directory)
    while True:
        for name, marker in _CONFIG_FILES:
            candidate = os.path.join(current, name)
            if not os.path.isfile(candidate):
                continue
            if not marker:
                return candidate
            try:
                with open(candidate, "rb") as handle:
                    if marker in handle.read():
                        return candidate
            except OSError:
                continue
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def pytest_settings(directory: str) -> PytestSettings:
    """The settings pytest would use for tests in `directory`: read only when its
    configuration file mentions one of them, which most do not."""
    path = config_file(directory)
    if path is None:
        return DEFAULT
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return DEFAULT
    if not any(key.encode() in data for key in _KEYS):
        return DEFAULT
    try:
        values = _read(path, data)
    except Exception:  # a file pytest itself would refuse; pytest says so on its engine
        return DEFAULT
    return _settings(values)


def _read(path: str, data: bytes) -> dict[str, object]:
    if path.endswith(".toml"):
        import tomllib

        tool = tomllib.loads(data.decode("utf-8")).get("tool", {}).get("pytest", {})
        ini = tool.get("ini_options")
        table = ini if isinstance(ini, dict) else tool
        return {key: table[key] for key in _KEYS if key in table}
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(data.decode("utf-8"), source=path)
    section = "tool:pytest" if path.endswith("setup.cfg") else "pytest"
    if not parser.has_section(section):
        return {}
    return {key: parser.get(section, key) for key in _KEYS if parser.has_option(section, key)}


def _words(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if isinstance(value, str):
        import shlex

        return tuple(shlex.split(value))
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return default


def _flag(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def _settings(values: dict[str, object]) -> PytestSettings:
    strict = _flag(values.get("strict_xfail", values.get("xfail_strict")))
    if strict is None:
        strict = bool(_flag(values.get("strict")))
    imported = _flag(values.get("collect_imported_tests"))
    return PytestSettings(
        python_files=_words(values.get("python_files"), DEFAULT.python_files),
        python_classes=_words(values.get("python_classes"), DEFAULT.python_classes),
        python_functions=_words(values.get("python_functions"), DEFAULT.python_functions),
        strict_xfail=strict,
        asyncio_mode=str(values.get("asyncio_mode", DEFAULT.asyncio_mode)).strip(),
        collect_imported_tests=True if imported is None else imported,
    )


def name_matches(name: str, options: tuple[str, ...]) -> bool:
    """pytest's match of a function or class name: a prefix, or a glob when it looks like one."""
    for option in options:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


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
    for namespace, file, explicit in _imported(targets, broken):
        settings = finder(os.path.dirname(file))
        if not (explicit or settings.is_test_file(file)) or not _has_candidates(namespace, settings):
            continue
        from thinking_tests.pytest_style import collect_module  # only where there are some
        from thinking_tests.registry import module_name

        name = module_name(namespace, file)
        found = collect_module(namespace, file, settings, registry, runs_unittest_fixtures(name))
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
            if name_matches(name, settings.python_classes) or getattr(obj, "__test__", None) is True:
                if case_class is None or not issubclass(obj, case_class):
                    return True
        elif callable(obj) and not getattr(obj, "__thinking_tests__", 0):
            if name_matches(name, settings.python_functions) or getattr(obj, "__test__", None) is True:
                if getattr(obj, "__test__", True) is not False:
                    return True
    return False


def merge(items: list[Any], found: list[tuple[int, Case]]) -> list[Any]:
    """A module's items (in line order) and its pytest-style cases, by line, each group
    keeping its own order: a class's tests stay together."""
    merged: list[Any] = []
    index = 0
    for anchor, case in found:
        while index < len(items) and items[index].line <= anchor:
            merged.append(items[index])
            index += 1
        merged.append(case)
    merged.extend(items[index:])
    return merged
