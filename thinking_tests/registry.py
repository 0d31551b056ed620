"""The registry: declared cases and fixtures, by the real file of the module that declared them.

It is the one deliberate global (`REGISTRY`); tests of this project can make their own. Keying
by file path, not `__name__`, keeps one module's cases together whether it was imported as
`__main__`, by `python -m`, or under another import mode.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from thinking_tests.case import Aspect, Case

SCOPES = ("case", "module", "package", "session")
BUILTIN_MODULE = "thinking_tests.builtin_fixtures"


# The fixtures thinking_tests.builtin_fixtures provides, imported on first use.
BUILTIN_FIXTURES = ("tmp_path", "monkeypatch", "recwarn")

class CollectionError(Exception):
    """A declaration that cannot be right, such as two cases with one id in a module."""


@dataclass(eq=False)
class Fixture:
    """A declared fixture: its function, scope and where it was declared."""

    name: str
    func: Callable[..., Any]
    scope: str
    module: str  # where it was declared: package scope means this module's package
    file: str
    line: int
    params: tuple[str, ...]  # fixtures it asks for in turn

    @property
    def package(self) -> str:
        is_package = os.path.basename(self.file) == "__init__.py"
        return self.module if is_package else self.module.rpartition(".")[0]


@dataclass(repr=False, eq=False)
class ModuleEntry:
    """A module's declarations, in the order they were made."""

    name: str
    file: str
    namespace: dict[str, Any]  # the module's globals: a new one means the file was imported anew
    cases: list[Case] = field(default_factory=list)
    fixtures: dict[str, Fixture] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)


@dataclass(repr=False, eq=False)
class Block:
    """One `with setup(...)`, `with teardown(...)` or `with aspect(...)` during declaration."""

    setup: Callable[[], Any] | None = None
    teardown: Callable[[], Any] | None = None
    aspect: Aspect | None = None


class Registry:
    def __init__(self) -> None:
        self.modules: dict[str, ModuleEntry] = {}
        self.blocks: list[Block] = []
        self.builtins: dict[str, Fixture] = {}  # BUILTIN_FIXTURES: any user fixture wins

    def entry(self, file: str, namespace: dict[str, Any]) -> ModuleEntry:
        """The entry of the module owning `namespace`, reset when the file was imported anew."""
        entry = self.modules.get(file)
        if entry is None or entry.namespace is not namespace:
            entry = ModuleEntry(module_name(namespace, file), file, namespace)
            self.modules[file] = entry
        return entry

    def add_case(self, case: Case, namespace: dict[str, Any]) -> None:
        entry = self.entry(case.file, namespace)
        if case.id in entry.ids:
            first = next(c for c in entry.cases if c.id == case.id)
            raise CollectionError(
                f"duplicate case id '{case.id}': declared at {first.file}:{first.line} "
                f"and again at line {case.line}; give one of them another name"
            )
        entry.ids.add(case.id)
        entry.cases.append(case)

    def add_fixture(self, fixture: Fixture, namespace: dict[str, Any]) -> None:
        self.entry(fixture.file, namespace).fixtures[fixture.name] = fixture

    def find_fixture(self, name: str, module: str, builtins: bool = True) -> Fixture | None:
        """The fixture `name` nearest to `module`: its own, then its packages', then any,
        then a built-in one."""
        best: Fixture | None = None
        best_rank = -1
        for entry in self.modules.values():
            fixture = entry.fixtures.get(name)
            if fixture is None:
                continue
            rank = _nearness(fixture.module, module)
            if rank > best_rank:
                best, best_rank = fixture, rank
        if best is None and builtins:
            if not self.builtins and name in BUILTIN_FIXTURES:
                self.load_builtins()
            return self.builtins.get(name)
        return best

    def load_builtins(self) -> None:
        """The built-in fixtures (tmp_path, monkeypatch, recwarn), made once when needed."""
        if self.builtins:
            return
        from thinking_tests.builtin_fixtures import FIXTURES

        for func in FIXTURES:
            code = func.__code__
            self.builtins[func.__name__] = Fixture(
                name=func.__name__,
                func=func,
                scope="case",
                module=BUILTIN_MODULE,
                file=code.co_filename,
                line=code.co_firstlineno,
                params=(),
            )

    def entries(self) -> Iterator[ModuleEntry]:
        return iter(sorted(self.modules.values(), key=lambda e: e.name))


def _nearness(declared_in: str, module: str) -> int:
    """How many leading name parts two modules share; the same module ranks highest."""
    if declared_in == module:
        return 10_000
    shared = 0
    for a, b in zip(declared_in.split("."), module.split(".")):
        if a != b:
            break
        shared += 1
    return shared


def module_name(namespace: dict[str, Any], file: str) -> str:
    """The real dotted name of a module, also when it runs as `__main__`."""
    name = namespace.get("__name__", "")
    if name != "__main__":
        return str(name)
    spec = namespace.get("__spec__")
    if spec is not None and spec.name and spec.name != "__main__":
        return str(spec.name)
    return name_from_path(file)


def name_from_path(file: str) -> str:
    """The dotted name a file has when its top package's parent is on sys.path."""
    path = os.path.abspath(file)
    directory, filename = os.path.split(path)
    stem = os.path.splitext(filename)[0]
    parts = [] if stem == "__init__" else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    return ".".join(parts) or stem


def package_root(file: str) -> str:
    """The directory above a file's top package: the one that must be on sys.path."""
    directory = os.path.dirname(os.path.abspath(file))
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory = os.path.dirname(directory)
    return directory


REGISTRY = Registry()


def main_namespace() -> dict[str, Any] | None:
    main = sys.modules.get("__main__")
    return None if main is None else vars(main)
