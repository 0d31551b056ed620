"""The settings store: validated, versioned, thread-safe.

Every successful change makes a new version (one per change, however many keys it sets),
and every reader gets a whole snapshot of one version, never half of a change. A writer can
pass the version it read (`expected_version`) to make its change conditional: if anyone
changed the settings in between, the store refuses with `VersionConflict` instead of
overwriting, which is how clients do safe read-modify-write over HTTP (If-Match).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

Value = float | str


class UnknownSetting(KeyError):
    """A key the settings do not have."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"unknown setting {self.key!r}"


class InvalidSetting(ValueError):
    """A value of the wrong type or out of range; the message says what is allowed."""


class VersionConflict(Exception):
    """The settings changed since the version a conditional change was based on."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"settings are at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class Rule:
    kind: type
    low: float | None = None
    high: float | None = None

    def check(self, key: str, value: object) -> Value:
        if self.kind is float:
            # JSON has one number type: accept ints, but never booleans (True == 1 in Python).
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidSetting(f"{key} must be a number, not {type(value).__name__}")
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise InvalidSetting(f"{key} must be a finite number")
            if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
                raise InvalidSetting(f"{key} must be between {self.low} and {self.high}, not {number}")
            return number
        if not isinstance(value, str) or not value.strip():
            raise InvalidSetting(f"{key} must be a non-empty string")
        return value


SCHEMA: Mapping[str, Rule] = MappingProxyType({
    "scale": Rule(float, -100.0, 100.0),
    "offset": Rule(float, -1e6, 1e6),
    "threshold": Rule(float, 0.0, 1.0),
    "positive_label": Rule(str),
    "negative_label": Rule(str),
})

DEFAULTS: Mapping[str, Value] = MappingProxyType({
    "scale": 1.0,
    "offset": 0.0,
    "threshold": 0.5,
    "positive_label": "yes",
    "negative_label": "no",
})


@dataclass(frozen=True)
class Snapshot:
    """The settings of one version; never changes after it is made."""

    version: int
    settings: Mapping[str, Value]

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "settings": dict(self.settings)}


@dataclass(frozen=True)
class Change:
    version: int  # the version this change made
    changes: Mapping[str, tuple[Value, Value]]  # key -> (old, new)


class SettingsStore:
    """Settings shared by every request thread; all access goes through one lock."""

    def __init__(self, initial: Mapping[str, object] | None = None) -> None:
        settings = dict(DEFAULTS)
        settings.update(self._validated(initial or {}))
        self._lock = threading.Lock()
        self._snapshot = Snapshot(1, MappingProxyType(settings))
        self._history: list[Change] = []

    @staticmethod
    def _validated(changes: Mapping[str, object]) -> dict[str, Value]:
        checked: dict[str, Value] = {}
        for key, value in changes.items():
            rule = SCHEMA.get(key)
            if rule is None:
                raise UnknownSetting(key)
            checked[key] = rule.check(key, value)
        return checked

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot  # immutable: safe to hand out

    @property
    def version(self) -> int:
        return self.snapshot().version

    def get(self, key: str) -> tuple[Value, int]:
        """The value of `key` and the version it was read at."""
        snapshot = self.snapshot()
        if key not in snapshot.settings:
            raise UnknownSetting(key)
        return snapshot.settings[key], snapshot.version

    def update(self, changes: Mapping[str, object], expected_version: int | None = None) -> Snapshot:
        """Apply every change or none, as one new version; validation happens first."""
        checked = self._validated(changes)
        if not checked:
            raise InvalidSetting("no settings to change")
        with self._lock:
            current = self._snapshot
            if expected_version is not None and expected_version != current.version:
                raise VersionConflict(expected_version, current.version)
            settings = dict(current.settings)
            settings.update(checked)
            version = current.version + 1
            self._history.append(
                Change(version, MappingProxyType({k: (current.settings[k], v) for k, v in checked.items()}))
            )
            self._snapshot = Snapshot(version, MappingProxyType(settings))
            return self._snapshot

    def set(self, key: str, value: object, expected_version: int | None = None) -> Snapshot:
        return self.update({key: value}, expected_version)

    def history(self, since: int = 0) -> list[Change]:
        """The changes that made versions after `since`, oldest first."""
        with self._lock:
            return [c for c in self._history if c.version > since]
