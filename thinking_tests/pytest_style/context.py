"""What every pytest-style test of one module, and of one class, shares: marks, xunit
fixtures and what makes them all need pytest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thinking_tests.pytest_config import PytestSettings
from thinking_tests.pytest_style import blockers, xunit
from thinking_tests.pytest_style.conftests import Conftest, ConftestReader, Definition
from thinking_tests.pytest_style.marks import marks_in, marks_of
from thinking_tests.registry import Fixture, Registry, module_name


@dataclass
class ModuleContext:
    file: str
    name: str  # the real module name
    settings: PytestSettings
    registry: Registry
    marker: xunit.FixtureMarker | None  # pytest's getfixturemarker, where pytest is imported
    marks: list[Any]
    blocker: str | None  # what makes every test here need pytest, if anything
    setup_module: Fixture | None
    function_xunit: tuple[Any, Any] | None  # setup_function, teardown_function
    async_plugin: bool | None = None  # pytest-asyncio installed (looked up when needed)
    namespace: dict[str, Any] = field(default_factory=dict)
    reader: ConftestReader | None = None
    _conftests: list[Conftest] | None = None
    _fixtures: dict[str, Definition] | None = None

    def conftests(self) -> list[Conftest]:
        """The conftest.py files above the module, outermost first, read when first needed."""
        if self._conftests is None:
            self._conftests = (self.reader or ConftestReader()).above(self.file)
        return self._conftests

    def fixture_definitions(self) -> dict[str, Definition]:
        """The module's pytest fixtures (its own and those it imports), as pytest registers them."""
        if self._fixtures is None:
            self._fixtures = _definitions(self.namespace.items(), self.file, self.marker, None)
        return self._fixtures


@dataclass
class ClassContext:
    cls: type
    path: str  # "module::TestOuter::TestInner"
    marks: list[Any]
    setup_class: Fixture | None
    blocker: str | None
    _fixtures: dict[str, Definition] | None = None

    def fixture_definitions(self, module: ModuleContext) -> dict[str, Definition]:
        """The class's pytest fixtures, inherited ones too."""
        if self._fixtures is None:
            entries = [(n, v) for base in reversed(self.cls.__mro__) for n, v in vars(base).items()]
            self._fixtures = _definitions(entries, module.file, module.marker, self.cls)
        return self._fixtures


def module_context(
    namespace: dict[str, Any],
    file: str,
    settings: PytestSettings,
    registry: Registry,
    unittest_runs_module_fixtures: bool,
    reader: ConftestReader | None = None,
) -> ModuleContext:
    name = module_name(namespace, file)
    marker = xunit.fixture_marker()
    return ModuleContext(
        file=file,
        name=name,
        settings=settings,
        registry=registry,
        marker=marker,
        marks=marks_in(namespace.get("pytestmark", [])),
        blocker=blockers.module_blocker(namespace, file, marker),
        setup_module=xunit.module_fixture(namespace, name, file, marker, unittest_runs_module_fixtures),
        function_xunit=xunit.function_pair(namespace, marker),
        namespace=namespace,
        reader=reader,
    )


def class_context(module: ModuleContext, cls: type, name: str, chain: list[ClassContext]) -> ClassContext:
    path = f"{chain[-1].path}::{name}" if chain else f"{module.name}::{name}"
    return ClassContext(
        cls=cls,
        path=path,
        marks=marks_of(cls),
        setup_class=xunit.class_fixture(cls, path, module.file, module.marker),
        blocker=blockers.class_blocker(cls, name, (c.cls for c in chain), module.marker),
    )


def _definitions(entries: Any, file: str, marker: xunit.FixtureMarker | None, cls: type | None) -> dict[str, Definition]:
    """pytest fixtures among (name, object) pairs, later ones winning, as pytest finds them."""
    if marker is None:
        return {}
    found: dict[str, Definition] = {}
    for name, obj in list(entries):
        try:
            fixture = marker(obj)
        except Exception:
            continue
        if fixture is None:
            continue
        definition = _definition(obj, fixture, name, file, cls)
        if definition is not None:
            found[definition[0]] = definition[1]
    return found


def _definition(obj: Any, fixture: Any, name: str, file: str, cls: type | None) -> tuple[str, Definition] | None:
    from _pytest.compat import getfuncargnames

    from thinking_tests.pytest_style.conftests import UNREADABLE

    wrapped = getattr(obj, "_get_wrapped_function", None)
    func = wrapped() if callable(wrapped) else getattr(getattr(obj, "__pytest_wrapped__", None), "obj", obj)
    fixture_name = getattr(fixture, "name", None) or name
    try:
        argnames = tuple(getfuncargnames(func, name=fixture_name, cls=cls))
    except Exception:
        return None
    scope = getattr(fixture, "scope", "function") or "function"
    params = getattr(fixture, "params", None)
    if not isinstance(scope, str):  # a scope made by a function: only pytest calls it
        params, scope = (UNREADABLE if params is not None else None), "function"
    ids = getattr(fixture, "ids", None)
    return fixture_name, Definition(file, params, ids, scope, argnames, bool(getattr(fixture, "autouse", False)))
