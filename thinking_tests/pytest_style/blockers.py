"""What makes every test of a module or class need pytest: a conftest.py that changes tests,
a pytest_generate_tests hook, an autouse fixture, setup_method of an enclosing class. Each
is named, so the error case says what to run with `--backend pytest` for."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from thinking_tests.pytest_style.xunit import FixtureMarker, first_non_fixture
from thinking_tests.paths import shown
from thinking_tests.registry import package_root

# A conftest.py that changes tests (hooks on items, autouse fixtures, plugins it loads).
_CONFTEST_CHANGES = re.compile(
    rb"autouse\s*=\s*True|^\s*pytest_plugins\s*="
    rb"|def\s+pytest_(?:collection|runtest_setup|runtest_call|runtest_teardown|runtest_protocol"
    rb"|runtest_makereport|pyfunc_call|generate_tests|itemcollected|make_parametrize_id"
    rb"|pycollect_makeitem)\b",
    re.MULTILINE,
)


def module_blocker(namespace: dict[str, Any], file: str, marker: FixtureMarker | None) -> str | None:
    blocker = _conftest_blocker(file)
    if blocker is None and callable(namespace.get("pytest_generate_tests")):
        blocker = "the module's pytest_generate_tests hook"
    if blocker is None:
        blocker = _autouse_blocker(namespace.items(), marker)
    return blocker


def class_blocker(cls: type, name: str, enclosing: Iterable[type], marker: FixtureMarker | None) -> str | None:
    if callable(getattr(cls, "pytest_generate_tests", None)):
        return f"the pytest_generate_tests hook of {name}"
    blocker = _autouse_blocker(((n, v) for base in cls.__mro__ for n, v in vars(base).items()), marker)
    if blocker is None and any(
        first_non_fixture(outer, ("setup_method", "teardown_method"), marker) is not None
        for outer in enclosing
    ):
        blocker = "setup_method of an enclosing class"
    return blocker


def _conftest_blocker(file: str) -> str | None:
    """What a conftest.py above the module adds that changes tests, named, if anything."""
    top = package_root(file)
    directory = os.path.dirname(os.path.abspath(file))
    while True:
        candidate = os.path.join(directory, "conftest.py")
        try:
            with open(candidate, "rb") as handle:
                found = _conftest_changes(handle.read())
        except OSError:
            found = None
        if found:
            return f"{shown(candidate)}'s {found}"
        if directory == top or os.path.dirname(directory) == directory:
            return None
        directory = os.path.dirname(directory)


def _conftest_changes(source: bytes) -> str | None:
    """"autouse fixtures and pytest_runtest_setup hook": what a conftest's source adds."""
    hooks: list[str] = []
    kinds: list[str] = []
    for match in _CONFTEST_CHANGES.finditer(source):
        text = match[0].decode()
        if text.startswith("autouse"):
            kinds.append("autouse fixtures")
        elif "pytest_plugins" in text:
            kinds.append("plugins (pytest_plugins)")
        else:
            hooks.append(text.split()[-1])
    hooks = list(dict.fromkeys(hooks))
    if hooks:
        named = hooks[0] if len(hooks) == 1 else f"{', '.join(hooks[:-1])} and {hooks[-1]}"
        kinds.append(f"{named} hook{'s' if len(hooks) > 1 else ''}")
    return " and ".join(dict.fromkeys(kinds)) or None


def _autouse_blocker(entries: Iterable[tuple[str, Any]], marker: FixtureMarker | None) -> str | None:
    if marker is None:
        return None
    for name, obj in list(entries):
        try:
            definition = marker(obj)
        except Exception:
            continue
        if definition is not None and getattr(definition, "autouse", False):
            return f"the autouse fixture '{name}'"
    return None
