"""The parameter sets a test gets from parametrized pytest fixtures (pytest's own fixture
closure, walked as pytest walks it), so a test that needs pytest is still one case per
parameter set with pytest's ids: fixtures of the module and its classes read from the
objects, those of conftest.py files from their source. When only pytest can know them (a
pytest_generate_tests hook, params or ids made by code), the reason why."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from thinking_tests.paths import shown
from thinking_tests.pytest_style.conftests import UNREADABLE, Definition
from thinking_tests.pytest_style.context import ClassContext, ModuleContext
from thinking_tests.pytest_style.parametrize import Callspec, argnames_of, fixture_param_sets

_SCOPES = {"function": 0, "class": 1, "module": 2, "package": 3, "session": 4}


@dataclass(frozen=True)
class FixtureParams:
    calls: list[Callspec]  # ({}, ids, marks) of each parameter set, in pytest's order
    fixture: str | None  # the first parametrized fixture: the test needs pytest for it
    unknown: str | None  # why the test's parameter cases are unknown without pytest


NONE = FixtureParams([({}, [], [])], None, None)


def fixture_params(
    module: ModuleContext,
    chain: list[ClassContext],
    func: Any,
    arg_names: tuple[str, ...],
    marks: list[Any],
    nodeid: str,
) -> FixtureParams:
    conftests = module.conftests()
    hooks = next((c.hooks for c in conftests if c.hooks), None)
    if hooks is None and callable(module.namespace.get("pytest_generate_tests")):
        hooks = "the module's pytest_generate_tests hook"
    if hooks is None and any(callable(getattr(c.cls, "pytest_generate_tests", None)) for c in chain):
        hooks = "the class's pytest_generate_tests hook"
    if hooks is not None:
        return FixtureParams([({}, [], [])], None, hooks)
    definitions: dict[str, list[Definition]] = {}
    for level in [*(c.fixtures for c in conftests), module.fixture_definitions(), *(c.fixture_definitions(module) for c in chain)]:
        for name, definition in level.items():
            definitions.setdefault(name, []).append(definition)
    if len(definitions) == 0:
        return NONE
    marked: set[str] = set()
    direct: set[str] = set()
    for mark in marks:
        if mark.name == "parametrize":
            names, indirect = argnames_of(mark)
            marked.update(names)
            direct.update(n for n in names if not (indirect is True or (isinstance(indirect, (list, tuple)) and n in indirect)))
    autouse = [n for n, found in definitions.items() if any(d.autouse for d in found)]
    used = [a for m in marks if m.name == "usefixtures" for a in m.args]
    initial = list(dict.fromkeys([*sorted(autouse), *used, *arg_names]))
    closure = sorted(
        _closure(initial, definitions, direct),
        key=lambda n: _SCOPES.get(definitions[n][-1].scope, 0) if n in definitions else 0,
        reverse=True,
    )
    calls: list[Callspec] = [({}, [], [])]
    first: str | None = None
    for name in closure:
        if name in marked:
            continue  # the test's own parametrize takes precedence
        for definition in reversed(definitions.get(name, ())):
            if definition.params is not None:
                if definition.params is UNREADABLE or definition.ids is UNREADABLE:
                    return FixtureParams([({}, [], [])], name, f"fixture '{name}' of {shown(definition.where)} is parametrized by code")
                sets = fixture_param_sets(name, definition.params, definition.ids, func, nodeid)
                calls = [
                    (params, [*ids, *([param_id] if isinstance(param_id, str) else [])], [*own, *param_marks])
                    for params, ids, own in calls
                    for param_id, param_marks in sets
                ]
                first = first or name
                break
            if name not in definition.argnames:
                break
    return FixtureParams(calls, first, None)


def _closure(initial: list[str], definitions: dict[str, list[Definition]], ignore: set[str]) -> Iterator[str]:
    """pytest's traverse_fixture_closure: every fixture name the test asks for, in turn,
    each once, an overriding fixture's own name leading to the one it overrides."""
    indices: dict[str, int] = {}

    def visit(name: str) -> Iterator[str]:
        index = indices.get(name)
        if index == -1:
            return
        if index is None:
            yield name
            indices[name] = -1
        found = definitions.get(name) if name not in ignore else None
        if not found:
            return
        index = indices.get(name, -1)
        if -index > len(found):
            return
        definition = found[index]
        indices[name] = index - 1
        for dependency in definition.argnames:
            yield from visit(dependency)
        indices[name] = index

    for name in initial:
        yield from visit(name)
