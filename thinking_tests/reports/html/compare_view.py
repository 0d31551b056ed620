"""The HTML report's "Changes since the last run": the view model of `templates/compare.html`.

Built only for a run compared with an earlier one (`thinking_tests.compare`); plain values,
every text cleaned by `text.shown`, escaped by the template. Each changed case that has a row
in the report links to it (`#open=ID`, which the page's script reads as any link to a case).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode

from thinking_tests.compare import KINDS, Change, Comparison, counted, when
from thinking_tests.reports._files import truncate
from thinking_tests.reports.html.text import shown

LISTED = 50  # cases listed per kind of change; the rest are counted


class Listed(NamedTuple):
    """One changed case: its id (the module's part, to `::`, shown apart from the name),
    the link to its row ("" when it has none: removed), its outcome now (its badge:
    "removed" for a removed case), and what changed, in words."""

    module: str
    name: str
    href: str
    outcome: str
    detail: str


class Group(NamedTuple):
    kind: str  # a kind of compare.KINDS
    title: str  # "2 new failures"
    label: str  # what a case of it is: "new failure" (the mark its row in the list gets)
    cases: tuple[Listed, ...]
    more: int  # cases of this kind not listed


class Section(NamedTuple):
    heading: str
    against: str  # "the run of 2026-12-06 15:02", and its engine when another
    source: str  # the journal compared with, when --compare named it; else ""
    summary: str  # "2 new failures, 1 fixed" or "Nothing changed"
    groups: tuple[Group, ...]
    note: str  # why removed cases were not looked for, when they were not


def section(comparison: Comparison, backend: str, limit: int, duration: Callable[[float], str]) -> Section:
    """The section of `comparison`, for a run on the `backend` engine; every id cut to
    `limit` characters as the report's others are, every time in words by `duration` (the
    report's own: view.format_duration)."""
    groups = []
    for kind, one, many in KINDS:
        changes = comparison.of(kind)
        if not changes:
            continue
        title = f"{len(changes)} {one if len(changes) == 1 else many}"
        listed = tuple(_listed(change, limit, duration) for change in changes[:LISTED])
        groups.append(Group(kind, title, one, listed, len(changes) - len(listed)))
    engine = f" ({comparison.backend} engine)" if comparison.backend != backend else ""
    note = ""
    if not comparison.removed_judged:
        note = (
            "Removed cases are looked for only when a whole run (no -k, -t, --lf, node id, "
            "shard or -x, not interrupted) follows another: a narrowed run leaves out cases "
            "that still exist."
        )
    return Section(
        heading="Changes since the compared run" if comparison.explicit else "Changes since the last run",
        against=shown(f"the run of {when(comparison.start)}{engine}"),
        source=shown(comparison.path) if comparison.explicit else "",
        summary=", ".join(counted(comparison)) or "Nothing changed",
        groups=tuple(groups),
        note=note,
    )


def _listed(change: Change, limit: int, duration: Callable[[float], str]) -> Listed:
    ident = change.id if len(change.id) <= limit else truncate(change.id, limit)
    module, cut, name = shown(ident).rpartition("::")
    module += cut
    if change.kind == "removed":
        return Listed(module, name, "", "removed", f"was {change.before}")
    href = "#" + urlencode([("open", change.id)])
    return Listed(module, name, href, change.now, _detail(change, duration))


def _detail(change: Change, duration: Callable[[float], str]) -> str:
    """What changed for one case, in a few words."""
    if change.kind == "slower":
        times = change.now_s / change.before_s if change.before_s else 0.0
        factor = "" if not times else f" (×{times:.1f})" if times < 10 else f" (×{times:,.0f})"
        return f"{duration(change.now_s)}, was {duration(change.before_s)}{factor}"
    if change.kind == "flaky":
        return "passed after failed attempts; was not flaky"
    if not change.before:
        return "new case"
    return f"was {change.before}"
