"""Engines run a plan and report each finished case as a neutral CaseResult.

An engine is a function `run(plan, runner, listener)`; it stops early when the runner was
interrupted, or at the first failure with `plan.exitfirst`. The two built-in engines are
known by name (`BUILTIN`) without reading any installed distribution's metadata, so a run's
start-up stays as quick as without plug-ins; any other name is looked up in the entry-point
group `thinking_tests.engines`, only then. Both are "module:function" and are imported the
same way. What a third-party engine may rely on is described in `thinking_tests.engine_api`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from thinking_tests.model import CaseResult

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from thinking_tests.items import ImportFailure, Item, Target
    from thinking_tests.runner import CaseRunner

GROUP = "thinking_tests.engines"
# Name -> "module:function", as the same names are declared in the entry-point group.
BUILTIN = {
    "unittest": "thinking_tests.engines.unittest_engine:run",
    "pytest": "thinking_tests.engines.pytest_engine:run",
}


class Listener(Protocol):
    """Told about each case: `started` before it runs, `finished` with its one result."""

    def started(self, item: "Item") -> None: ...

    def finished(self, result: CaseResult) -> None: ...


@dataclass(repr=False, eq=False)
class Plan:
    """What to run: the targets and selection, and the collected items when collected here.

    Every engine but pytest gets `items`: the selected items in run order, already filtered
    by -k, -t, node ids and --shard. The pytest engine lets pytest import and collect the
    targets itself (so its assertion rewriting and import modes apply) and selects there.
    """

    targets: list["Target"]
    keyword: str | None = None
    tags: list[str] = field(default_factory=list)
    exitfirst: bool = False
    items: list["Item"] | None = None
    # The ids of the cases an engine that collects for itself (pytest) selected, once known:
    # what an interrupted or -x run left unrun is counted against them.
    selected: list[str] | None = None
    shard: tuple[int, int] | None = None  # --shard K/N
    shard_durations: dict[str, float] | None = None
    # --lf / --ff for an engine that selects for itself (pytest): the ids that failed in the
    # last run, to run only them (`failed_only`) or first.
    failed_before: list[str] | None = None
    failed_only: bool = False
    # --affected for an engine that selects for itself (pytest): the ids to leave out.
    left_out: list[str] | None = None


Engine = Callable[[Plan, "CaseRunner", Listener], None]


def get_engine(name: str) -> Engine:
    """The engine called `name`: a built-in one, else an installed one, made to end the
    fixture scopes it leaves open; EngineError when there is none or it cannot be loaded
    (the settings' check has said so before a run starts)."""
    builtin = BUILTIN.get(name)
    if builtin is not None:
        from importlib import import_module

        module, _, function = builtin.partition(":")
        return getattr(import_module(module), function)  # type: ignore[no-any-return]
    return _ending_scopes(load_installed(name))


def installed() -> list[str]:
    """The names of every engine there is: the built-in ones, then the installed ones."""
    names = list(BUILTIN)
    names += sorted({ep.name for ep in _entry_points()} - set(names))
    return names


def unknown_engine(name: object, setting: str) -> str | None:
    """One sentence saying `name` (given as `setting`) is no engine there is, or one that
    cannot be loaded; None when it is one. Said before the run starts, never in its middle."""
    if isinstance(name, str) and name in BUILTIN:
        return None  # no scan of installed distributions for a built-in name
    try:
        load_installed(name, setting)
    except EngineError as error:
        return str(error)
    return None


def backend_argument(text: str) -> str:
    """--backend's argparse type: the name of an engine there is."""
    problem = unknown_engine(text, "")
    if problem is not None:
        import argparse

        raise argparse.ArgumentTypeError(problem)
    return text


@functools.cache
def _entry_points() -> "tuple[EntryPoint, ...]":
    """The group's entry points, scanned once per process (the settings' check and the run
    both look an engine up), and only when a name is not built in."""
    from importlib.metadata import entry_points

    return tuple(entry_points(group=GROUP))


class EngineError(Exception):
    """No installed engine has the name asked for, or it cannot be loaded: one sentence."""


def load_installed(name: object, setting: str = "config.backend") -> Callable[..., None]:
    """What the installed distribution's entry point `name` names (imported now, once);
    EngineError, naming `setting`, when there is none or it cannot be loaded."""
    where = f"{setting} " if setting else ""
    found = [ep for ep in _entry_points() if ep.name == name]
    if not found:
        names = ", ".join(installed())
        raise EngineError(f"{where}{name!r} is not an installed engine (installed: {names})")
    try:
        engine = found[0].load()  # imported once: the run's get_engine finds it in sys.modules
    except Exception as error:  # a broken plug-in is a setting that cannot be used
        raise EngineError(
            f"{where}{name!r} cannot be loaded from {found[0].value}: {type(error).__name__}: {error}"
        ) from None
    if not callable(engine):
        raise EngineError(f"{where}{name!r} names {found[0].value}, which is not callable")
    return engine  # type: ignore[no-any-return]


def _ending_scopes(engine: Callable[..., None]) -> Engine:
    """A third-party engine, after which every fixture scope it left open ends (a failing
    teardown reported as an error result), and whose Ctrl-C stops the run as an interrupt."""

    def run(plan: Plan, runner: "CaseRunner", listener: Listener) -> None:
        try:
            engine(plan, runner, listener)
        except KeyboardInterrupt:
            runner.interrupted = True
        errors = runner.fixtures.finish(None)
        if runner.interrupted:
            return  # the run ends as interrupted; a teardown's error then is not its news
        from thinking_tests.exception_text import exception_info, first_line
        from thinking_tests.model import Stage, error_result

        for error in errors:
            info = exception_info(error)
            listener.finished(
                error_result(
                    "<session>::fixture teardown", "<session>", "fixture teardown", info,
                    f"error in fixture teardown: {first_line(info)}", stage=Stage.TEARDOWN,
                )
            )

    run.__wrapped__ = engine  # type: ignore[attr-defined]
    return run


def import_failure_result(failure: "ImportFailure") -> CaseResult:
    """A module that failed to import, as the one error case that reports it."""
    import time

    from thinking_tests.model import error_result

    return error_result(
        failure.id, failure.module, failure.name, failure.info, failure.message,
        file=failure.file, line=failure.line, start=time.time(),
    )
