"""What differs between the two sides of a failed comparison: pytest's own explanation
(a diff, the first differing index) when pytest is there, else a plain one."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from thinking_tests.explain.text import _MAX_DETAIL_LINES, _MAX_DETAIL_WIDTH, _clip, _safe_repr

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence, Set


# --- comparison details ---------------------------------------------------------------------


def _compare_details(symbol: str, left: object, right: object, verbosity: int) -> list[str]:
    """Lines explaining why `left symbol right` is false: pytest's, else a plain fallback."""
    lines = _pytest_details(symbol, left, right, verbosity)
    if lines is None:
        try:
            lines = _plain_details(symbol, left, right)
        except Exception:
            lines = []
    lines = [_clip(line, _MAX_DETAIL_WIDTH) for line in lines]
    if len(lines) > _MAX_DETAIL_LINES:
        lines = lines[:_MAX_DETAIL_LINES] + [f"... ({len(lines) - _MAX_DETAIL_LINES} more lines)"]
    return lines


class _PytestConfig:
    """The few members of pytest's ``Config`` that its comparison helper reads."""

    def __init__(self, verbosity: int) -> None:
        self._verbosity = verbosity

    def get_verbosity(self, verbosity_type: str | None = None) -> int:
        return self._verbosity

    def getoption(self, name: str, default: object = None, skip: bool = False) -> object:
        return self._verbosity if name == "verbose" else default

    def get_terminal_writer(self) -> _PytestConfig:
        return self

    def _highlight(self, source: str, lexer: str = "python") -> str:
        return source  # reports store plain text: no colour codes


def _no_colour(source: str, lexer: str = "python") -> str:
    return source  # reports store plain text


def _pytest_details(symbol: str, left: object, right: object, verbosity: int) -> list[str] | None:
    """pytest's explanation without its first line (the comparison, shown already).

    None when pytest is missing or its private helper failed; [] when it has nothing to add.
    """
    try:
        import importlib

        util = importlib.import_module("_pytest.assertion.util")
        # A private helper whose signature changed in pytest 9.2: call whichever is there.
        compare: Any = util.assertrepr_compare
        if "config" in inspect.signature(compare).parameters:  # pytest < 9.2
            lines = compare(_PytestConfig(verbosity), symbol, left, right)
        else:  # pytest 9.2 and later take the settings themselves and yield lines
            lines = list(
                compare(
                    symbol,
                    left,
                    right,
                    verbose=verbosity,
                    highlighter=_no_colour,
                    assertion_text_diff_style="ndiff",
                )
            )
    except Exception:
        return None
    if lines is None:
        return []
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        return None
    import re

    details: list[str] = []
    for line in lines[1:]:
        if line.strip() == "Use -v to get more diff":  # pytest's flags do not exist here
            continue
        line = re.sub(r",? use -v+ to show$", "", line)
        details.append(re.sub(r"^\(pytest_assertion plugin: ", "(", line))  # no plugin here
    while details and not details[0].strip():
        details.pop(0)
    return details


def _plain_details(symbol: str, left: object, right: object) -> list[str]:
    """A small stand-in for pytest's explanations: diffs of text, sequences, dicts, sets."""
    from collections.abc import Mapping, Sequence, Set

    if symbol == "not in" and isinstance(left, str) and isinstance(right, str):
        start = right.find(left)
        return [f"{_safe_repr(left)} is contained here:", "  " + right[max(0, start - 40) : start + len(left) + 40]]
    if symbol != "==":
        return []
    if isinstance(left, str) and isinstance(right, str):
        import difflib

        # As pytest: "-" lines are the right side (usually the expected), "+" the left.
        diff = difflib.ndiff(right.splitlines(keepends=True) or [""], left.splitlines(keepends=True) or [""])
        return [line.rstrip("\n") for line in diff]
    if type(left) is type(right) and hasattr(type(left), "__dataclass_fields__"):
        import dataclasses

        names = [field.name for field in dataclasses.fields(left) if field.compare]  # type: ignore[arg-type]
        differing = [name for name in names if getattr(left, name) != getattr(right, name)]
        lines = [f"Differing attributes: {differing!r}"]
        for name in differing:
            lines.append(f"{name}: {_safe_repr(getattr(left, name))} != {_safe_repr(getattr(right, name))}")
        return lines
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return _plain_mapping(left, right)
    if isinstance(left, Set) and isinstance(right, Set):
        return _plain_set(left, right)
    if isinstance(left, (Sequence, bytes)) and isinstance(right, (Sequence, bytes)):
        return _plain_sequence(left, right)
    return []


def _plain_mapping(left: Mapping[object, object], right: Mapping[object, object]) -> list[str]:
    lines: list[str] = []
    differing = [key for key in left if key in right and left[key] != right[key]]
    if differing:
        lines.append("Differing items:")
        lines += [f"{_safe_repr(key)}: {_safe_repr(left[key])} != {_safe_repr(right[key])}" for key in differing]
    for side, this, other in (("Left", left, right), ("Right", right, left)):
        extra = {key: this[key] for key in this if key not in other}
        if extra:
            lines += [f"{side} contains {len(extra)} more item(s):", _safe_repr(extra)]
    return lines


def _plain_set(left: Set[object], right: Set[object]) -> list[str]:
    lines: list[str] = []
    for side, this, other in (("left", left, right), ("right", right, left)):
        extra = [item for item in this if item not in other]
        if extra:
            lines.append(f"Extra items in the {side} set:")
            lines += [_safe_repr(item) for item in extra]
    return lines


def _plain_sequence(left: Sequence[object], right: Sequence[object]) -> list[str]:
    lines: list[str] = []
    for index in range(min(len(left), len(right))):
        if left[index] != right[index]:
            lines.append(f"At index {index} diff: {_safe_repr(left[index])} != {_safe_repr(right[index])}")
            break
    if len(left) != len(right):
        side, longer, shorter = ("Left", left, right) if len(left) > len(right) else ("Right", right, left)
        count = len(longer) - len(shorter)
        lines.append(f"{side} contains {count} more item(s), first extra item: {_safe_repr(longer[len(shorter)])}")
    return lines
