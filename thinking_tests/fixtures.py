"""Fixture values at run time: made on first request, kept for their scope, then torn down.

A scope ends when the next case to run is outside it (or there is none), so teardown happens
right after the last case that could use the value, also when that case failed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any

from thinking_tests.case import Case
from thinking_tests.registry import BUILTIN_FIXTURES, Fixture, Registry
from thinking_tests.timeouts import CaseTimeout, Deadline

# Looks up a fixture the registry does not know, such as pytest's own under the pytest host.
ExternalLookup = Callable[[str], Any]


class FixtureError(Exception):
    """A fixture that could not be found or made; the message names it.

    It comes from a declaration, not from a line that ran, so its frames (all this
    package's) are left out of what is shown: the message names the file and line."""


class MissingFixture(FixtureError):
    """A case or fixture asks for a name that no fixture provides; `file` and `line` are
    where the one that asks is declared."""

    def __init__(self, message: str, name: str, file: str, line: int) -> None:
        super().__init__(message)
        self.name = name
        self.file = file
        self.line = line


class UnknownToHost(LookupError):
    """What an external lookup raises for a name its host has no fixture of: the names it
    has, and the host's name ("pytest"), for the error that says so."""

    def __init__(self, known: Iterable[str], host: str) -> None:
        super().__init__(host)
        self.known = tuple(known)
        self.host = host


def where(file: str, line: int) -> str:
    """`file:line`, the file relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive
        relative = os.pardir
    return f"{file if relative.startswith(os.pardir) else relative}:{line}"


def missing_fixture(
    name: str,
    asker: tuple[str, str, int],
    ours: Iterable[str],
    host: Iterable[str] = (),
    host_name: str = "",
) -> MissingFixture:
    """The error of `asker` (who, file, line) asking for `name`: the closest known names
    ("did you mean 'database'?"), then every fixture that exists, ours and the host's."""
    import difflib

    who, file, line = asker
    mine = sorted(set(ours))
    theirs = sorted(set(host) - set(mine))
    close = difflib.get_close_matches(name, mine + theirs, n=3, cutoff=0.6)
    message = f"{where(file, line)}: {who} asks for '{name}', which is neither a parameter nor a known fixture"
    if close:
        quoted = [f"'{n}'" for n in close]
        either = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        message += f"; did you mean {either}?"
    message += f"\nthinking-tests fixtures: {', '.join(mine) or '(none)'}"
    if host_name:
        message += f"\n{host_name} fixtures: {', '.join(theirs) or '(none)'}"
    return MissingFixture(message, name, file, line)


@dataclass(repr=False, eq=False)
class _Live:
    """A fixture value set up and not yet torn down, with the scope it belongs to."""

    fixture: Fixture
    key: str  # the scope's key: case id, module, package or ""
    value: Any
    generator: Generator[Any, None, None] | None


# "class" is no scope of @fixture: only pytest-style test classes have it, through the
# fixtures their cases carry themselves (case.extra["fixtures"]; case.extra["class"] names
# the case's class, "module::TestOuter::TestInner").
SCOPE_RANK = {"case": 0, "class": 1, "module": 2, "package": 3, "session": 4}


def _scope_key(fixture: Fixture, case: Case) -> str:
    if fixture.scope == "case":
        return case.id
    if fixture.scope == "class":
        return fixture.module  # a class-scoped fixture's module is its class: "module::TestX"
    if fixture.scope == "module":
        return case.module
    if fixture.scope == "package":
        return fixture.package
    return ""


def _in_scope(live: _Live, case: Case | None) -> bool:
    if case is None:
        return False
    scope = live.fixture.scope
    if scope == "case":
        return False  # a case's values never outlive it
    if scope == "class":  # the class, or a class nested in it
        owner = str(case.extra.get("class", "")) if case.extra else ""
        return owner == live.key or owner.startswith(live.key + "::")
    if scope == "module":
        return case.module == live.key
    if scope == "package":
        return live.key == "" or case.module == live.key or case.module.startswith(live.key + ".")
    return True


class Fixtures:
    """The live fixture values of one run."""

    def __init__(self, registry: Registry, external: ExternalLookup | None = None) -> None:
        self.registry = registry
        self.external = external
        self.live: list[_Live] = []
        self.timeout: float | None = None  # the run's case timeout, for scopes ended outside a case
        # The fixture whose set-up raised last (the innermost of a chain), for a runner that
        # resets it and asks which scope failed (a retried case is not retried for a wider one).
        self.failing: Fixture | None = None

    def resolve(self, case: Case) -> dict[str, Any]:
        """The value of every fixture the case asks for, making the missing ones."""
        return {name: self._value(name, case, (), "case") for name in case.fixture_names}

    def _value(self, name: str, case: Case, chain: tuple[str, ...], needed_by: str) -> Any:
        if name in chain:
            raise FixtureError(f"fixture '{name}' depends on itself: {' -> '.join(chain + (name,))}")
        # A case's own fixtures first (pytest's xunit setups of a pytest-style test), then
        # the declared ones; under the pytest host, pytest's own tmp_path and monkeypatch
        # stand in for ours.
        own = case.extra.get("fixtures") if case.extra else None
        fixture = own.get(name) if own else None
        if fixture is None:
            fixture = self.registry.find_fixture(name, case.module, builtins=self.external is None)
        if fixture is None:
            if self.external is None:
                raise self.missing(name, case, chain)
            try:
                return self.external(name)
            except UnknownToHost as unknown:
                raise self.missing(name, case, chain, unknown.known, unknown.host) from None
        if SCOPE_RANK[fixture.scope] < SCOPE_RANK[needed_by]:
            raise FixtureError(
                f"fixture '{chain[-1]}' ({needed_by} scope) cannot use '{name}' ({fixture.scope} scope)"
            )
        key = _scope_key(fixture, case)
        for live in self.live:
            if live.fixture is fixture and live.key == key:
                return live.value
        kwargs = {p: self._value(p, case, chain + (name,), fixture.scope) for p in fixture.params}
        try:
            if inspect.isgeneratorfunction(fixture.func):
                generator = fixture.func(**kwargs)
                value = next(generator)
            else:
                generator = None
                value = fixture.func(**kwargs)
        except StopIteration:
            self.failing = fixture
            raise FixtureError(f"fixture '{name}' did not yield a value") from None
        except CaseTimeout as error:
            self.failing = fixture
            raise error.blame(f"fixture '{name}' setup")
        except BaseException:
            self.failing = fixture
            raise
        self.live.append(_Live(fixture, key, value, generator))
        return value

    def missing(
        self,
        name: str,
        case: Case,
        chain: tuple[str, ...] = (),
        host: Iterable[str] = (),
        host_name: str = "",
    ) -> MissingFixture:
        """The error of `case` (or the last fixture of `chain`) asking for an unknown `name`,
        at the line that declares the one asking, with the names that exist."""
        return missing_fixture(name, self._asker(case, chain), self._known(case), host, host_name)

    def _asker(self, case: Case, chain: tuple[str, ...]) -> tuple[str, str, int]:
        if chain:
            own = case.extra.get("fixtures") if case.extra else None
            fixture = (own.get(chain[-1]) if own else None) or self.registry.find_fixture(
                chain[-1], case.module, builtins=self.external is None
            )
            if fixture is not None:
                return f"fixture '{chain[-1]}'", fixture.file, fixture.line
        return f"case {case.name}", case.file, case.line

    def _known(self, case: Case) -> list[str]:
        """The fixture names the registry offers `case` (a declared one is found from any
        module), with the built-in ones unless a host provides its own."""
        names = {name for entry in self.registry.modules.values() for name in entry.fixtures}
        own = case.extra.get("fixtures") if case.extra else None
        if own:
            names.update(own)
        if self.external is None:
            names.update(BUILTIN_FIXTURES)
        return sorted(names)

    def finish(self, next_case: Case | None, limit: Deadline | None = None) -> list[BaseException]:
        """Tear down every value whose scope ends before `next_case`; newest first.

        Under a time limit (the case's, or the run's case timeout when no case is running)
        a teardown that hangs is an error naming its fixture, and the rest still run."""
        if not self.live:  # most cases use no fixture
            return []
        if limit is None and self.timeout:
            limit = Deadline(self.timeout)
        if limit is None or limit.running:
            return self._finish(next_case, limit)
        with limit.armed():
            return self._finish(next_case, limit)

    def _finish(self, next_case: Case | None, limit: Deadline | None) -> list[BaseException]:
        errors: list[BaseException] = []
        keep: list[_Live] = []
        ending: list[_Live] = []
        for live in self.live:
            (keep if _in_scope(live, next_case) else ending).append(live)
        self.live = keep
        for live in reversed(ending):
            if live.generator is None:
                continue
            try:
                next(live.generator)
            except StopIteration:
                continue
            except BaseException as error:  # reported as the teardown error it is
                if isinstance(error, KeyboardInterrupt):
                    raise
                errors.append(error)
                if isinstance(error, CaseTimeout) and limit is not None:
                    limit.blame(error, f"fixture '{live.fixture.name}' teardown")
                    limit.restart()  # the other values are still torn down, in time of their own
                continue
            errors.append(FixtureError(f"fixture '{live.fixture.name}' yielded more than once"))
        return errors
