"""The pytest side: plain `pytest` collects registered `@test` cases as pytest items.

Loaded through the `pytest11` entry point whenever thinking-tests is installed (and with
`-p thinking_tests.pytest_plugin` by the pytest engine). Each case becomes a
`pytest.Function` whose setup, call and teardown are the three stages of the one case runner,
so fixtures, setups, teardowns and aspects behave as under the unittest engine; pytest's own
fixtures (`tmp_path`, `monkeypatch`, conftest fixtures) fill the parameters that no
thinking-tests fixture provides.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thinking_tests.case import Case
from thinking_tests.fixtures import Fixtures
from thinking_tests.model import Stage
from thinking_tests.registry import REGISTRY
from thinking_tests.runner import CaseRunner, Running

# The pytest engine's -k and -t, in a JSON file this names; xdist workers inherit it.
SELECT_ENV = "THINKING_TESTS_SELECT"
_RUNNER = pytest.StashKey[CaseRunner]()


class _Next:
    """What fixture scopes need to know of the item that runs next: its module."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.id = ""


def pytest_configure(config: pytest.Config) -> None:
    from thinking_tests.config import ConfigError
    from thinking_tests.config import config as settings
    from thinking_tests.configure import load_config

    try:
        load_config(Path(config.invocation_params.dir))
    except ConfigError as error:
        raise pytest.UsageError(f"thinking-tests: {error}") from None
    config.stash[_RUNNER] = CaseRunner(Fixtures(REGISTRY), settings.aspects, None, settings.timeout)
    config.addinivalue_line("markers", "thinking_tests: a case declared with @test")


def _cases(collector: pytest.Collector, obj: object) -> list[Case]:
    entry = REGISTRY.modules.get(os.path.abspath(str(collector.path)))
    if entry is None:
        return []
    return [case for case in entry.cases if case.func is obj]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> list[pytest.Item] | None:
    if not inspect.isfunction(obj) or not getattr(obj, "__thinking_tests__", 0):
        return None
    # Claimed even when empty (a case imported from another module): never collected twice.
    return [CaseItem.from_case(collector, case) for case in _cases(collector, obj)]


_MARKER_NAME = re.compile(r"\W")


class CaseItem(pytest.Function):
    """A registered case as a pytest item."""

    case: Case
    _running: Running | None = None
    _next: object = None

    @classmethod
    def from_case(cls, parent: pytest.Collector, case: Case) -> "CaseItem":
        # pytest fills only what no thinking-tests fixture provides.
        wanted = [
            n for n in case.fixture_names if REGISTRY.find_fixture(n, case.module, builtins=False) is None
        ]

        def call(**kwargs: Any) -> None:  # never called: runtest() runs the case
            pass

        call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in wanted]
        )
        call.__name__ = case.func.__name__
        item: CaseItem = cls.from_parent(
            parent, name=case.name, callobj=call, originalname=case.func.__name__
        )
        item.case = case
        config = item.config
        item.add_marker(pytest.mark.thinking_tests)
        for tag in case.tags:
            marker = _MARKER_NAME.sub("_", tag)
            config.addinivalue_line("markers", f"{marker}: thinking-tests tag")
            item.add_marker(marker)
        if case.skip is not None:
            item.add_marker(pytest.mark.skip(reason=case.skip))
        if case.xfail is not None:
            item.add_marker(pytest.mark.xfail(reason=case.xfail, strict=False))
        return item

    def reportinfo(self) -> tuple[str, int, str]:
        return self.case.file, self.case.line - 1, self.case.id

    def setup(self) -> None:
        __tracebackhide__ = True
        super().setup()  # pytest's own fixtures, for the parameters they fill
        runner = self.config.stash[_RUNNER]
        funcargs = self.funcargs
        runner.fixtures.external = lambda name: (
            funcargs[name] if name in funcargs else self._request.getfixturevalue(name)
        )
        self._running = runner.start(self.case)
        if not self._running.setup().ok:
            raise self._running.errors[Stage.SETUP]

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
                running.next_case = self._next  # type: ignore[assignment]
                if not running.teardown().ok:
                    raise running.errors[Stage.TEARDOWN]
        finally:
            super().teardown()


def _module_of(item: pytest.Item | None) -> object:
    if item is None:
        return None
    if isinstance(item, CaseItem):
        return item.case
    module = getattr(item, "module", None)
    return _Next(getattr(module, "__name__", ""))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Fixture scopes end by what runs next in this process (which differs under xdist)."""
    if isinstance(item, CaseItem):
        item._next = _module_of(nextitem)
        skipped = item._running is None
    result = yield
    if isinstance(item, CaseItem) and skipped:
        # Skipped before setup: still end the scopes that end here.
        item.config.stash[_RUNNER].fixtures.finish(item._next)  # type: ignore[arg-type]
    return result


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the pytest engine, select with thinking-tests' -k and -t (in every xdist worker)."""
    path = os.environ.get(SELECT_ENV)
    if not path:
        return
    import json

    from thinking_tests.select import matches, parse_keyword

    selection = json.loads(Path(path).read_text(encoding="utf-8"))
    keyword, tags = selection.get("keyword"), selection.get("tags") or []
    shard_spec = selection.get("shard")
    if not keyword and not tags and not shard_spec:
        return
    from thinking_tests.engines.pytest_engine import case_id
    from thinking_tests.select import Shard

    predicate = parse_keyword(keyword) if keyword else None
    rootdir = str(config.rootpath)
    chosen: list[tuple[pytest.Item, str]] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if isinstance(item, CaseItem):
            case = item.case
            identifier = case.id
            wanted = matches(case.id, case.name, case.description, case.tags, predicate, tags)
        else:
            identifier, _, name = case_id(item.nodeid, rootdir)
            marks = tuple(m.name for m in item.iter_markers())
            wanted = matches(identifier, name, "", marks, predicate, tags)
        if wanted:
            chosen.append((item, identifier))
        else:
            dropped.append(item)
    keep = [item for item, _ in chosen]
    if shard_spec:
        shard = Shard(shard_spec[0], shard_spec[1], selection.get("durations") or None)
        mine = shard.split([identifier for _, identifier in chosen])
        keep = [item for item, identifier in chosen if identifier in mine]
        dropped.extend(item for item, identifier in chosen if identifier not in mine)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
