"""The checks of a journal record's values, shared by `journal.reading` (which reads every
record) and `compare` (which reads only the end record, and so must not import the reader).

Each check returns the value as this version uses it, or raises Unreadable whose message
says which key holds what, in a few words, for a warning.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from thinking_tests.model import Selection

if TYPE_CHECKING:
    from thinking_tests.model import Outcome, Stage


class Unreadable(ValueError):
    """A record that is JSON but not one this version can use; the message says what is wrong."""


def shown_value(value: Any) -> str:
    """A value of a bad record, short, for a warning."""
    if value is None:
        return "missing"
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def text(record: dict[str, Any], key: str, default: str | None = None) -> str:
    value = record.get(key, default)
    if not isinstance(value, str):
        raise Unreadable(f'"{key}" is {shown_value(value)}, not a string')
    return value


def whole_number(record: dict[str, Any], key: str, default: int | None = None) -> int:
    value = record.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Unreadable(f'"{key}" is {shown_value(value)}, not a whole number')
    return value


def true_or_false(record: dict[str, Any], key: str, default: bool | None = None) -> bool:
    value = record.get(key, default)
    if not isinstance(value, bool):
        raise Unreadable(f'"{key}" is {shown_value(value)}, not true or false')
    return value


def seconds(record: dict[str, Any], whole: str, unit: float, old: str, required: bool = True) -> float:
    """A time of a record: whole units in this version, float seconds in version 1; finite."""
    if whole in record:
        key, value = whole, whole_number(record, whole)
        try:
            result = value / unit
        except OverflowError:
            result = math.inf
    else:
        key, value = old, record.get(old, None if required else 0.0)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise Unreadable(f'"{key}" is {shown_value(value)}, not a number')
        result = float(value)
    if not math.isfinite(result):
        raise Unreadable(f'"{key}" is {shown_value(value)}, not a finite time')
    return result


def strings(record: dict[str, Any], key: str) -> tuple[str, ...]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unreadable(f'"{key}" is {shown_value(value)}, not a list of strings')
    return tuple(value)


def choice(record: dict[str, Any], key: str, kind: type[Stage] | type[Outcome]) -> Any:
    value = record.get(key)
    try:
        return kind(value)
    except ValueError:
        raise Unreadable(f'"{key}" is {shown_value(value)}, not a known {key}') from None


def selection(value: Any) -> Selection:
    """An end record's "selection": what its run selected (targets, filters, counts)."""
    if not isinstance(value, dict):
        raise Unreadable(f'"selection" is {shown_value(value)}, not an object')
    return Selection(
        strings(value, "targets"), strings(value, "filters"),
        whole_number(value, "deselected", 0), whole_number(value, "not_run", 0),
    )
