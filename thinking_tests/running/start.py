"""thinking-tests 0.0.4's `thinking_tests.running.start` (deprecated): use `thinking_tests`'s
`run_all`, `run_current_package` and `run_current_module`.

The old functions take 0.0.4's `predicate` (which cases run) and `sorter` (in which order),
both given 0.0.4's view of a case: an object with `coordinates` (module_name, name, lineno,
id). Like the new functions they exit with the run's exit code (`exit=False` returns it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from thinking_tests import entry
from thinking_tests.current import CaseCoordinates, ModuleName
from thinking_tests.deprecated import forward
from thinking_tests.registry import package_root

if TYPE_CHECKING:
    from thinking_tests.items import Item, Target


class OldCase(NamedTuple):
    """A case as 0.0.4's predicate and sorter see it."""

    coordinates: CaseCoordinates
    item: "Item"


Predicate = Callable[[OldCase], bool]
Sorter = Callable[[list[OldCase]], list[OldCase]]


def _arrange(predicate: Predicate | None, sorter: Sorter | None) -> "Callable[[list[Item]], list[Item]] | None":
    """The selected items filtered by `predicate`, ordered by `sorter` (else as declared)."""
    if predicate is None and sorter is None:
        return None

    def arrange(items: "list[Item]") -> "list[Item]":
        from thinking_tests.items import ImportFailure

        broken = [item for item in items if isinstance(item, ImportFailure)]  # always reported
        cases = [
            OldCase(CaseCoordinates(ModuleName(item.module), item.name, item.line), item)
            for item in items
            if not isinstance(item, ImportFailure)
        ]
        if predicate is not None:
            cases = [case for case in cases if predicate(case)]
        if sorter is not None:
            cases = list(sorter(cases))
        return [*broken, *(case.item for case in cases)]

    return arrange


def _run_all(
    predicate: Predicate | None = None,
    *,
    root_package: str = "",
    sorter: Sorter | None = None,
    exit: bool = True,
) -> int:
    """Every case of the calling module's root package (or of `root_package`), recursively."""
    namespace: dict[str, Any] = sys._getframe(1).f_globals
    try:
        found = entry._package_targets(namespace)
        targets = [_root(found[0], root_package)] if root_package else [_root(t, "") for t in found]
    except entry.UsageError as error:
        return entry._refuse(str(error), exit)
    return entry._run(targets, exit, namespace, _arrange(predicate, sorter))


def _root(target: "Target", wanted: str) -> "Target":
    """0.0.4's run_all ran the top package of its caller, or the package it was named."""
    from thinking_tests.items import Target

    if not isinstance(wanted, str):
        raise entry.UsageError(f"run_all(root_package=...) takes a package name, not {wanted!r}")
    root = package_root(os.path.join(target.path, "__init__.py"))
    name = wanted or target.name.split(".")[0]
    directory = os.path.join(root, *name.split("."))
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        raise entry.UsageError(f"run_all(root_package={wanted!r}): {directory} is not a package")
    return Target("package", name, directory)


def _run_current_package(
    predicate: Predicate | None = None, *, sorter: Sorter | None = None, exit: bool = True
) -> int:
    """Every case of the calling module's package and of its subpackages."""
    namespace: dict[str, Any] = sys._getframe(1).f_globals
    try:
        targets = entry._package_targets(namespace)
    except entry.UsageError as error:
        return entry._refuse(str(error), exit)
    return entry._run(targets, exit, namespace, _arrange(predicate, sorter))


def _run_current_module(
    predicate: Predicate | None = None, *, sorter: Sorter | None = None, exit: bool = True
) -> int:
    """The calling module's own cases."""
    return entry._run_module(sys._getframe(1).f_globals, exit, _arrange(predicate, sorter))


__getattr__ = forward(
    __name__,
    globals(),
    {
        "run_all": (_run_all, "thinking_tests.run_all (a predicate becomes -k or -t)"),
        "run_current_package": (_run_current_package, "thinking_tests.run_current_package"),
        "run_current_module": (_run_current_module, "thinking_tests.run_current_module"),
    },
)
