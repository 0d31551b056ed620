"""What every pytest-style test of one module, and of one class, shares: marks, xunit
fixtures and what makes them all need pytest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thinking_tests.pytest_config import PytestSettings
from thinking_tests.pytest_style import blockers, xunit
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


@dataclass
class ClassContext:
    cls: type
    path: str  # "module::TestOuter::TestInner"
    marks: list[Any]
    setup_class: Fixture | None
    blocker: str | None


def module_context(
    namespace: dict[str, Any],
    file: str,
    settings: PytestSettings,
    registry: Registry,
    unittest_runs_module_fixtures: bool,
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
