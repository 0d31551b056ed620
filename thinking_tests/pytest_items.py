"""A registered case as a pytest item (`CaseItem`): pytest's setup, call and teardown are the
three stages of the one case runner, so fixtures, setups, teardowns and aspects behave as
under the unittest engine; pytest's own fixtures fill the parameters that no thinking-tests
fixture provides. Markers of tags, skips and xfails are made once per run.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from thinking_tests.case import Case
from thinking_tests.fixtures import FixtureError, MissingFixture, UnknownToHost
from thinking_tests.model import Stage
from thinking_tests.registry import REGISTRY
from thinking_tests.runner import CaseRunner, Running

RUNNER = pytest.StashKey[CaseRunner]()  # the run's case runner, made by pytest_configure


_MARKER_NAME = re.compile(r"\W")
_SIGNATURES: dict[tuple[str, ...], inspect.Signature] = {}


def _signature(names: tuple[str, ...]) -> inspect.Signature:
    """The signature pytest reads the fixtures it fills from: one per set of names."""
    signature = _SIGNATURES.get(names)
    if signature is None:
        signature = inspect.Signature([inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names])
        _SIGNATURES[names] = signature
    return signature


class _Marks:
    """The markers of cases, made once per run: a mark is immutable, so items share it.

    A tag's marker is registered (for --strict-markers) the first time a case has it.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.made: dict[tuple[str, str], pytest.MarkDecorator] = {}
        self.unapplied: list[str] = []  # ids of cases with retries pytest cannot apply

    def case(self) -> pytest.MarkDecorator:
        mark = self.made.get(("", ""))
        if mark is None:
            mark = self.made[("", "")] = pytest.mark.thinking_tests
        return mark

    def tag(self, tag: str) -> pytest.MarkDecorator:
        mark = self.made.get(("tag", tag))
        if mark is None:
            marker = _MARKER_NAME.sub("_", tag)
            self.config.addinivalue_line("markers", f"{marker}: thinking-tests tag")
            mark = self.made[("tag", tag)] = getattr(pytest.mark, marker)
        return mark

    def skip(self, reason: str) -> pytest.MarkDecorator:
        mark = self.made.get(("skip", reason))
        if mark is None:
            mark = self.made[("skip", reason)] = pytest.mark.skip(reason=reason)
        return mark

    def reruns(self, case: Case, times: int) -> pytest.MarkDecorator | None:
        """pytest-rerunfailures' `flaky` marker for `@test(retries=N)`, when it is loaded:
        under pytest, it runs an item again (see thinking_tests.retries). `retries=0` is a
        marker too, so the case opts out of `--reruns` as on the unittest engine. Without the
        plugin, a case with retries is kept in `unapplied`, for the run's warning."""
        key = ("reruns", str(times))
        if key not in self.made:
            if not self.config.pluginmanager.hasplugin("rerunfailures"):
                if times:
                    self.unapplied.append(case.id)
                return None
            self.made[key] = pytest.mark.flaky(reruns=times)
        return self.made[key]

    def xfail(self, reason: str) -> pytest.MarkDecorator:
        mark = self.made.get(("xfail", reason))
        if mark is None:
            mark = self.made[("xfail", reason)] = pytest.mark.xfail(reason=reason, strict=False)
        return mark


_MARKS = pytest.StashKey[_Marks]()


def _marks(config: pytest.Config) -> _Marks:
    marks = config.stash.get(_MARKS, None)
    if marks is None:
        marks = config.stash[_MARKS] = _Marks(config)
    return marks


def unapplied_retries(config: pytest.Config) -> list[str]:
    """The ids of the cases collected in this process whose `@test(retries=N)` is not
    applied: pytest-rerunfailures is not loaded."""
    marks = config.stash.get(_MARKS, None)
    return list(dict.fromkeys(marks.unapplied)) if marks is not None else []


class CaseItem(pytest.Function):
    """A registered case as a pytest item."""

    case: Case
    _running: Running | None = None
    _next: object = None
    # This attempt's setup failed in a way a retry cannot mend (a fixture missing, or one of
    # a wider scope): pytest-rerunfailures is told not to run it again (see the plugin).
    not_again: bool = False

    @classmethod
    def from_case(
        cls, parent: pytest.Collector, case: Case, wanted: tuple[str, ...] | None = None
    ) -> "CaseItem":
        """The item of `case`; `wanted` are the parameters pytest fills (found if not given)."""
        if wanted is None:  # pytest fills only what no thinking-tests fixture provides
            wanted = tuple(
                n for n in case.fixture_names if REGISTRY.find_fixture(n, case.module, builtins=False) is None
            )

        def call(**kwargs: Any) -> None:  # never called: runtest() runs the case
            pass

        call.__signature__ = _signature(wanted)  # type: ignore[attr-defined]
        call.__name__ = case.func.__name__
        item: CaseItem = cls.from_parent(
            # originalname too is the case name: pytest 9.2 builds the node id from it.
            parent, name=case.name, callobj=call, originalname=case.name
        )
        item.case = case
        marks = _marks(item.config)
        item.add_marker(marks.case())
        for tag in case.tags:
            item.add_marker(marks.tag(tag))
        if case.skip is not None:
            item.add_marker(marks.skip(case.skip))
        if case.xfail is not None:
            item.add_marker(marks.xfail(case.xfail))
        if case.retries is not None:
            rerun = marks.reruns(case, case.retries)
            if rerun is not None:
                item.add_marker(rerun)
        return item

    def reportinfo(self) -> tuple[str, int, str]:
        return self.case.file, self.case.line - 1, self.case.id

    def setup(self) -> None:
        __tracebackhide__ = True
        runner = self.config.stash[RUNNER]
        runner.fixtures.external = self._external
        self.not_again = False
        found = self._fixtureinfo.name2fixturedefs
        for name in self._fixtureinfo.initialnames:  # a name no fixture provides, before
            if name not in found and name in self.case.fixture_names:  # pytest says it of the stub
                error = runner.fixtures.missing(name, self.case, (), _pytest_fixtures(self), "pytest")
                self.not_again = True
                raise _NotFound(error) from None
        super().setup()  # pytest's own fixtures, for the parameters they fill
        runner.fixtures.failing = None
        self._running = runner.start(self.case)
        if not self._running.setup().ok:
            error = self._running.errors[Stage.SETUP]
            failing = runner.fixtures.failing
            # As the unittest engine's retries: not after a fixture of a wider scope failed.
            self.not_again = isinstance(error, FixtureError) or (failing is not None and failing.scope != "case")
            if isinstance(error, MissingFixture):
                raise _NotFound(error) from None
            raise error

    def _external(self, name: str) -> Any:
        """The value of pytest's fixture `name`, which a thinking-tests fixture asks for."""
        if name in self.funcargs:
            return self.funcargs[name]
        if not self.session._fixturemanager.getfixturedefs(name, self):
            raise UnknownToHost(_pytest_fixtures(self), "pytest")
        return self._request.getfixturevalue(name)

    def runtest(self) -> None:
        __tracebackhide__ = True
        assert self._running is not None
        if not self._running.call().ok:
            raise self._running.errors[Stage.RUN]

    def teardown(self) -> None:
        __tracebackhide__ = True
        running, self._running = self._running, None
        try:
            if running is not None:
                # pytest-rerunfailures holds back the wider scopes of an item it runs again:
                # ours stay set up for the next attempt too, as on the unittest engine.
                again = getattr(self, "_finalizers_suspended", False)
                running.next_case = self.case if again else self._next  # type: ignore[assignment]
                if not running.teardown().ok:
                    raise running.errors[Stage.TEARDOWN]
        finally:
            super().teardown()


def _pytest_fixtures(item: pytest.Item) -> list[str]:
    """The names of the pytest fixtures `item` can use, as pytest lists them when one is
    not found (through a private method: without it, no names)."""
    try:
        found = item.session._fixturemanager._get_all_fixture_defs_for_node(item)
        return sorted({definition.argname for definition in found})
    except AttributeError:
        return []


class _NotFound(pytest.FixtureLookupError):
    """A missing fixture as pytest shows its own: the message, at the declaration that asks
    for it (not at the item's stand-in function), without frames."""

    def __init__(self, error: MissingFixture) -> None:
        LookupError.__init__(self, str(error))
        self.argname = error.name
        self.request = None  # type: ignore[assignment]
        self.fixturestack = []
        self.msg = str(error)
        self.error = error

    def formatrepr(self) -> Any:
        from _pytest.fixtures import FixtureLookupErrorRepr

        return FixtureLookupErrorRepr(self.error.file, self.error.line - 1, [], self.msg, self.argname)

    def __str__(self) -> str:
        return self.msg
