"""How the terminal shows pytest-style tests that need pytest: a run of a pytest suite on
the default engine may hold tens of thousands, each an error with the same advice, so after
a few they take one line each, then none, and one closing line says how many there are and
why, in aggregate. The reports keep every one, with its message."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from thinking_tests.model import CaseResult

TYPE_NAME = "thinking_tests.pytest_style.NeedsPytest"
_WHAT = re.compile(r" needs (.+?), which only pytest (?:provides|does|may provide)\b")
_FIXTURE = re.compile(r"fixture '([^']*)'$")
_UNKNOWN = "its parameter cases are unknown without pytest"
_REASONS_SHOWN = 4
_FIXTURES_SHOWN = 6


def needs_pytest(case: CaseResult) -> str | None:
    """The message of a case that errored because it needs pytest, else None."""
    for stage in case.stages:
        info = stage.exception
        if info is not None and info.type_name == TYPE_NAME:
            return info.message
    return None


def reason(message: str) -> str:
    """What the test needs, from its message: "fixture 'pm'", "mark 'timeout'", ..."""
    found = _WHAT.search(message)
    return found[1] if found else message.partition(":")[0]


def closing_line(messages: Sequence[str]) -> str:
    """`N pytest-style tests need pytest (why, most common first): what to do`."""
    reasons = Counter(reason(m) for m in messages)
    total = sum(reasons.values())
    fixtures: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for what, count in reasons.items():
        fixture = _FIXTURE.match(what)
        if fixture:
            fixtures[fixture[1]] += count
        else:
            others[what] += count
    parts = [what for what, _ in others.most_common(_REASONS_SHOWN)]
    if len(others) > _REASONS_SHOWN:
        parts.append(f"{len(others) - _REASONS_SHOWN} more")
    if fixtures:
        names = [f"'{name}'" for name, _ in fixtures.most_common(_FIXTURES_SHOWN)]
        if len(fixtures) > _FIXTURES_SHOWN:
            names.append(f"{len(fixtures) - _FIXTURES_SHOWN} more")
        parts.append(f"fixture{'s' if len(fixtures) > 1 else ''} {', '.join(names)}")
    unknown = sum(1 for m in messages if _UNKNOWN in m)
    if unknown:
        parts.append(f"{unknown} of them with parameter cases only pytest knows")
    tests = "pytest-style test needs" if total == 1 else "pytest-style tests need"
    return (
        f"{total} {tests} pytest ({'; '.join(parts)}): run {'it' if total == 1 else 'them'} "
        'with --backend pytest, or set config.backend = "pytest" in __test__.py'
    )
