"""The pytest plugin's coverage contexts: each item's setup, call and teardown under
`<case id>|setup`, `|run` and `|teardown` (see `coverage_contexts`), the empty context after
it. Imported only when a Coverage runs in the pytest process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from thinking_tests.coverage_contexts import Contexts, context, switcher


class PytestContexts:
    """The plugin's hooks that switch contexts around each pytest item's phases, registered
    only when a Coverage is running and pytest-cov does not switch them itself."""

    def __init__(self, switch: Contexts, rootdir: str) -> None:
        self.switch = switch
        self.rootdir = rootdir
        self.ids: dict[str, str] = {}  # node id -> case id

    def case_id(self, item: pytest.Item) -> str:
        known = self.ids.get(item.nodeid)
        if known is None:
            case = getattr(item, "case", None)
            if case is not None and isinstance(getattr(case, "id", None), str):
                known = case.id
            else:
                from thinking_tests.engines.pytest_results import case_id

                known = case_id(item.nodeid, self.rootdir)[0]
            self.ids[item.nodeid] = known
        return known

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        self.switch(context(self.case_id(item), "setup"))
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        self.switch(context(self.case_id(item), "run"))
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
        self.switch(context(self.case_id(item), "teardown"))
        try:
            return (yield)
        finally:
            self.switch("")

    @pytest.hookimpl(tryfirst=True)  # before plain pytest's reports stop coverage
    def pytest_sessionfinish(self) -> None:
        self.switch.close()


def register(config: pytest.Config) -> None:
    """The context hooks, if a Coverage runs and pytest-cov's `--cov-context=test` is not
    switching contexts already."""
    if getattr(config.option, "cov_context", None):
        return
    switch = switcher()
    if switch is not None:
        config.pluginmanager.register(PytestContexts(switch, str(config.rootpath)), "thinking_tests.contexts")
