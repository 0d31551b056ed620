"""Which pytest items a module's cases become: each function's cases (several with params),
the cases no module-level name holds, in declaration order, and whether a module may hold a
unittest `load_tests` suite. `SELECT_ENV` names how the pytest engine's selection reaches the
plugin, which narrows what is collected with it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from thinking_tests.case import Case
from thinking_tests.pytest_items import CaseItem
from thinking_tests.registry import REGISTRY

# The pytest engine's -k, -t and --shard, in a JSON file this names; xdist workers inherit
# it, and plain pytest runs are told apart by its absence.
SELECT_ENV = "THINKING_TESTS_SELECT"


class _ModuleCases:
    """The cases of the module being collected, by function, and which parameters pytest fills.

    Built once per collector, not once per collected name: each function is one dict
    look-up, and each fixture name is searched for in the registry once per module. Only
    the latest is kept: pytest collects one module after another.
    """

    __slots__ = ("collector", "path", "entry", "count", "modules", "by_func", "external")

    def __init__(self, collector: pytest.Collector) -> None:
        self.collector = collector
        self.path = os.path.abspath(str(collector.path))
        self.entry = REGISTRY.modules.get(self.path)
        self.count = len(self.entry.cases) if self.entry is not None else 0
        self.modules = len(REGISTRY.modules)
        self.by_func: dict[int, list[Case]] = {}
        self.external: dict[tuple[str, str], bool] = {}
        if self.entry is not None:
            for case in self.entry.cases:
                self.by_func.setdefault(id(case.func), []).append(case)

    def current(self, collector: pytest.Collector) -> bool:
        """Whether this is of `collector` and the registry still holds what it was built from."""
        entry = self.entry
        return (
            collector is self.collector
            and len(REGISTRY.modules) == self.modules
            and REGISTRY.modules.get(self.path) is entry
            and (entry is None or len(entry.cases) == self.count)
        )

    def cases(self, func: object) -> list[Case]:
        """The cases declared with `func`, in declaration order (several with params)."""
        return self.by_func.get(id(func), [])

    def wanted(self, case: Case) -> tuple[str, ...]:
        """The parameters of `case` that no thinking-tests fixture fills: pytest fills them."""
        names: list[str] = []
        for name in case.fixture_names:
            key = (name, case.module)
            external = self.external.get(key)
            if external is None:
                external = REGISTRY.find_fixture(name, case.module, builtins=False) is None
                self.external[key] = external
            if external:
                names.append(name)
        return tuple(names)


_LATEST: list[_ModuleCases] = []


def module_cases(collector: pytest.Collector) -> _ModuleCases:
    if not _LATEST or not _LATEST[0].current(collector):
        _LATEST[:] = [_ModuleCases(collector)]
    return _LATEST[0]


def forget_module_cases() -> None:
    """Drop the latest module's cases: they hold a collector, so the session's tree."""
    _LATEST.clear()


def may_hold_suite(collector: pytest.Collector) -> bool:
    """A module with load_tests, or a package whose __init__.py is not empty (it may define
    load_tests or TestCase classes): looked at closer by pytest_suite, loaded only then."""
    if isinstance(collector, pytest.Package):
        try:
            return os.path.getsize(os.path.join(collector.path, "__init__.py")) > 0
        except OSError:
            return False
    return hasattr(collector.obj, "load_tests")  # type: ignore[attr-defined]


def add_unclaimed(collector: pytest.Module, report: pytest.CollectReport) -> None:
    assert isinstance(report.result, list)
    entry = REGISTRY.modules.get(os.path.abspath(str(collector.path)))
    if entry is None or not entry.cases:
        return
    claimed = {id(node.case) for node in report.result if isinstance(node, CaseItem)}
    if len(claimed) == len(entry.cases):
        return
    # A case declared in the body of a class pytest collects is that class's item.
    classes = {node.name for node in report.result if isinstance(node, pytest.Class)}
    known = module_cases(collector)
    added = [
        CaseItem.from_case(collector, case, known.wanted(case))
        for case in entry.cases
        if id(case) not in claimed and _owner(case) not in classes
    ]
    if not added:
        return
    report.result[:] = _in_declaration_order(report.result, added, entry.cases)


def _owner(case: Case) -> str:
    """The module-level class whose body declared the case, or ""."""
    qualname = getattr(case.func, "__qualname__", "")
    owner, dot, _ = qualname.partition(".")
    return owner if dot and "<locals>" not in qualname else ""


def _in_declaration_order(
    nodes: list[Any], added: list["CaseItem"], cases: list[Case]
) -> list[Any]:
    """`nodes` with `added` among their case items, every case item in declaration order;
    the module's other items keep their places."""
    order = {id(case): index for index, case in enumerate(cases)}
    items = iter(sorted(
        [node for node in nodes if isinstance(node, CaseItem)] + added,
        key=lambda item: order.get(id(item.case), len(order)),
    ))
    slots = [index for index, node in enumerate(nodes) if isinstance(node, CaseItem)]
    result = [next(items) if isinstance(node, CaseItem) else node for node in nodes]
    at = slots[-1] + 1 if slots else len(nodes)
    result[at:at] = list(items)
    return result
