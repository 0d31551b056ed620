"""The fixtures of conftest.py files as their source declares them, never imported: which
are parametrized, with what ids, scope and arguments, so a test that needs pytest is still
one case per parameter set with pytest's ids when those can be read from the source."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Any

from thinking_tests.registry import package_root

UNREADABLE = object()  # params or ids that only pytest can evaluate


@dataclass(frozen=True)
class Definition:
    """A fixture as pytest registers it: where, params (None: not parametrized; UNREADABLE),
    ids, scope and the fixtures it asks for."""

    where: str
    params: Any
    ids: Any
    scope: str
    argnames: tuple[str, ...]
    autouse: bool = False


@dataclass
class Conftest:
    path: str
    fixtures: dict[str, Definition] = field(default_factory=dict)
    hooks: str | None = None  # what parametrizes tests in ways only pytest knows


class ConftestReader:
    """Each conftest.py read once per run."""

    def __init__(self) -> None:
        self._read: dict[str, Conftest | None] = {}

    def above(self, file: str) -> list[Conftest]:
        """The conftest.py files whose fixtures a test module sees, outermost first."""
        found: list[Conftest] = []
        top = package_root(file)
        directory = os.path.dirname(os.path.abspath(file))
        while True:
            conftest = self._conftest(os.path.join(directory, "conftest.py"))
            if conftest is not None:
                found.append(conftest)
            if directory == top or os.path.dirname(directory) == directory:
                break
            directory = os.path.dirname(directory)
        return found[::-1]

    def _conftest(self, path: str) -> Conftest | None:
        if path not in self._read:
            try:
                with open(path, "rb") as handle:
                    source = handle.read()
            except OSError:
                self._read[path] = None
            else:
                self._read[path] = _parse(path, source)
        return self._read[path]


def _parse(path: str, source: bytes) -> Conftest:
    conftest = Conftest(path)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        conftest.hooks = "a conftest.py pytest cannot import either"
        return conftest
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == "pytest_generate_tests":
                conftest.hooks = "the pytest_generate_tests hook of conftest.py"
            for decorator in node.decorator_list:
                definition = _fixture(path, node, decorator)
                if definition is not None:
                    conftest.fixtures[definition[0]] = definition[1]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in targets):
                conftest.hooks = "the plugins conftest.py loads"
    return conftest


def _fixture(path: str, node: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr) -> tuple[str, Definition] | None:
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call is not None else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    if name != "fixture":
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg} if call is not None else {}
    fixture_name = _literal(keywords.get("name"), node.name)
    scope = _literal(keywords.get("scope"), "function")
    params = _params(keywords.get("params"), keywords.get("ids"))
    ids = _literal(keywords.get("ids"), None)
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    required = positional[: len(positional) - len(arguments.defaults)]
    kwonly = [a for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is None]
    argnames = tuple(a.arg for a in [*required, *kwonly])
    if not isinstance(fixture_name, str):
        return None
    if not isinstance(scope, str):
        params = UNREADABLE if params is not None else None
        scope = "function"
    return fixture_name, Definition(path, params, ids, scope, argnames, _literal(keywords.get("autouse"), False) is True)


def _literal(node: ast.expr | None, default: Any) -> Any:
    if node is None:
        return default
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNREADABLE


def _params(params: ast.expr | None, ids: ast.expr | None) -> Any:
    """The params as values pytest makes ids of, or placeholders when a literal list of ids
    names each of them (pluggy's `params=[lambda ...], ids=["a", "b"]`), or UNREADABLE."""
    if params is None:
        return None
    values = _literal(params, UNREADABLE)
    if values is not UNREADABLE:
        return list(values) if isinstance(values, (list, tuple)) else UNREADABLE
    given = _literal(ids, None)
    plain = isinstance(params, (ast.List, ast.Tuple)) and not any(
        isinstance(e, ast.Call) or isinstance(e, ast.Starred) for e in params.elts
    )
    if plain and isinstance(given, (list, tuple)) and all(isinstance(i, str) for i in given):
        if len(given) == len(params.elts):  # type: ignore[union-attr]
            return [object() for _ in given]  # ids given for every one: values never shown
    return UNREADABLE
