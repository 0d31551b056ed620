"""A pytest-style test's marks: read as pytest stores them, and skip, skipif and xfail
evaluated as pytest evaluates them (boolean conditions only: a condition string needs
pytest's namespace)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thinking_tests.pytest_style import InvalidTest, needs

# Marks the default engine honours, and marks that change how pytest or a common plugin
# runs a test (honoured only there). Any other mark only tags.
HONOURED = frozenset({"skip", "skipif", "xfail", "parametrize", "usefixtures", "asyncio"})
PLUGIN_MARKS = frozenset({
    "filterwarnings", "anyio", "trio", "timeout", "flaky", "order", "run", "dependency", "forked",
    "repeat", "django_db", "xdist_group", "benchmark", "tryfirst", "trylast",
})


@dataclass(frozen=True)
class Xfail:
    reason: str
    run: bool
    strict: bool
    raises: Any


def marks_of(obj: object) -> list[Any]:
    """An object's marks as pytest stores them (a class's with its bases', bases first)."""
    if isinstance(obj, type):
        return [m for base in reversed(obj.__mro__) for m in marks_in(base.__dict__.get("pytestmark", []))]
    try:
        value = getattr(obj, "pytestmark", [])
    except Exception:
        return []
    return marks_in(value)


def marks_in(value: object) -> list[Any]:
    """The marks of one `pytestmark` value: a mark, a list of them, or decorators of them."""
    marks: list[Any] = []
    for mark in value if isinstance(value, list) else [value]:
        mark = getattr(mark, "mark", mark)
        if isinstance(getattr(mark, "name", None), str):
            marks.append(mark)
    return marks


def tags(marks: list[Any]) -> tuple[str, ...]:
    """The marks that only tag the test, each once."""
    return tuple(dict.fromkeys(m.name for m in marks if m.name not in HONOURED and m.name not in PLUGIN_MARKS))


def check_plugin_marks(who: str, marks: list[Any]) -> None:
    for mark in marks:
        if mark.name in PLUGIN_MARKS:
            raise needs(who, f"mark '{mark.name}'")


def skip_reason(who: str, marks: list[Any]) -> str | None:
    """The reason pytest skips the test for, or None: skipif marks first, then skip."""
    for mark in marks:
        if mark.name != "skipif":
            continue
        conditions = _conditions(mark)
        if not conditions:
            return str(mark.kwargs.get("reason", ""))
        for condition in conditions:
            result, reason = _condition(who, mark, condition)
            if result:
                return reason
    for mark in marks:
        if mark.name == "skip":
            if len(mark.args) + len(mark.kwargs) > 1 or set(mark.kwargs) - {"reason"}:
                raise InvalidTest(
                    "skip() takes at most one argument, the reason - maybe you meant pytest.mark.skipif?"
                )
            reason = mark.args[0] if mark.args else mark.kwargs.get("reason", "unconditional skip")
            return str(reason)
    return None


def xfail_of(who: str, marks: list[Any], strict_default: bool) -> Xfail | None:
    """The first xfail mark whose condition holds, as pytest evaluates it."""
    for mark in marks:
        if mark.name != "xfail":
            continue
        run = bool(mark.kwargs.get("run", True))
        strict = mark.kwargs.get("strict")
        strict = strict_default if strict is None else bool(strict)
        raises = mark.kwargs.get("raises")
        conditions = _conditions(mark)
        if not conditions:
            return Xfail(str(mark.kwargs.get("reason", "")), run, strict, raises)
        for condition in conditions:
            result, reason = _condition(who, mark, condition)
            if result:
                return Xfail(reason, run, strict, raises)
    return None


def _conditions(mark: Any) -> tuple[Any, ...]:
    return (mark.kwargs["condition"],) if "condition" in mark.kwargs else tuple(mark.args)


def _condition(who: str, mark: Any, condition: object) -> tuple[bool, str]:
    """pytest's evaluate_condition, for the conditions it takes without evaluating code."""
    if isinstance(condition, str):
        raise needs(who, f"the {mark.name} condition {condition!r} evaluated", "does")
    try:
        result = bool(condition)
    except Exception as error:
        raise InvalidTest(
            f"Error evaluating {mark.name!r} condition as a boolean: {type(error).__name__}: {error}"
        ) from None
    reason = mark.kwargs.get("reason")
    if reason is None:
        raise InvalidTest(
            f"Error evaluating {mark.name!r}: you need to specify reason=STRING "
            "when using booleans as conditions."
        )
    return result, str(reason)
