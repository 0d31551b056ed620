"""Which objects of a module are pytest-style tests, in pytest's order, with pytest's ids:
`python_functions` functions and `python_classes` classes (no TestCase, no `__init__`),
module `__dict__` order, a class's own tests after its bases'."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Iterator
from typing import Any

from thinking_tests.case import Case
from thinking_tests.pytest_config import PytestSettings
from thinking_tests.pytest_style.case import Where, arg_names_of, error_case, make_case
from thinking_tests.pytest_style.fixture_params import NONE, fixture_params
from thinking_tests.pytest_style.conftests import ConftestReader
from thinking_tests.pytest_style.context import ClassContext, ModuleContext, class_context, module_context
from thinking_tests.pytest_style import InvalidTest, NeedsPytest, needs
from thinking_tests.pytest_style.marks import marks_of
from thinking_tests.pytest_style.parametrize import callspecs, indirect_names
from thinking_tests.pytest_style.xunit import FixtureMarker, fixture_marker, is_fixture
from thinking_tests.registry import Registry


def collect_module(
    namespace: dict[str, Any],
    file: str,
    settings: PytestSettings,
    registry: Registry,
    unittest_runs_module_fixtures: bool = False,
    conftests: ConftestReader | None = None,
) -> list[tuple[int, Case]]:
    """The module's pytest-style tests as cases, each with the line it sorts by (its
    module-level function's or class's), in pytest's order."""
    found: list[tuple[int, Case]] = []
    defined_in = namespace.get("__name__")
    marker = fixture_marker()
    module: ModuleContext | None = None
    for name, obj in list(namespace.items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        if isinstance(obj, type):
            if not _is_test_class(obj, name, settings):
                continue
        elif not _is_test_function(obj, name, settings, marker):
            continue
        if getattr(obj, "__thinking_tests__", 0):
            continue  # declared with @test: collected as that
        if not settings.collect_imported_tests and getattr(obj, "__module__", None) != defined_in:
            continue
        if module is None:
            module = module_context(namespace, file, settings, registry, unittest_runs_module_fixtures, conftests)
        if isinstance(obj, type):
            cases = list(_class_cases(module, obj, name, []))
            anchor = min((_line(f) for f in vars(obj).values() if inspect.isfunction(f)), default=0)
            anchor = anchor or (cases[0].line if cases else 0)
        else:
            function = getattr(obj, "__func__", obj)
            cases = list(_function_cases(module, function, name, []))
            anchor = _line(function)
        found.extend((anchor, case) for case in cases)
    return found


def _nose_test(obj: object) -> bool:
    try:
        return getattr(obj, "__test__", False) is True
    except Exception:
        return False


def _is_test_class(obj: type, name: str, settings: PytestSettings) -> bool:
    if not (settings.matches_class(name) or _nose_test(obj)):
        return False
    if inspect.isabstract(obj):
        return False
    unittest = sys.modules.get("unittest")
    # TestCase classes are unittest's, collected as such (pytest's unittest plugin too).
    return not (unittest is not None and issubclass(obj, unittest.TestCase))


def _is_test_function(obj: object, name: str, settings: PytestSettings, marker: FixtureMarker | None) -> bool:
    if not (settings.matches_function(name) or _nose_test(obj)):
        return False
    if isinstance(obj, (staticmethod, classmethod)):
        obj = getattr(obj, "__func__", None)
    if not callable(obj) or is_fixture(obj, marker):
        return False
    function = getattr(obj, "__func__", obj)
    if not (inspect.isfunction(function) or inspect.isfunction(inspect.unwrap(function))):
        return False  # pytest warns that it cannot collect it, and runs nothing
    try:
        return bool(getattr(function, "__test__", True))
    except Exception:
        return True


def _code(func: object, fallback: object) -> Any:
    """The code of the function a decorator wraps (`fallback` when its __wrapped__ loops)."""
    try:
        return getattr(inspect.unwrap(func), "__code__", None)  # type: ignore[arg-type]
    except ValueError:
        return fallback


def _line(func: object) -> int:
    code = _code(func, getattr(func, "__code__", None))
    return code.co_firstlineno if code is not None else 0


def _file(func: object, default: str) -> str:
    code = _code(func, None)
    return os.path.abspath(code.co_filename) if code is not None else default


def _class_cases(module: ModuleContext, cls: type, name: str, outer: list[ClassContext]) -> Iterator[Case]:
    try:
        if not getattr(cls, "__test__", True):
            return
    except Exception:
        pass
    if _has_own(cls, "__init__") or _has_own(cls, "__new__"):
        return  # pytest warns that it cannot collect the class, and runs nothing of it
    chain = [*outer, class_context(module, cls, name, outer)]
    seen: set[str] = set()
    groups: list[list[Case]] = []
    for namespace in [vars(cls), *(vars(base) for base in cls.__mro__)]:
        group: list[Case] = []
        for attr, obj in list(namespace.items()):
            if attr in seen or (attr.startswith("__") and attr.endswith("__")):
                continue
            seen.add(attr)
            if isinstance(obj, type):
                if _is_test_class(obj, attr, module.settings):
                    group.extend(_class_cases(module, obj, attr, chain))
            elif _is_test_function(obj, attr, module.settings, module.marker):
                function = getattr(obj, "__func__", obj)
                if getattr(function, "__thinking_tests__", 0):
                    continue
                static = isinstance(inspect.getattr_static(cls, attr, None), staticmethod)
                group.extend(_function_cases(module, function, attr, chain, static))
        groups.append(group)
    for group in reversed(groups):  # base classes' tests first, as pytest orders them
        yield from group


def _has_own(cls: type, name: str) -> bool:
    value = getattr(cls, name, None)
    return bool(value) and value != getattr(object, name)


def _function_cases(
    module: ModuleContext, func: Any, name: str, chain: list[ClassContext], static: bool = False
) -> Iterator[Case]:
    prefix = f"{chain[-1].path.partition('::')[2]}::" if chain else ""
    base = f"{prefix}{name}"
    file, line = _file(func, module.file), _line(func)
    own = marks_of(func)
    outer = [mark for c in reversed(chain) for mark in c.marks] + module.marks
    nodeid = f"{module.name}::{base}"
    try:
        calls = callspecs(own + outer, func, nodeid)
        indirect = indirect_names(own + outer)
        from_fixtures = NONE
        if module.marker is not None:  # no pytest imported: no pytest fixture either
            arg_names = arg_names_of(func, bool(chain), static)
            from_fixtures = fixture_params(module, chain, func, arg_names, own + outer, nodeid)
    except (NeedsPytest, InvalidTest) as problem:
        yield error_case(Where(module, base, None, file, line), problem, None, ())
        return
    except Exception as error:  # pytest's own API changed, or a parametrize it refuses
        problem = needs(base, f"its parametrize evaluated ({type(error).__name__}: {error})", "does")
        yield error_case(Where(module, base, None, file, line), problem, None, ())
        return
    blocker = f"parametrize(indirect=...) of '{indirect[0]}'" if indirect else None
    if from_fixtures.fixture is not None:
        blocker = blocker or f"fixture '{from_fixtures.fixture}'"
    if from_fixtures.unknown is not None:
        # pytest alone knows this test's parameter sets: one case stands for all of them.
        where = Where(module, base, None, file, line)
        yield make_case(where, func, name, chain, own + outer, {}, static, blocker, from_fixtures.unknown)
        return
    for _, fixture_ids, fixture_marks in from_fixtures.calls:
        for params, ids, param_marks in calls:
            shown = [*fixture_ids, *ids]
            param_id = "-".join(shown) if shown else None
            case_name = f"{base}[{param_id}]" if param_id is not None else base
            where = Where(module, case_name, param_id, file, line)
            marks = own + fixture_marks + param_marks + outer
            direct = {k: v for k, v in params.items() if k not in indirect}  # the rest go to fixtures
            yield make_case(where, func, name, chain, marks, direct, static, blocker)
