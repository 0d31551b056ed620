"""thinking-tests 0.0.4's `thinking_tests.current` (deprecated): use `thinking_tests.current()`.

Importing this module replaces the package's `current` attribute with the module, so the
module is callable and does what the function does: `from thinking_tests import current;
current()` works whether or not this module was imported first.
"""

from __future__ import annotations

import sys
import types
from typing import NamedTuple

from thinking_tests.aspects import Current, current
from thinking_tests.deprecated import forward
from thinking_tests.model import Stage


class ModuleName(str):
    """A dotted module name, with the two properties 0.0.4's ModuleName was used for."""

    @property
    def qualified(self) -> str:
        return str(self)

    @property
    def parent(self) -> "ModuleName | None":
        head, dot, _ = self.rpartition(".")
        return ModuleName(head) if dot else None


class CaseCoordinates(NamedTuple):
    """Where a case is: 0.0.4's view of a case, for `current_case()`, predicates and sorters."""

    module_name: ModuleName
    name: str
    lineno: int

    @property
    def id(self) -> str:
        return f"{self.module_name}::{self.name}"


class CurrentTesting(NamedTuple):
    coordinates: CaseCoordinates
    stage: Stage


def _now() -> Current:
    now = current()
    if now is None:
        raise LookupError("no case is running: thinking_tests.current() is None outside a case")
    return now


def _coordinates(now: Current) -> CaseCoordinates:
    return CaseCoordinates(ModuleName(now.case.module), now.case.name, now.case.line)


def current_metadata() -> CurrentTesting | None:
    now = current()
    return None if now is None else CurrentTesting(_coordinates(now), now.stage)


def current_case() -> CaseCoordinates:
    return _coordinates(_now())


def current_case_id() -> str:
    return _now().case.id


def current_case_name() -> str:
    return _now().case.name


def current_stage() -> Stage:
    return _now().stage


_NEW = "thinking_tests.current()"
__getattr__ = forward(
    __name__,
    globals(),
    {
        "current_metadata": (current_metadata, _NEW),
        "current_case": (current_case, f"{_NEW}.case"),
        "current_coordinates": (current_case, f"{_NEW}.case"),
        "current_case_id": (current_case_id, f"{_NEW}.case.id"),
        "current_case_name": (current_case_name, f"{_NEW}.case.name"),
        "current_stage": (current_stage, f"{_NEW}.stage"),
    },
)
# Served by __getattr__ (with the warning), not found as plain module attributes.
del current_metadata, current_case, current_case_id, current_case_name, current_stage


class _CallableModule(types.ModuleType):
    def __call__(self) -> Current | None:
        """The case and stage running now, or None outside a case."""
        return current()


sys.modules[__name__].__class__ = _CallableModule
