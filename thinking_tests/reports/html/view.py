"""The HTML report's view model: what `templates/report.html` shows, as plain values.

`page()` gives the template its variables: strings, numbers and tuples, every text from the
run already cleaned (`text.shown`), never HTML; the template's autoescape escapes them. Only
the page's own script, style and the JSON data block are markup (`markupsafe.Markup`).
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from itertools import compress, filterfalse, islice, repeat
from operator import attrgetter, eq
from pathlib import Path
from typing import Any, NamedTuple

from thinking_tests.model import Attempt, CaseResult, Counts, Outcome, RunResult
from thinking_tests.reports._files import truncate
from thinking_tests.reports.html import facts
from thinking_tests.reports.html.data import data
from thinking_tests.reports.html.text import FAILING, explained, first_line, long, message, shown

# Bound at import: a case may leave time's functions mocked, and the report is written after
# every case ran.
_localtime = time.localtime
_strftime = time.strftime

NOSCRIPT_FAILURES = 5000  # failed, erroring and xpassed cases in the plain table, at most
NOSCRIPT_OTHERS = 500  # xfailed, skipped and passed cases after them; the JSON holds every case
NOSCRIPT_TRACEBACKS = 100  # failures whose traceback the plain table carries
NOSCRIPT_TEXT = 20_000  # characters of each such traceback

# Worst first: the order of the default sort and of the plain table.
SEVERITY: dict[Outcome, int] = {
    Outcome.ERROR: 0,
    Outcome.FAILED: 1,
    Outcome.XPASSED: 2,
    Outcome.XFAILED: 3,
    Outcome.SKIPPED: 4,
    Outcome.PASSED: 5,
}
_ORDER = [outcome._value_ for outcome in sorted(Outcome, key=SEVERITY.__getitem__)]
# What a reader without JavaScript is shown in full: the outcomes that need a look.
_ATTENTION = frozenset({Outcome.ERROR._value_, Outcome.FAILED._value_, Outcome.XPASSED._value_})
# The summary line's three counts (DESIGN.md) and the outcomes each is made of, its own outcome
# first: the headline and the outcome chips show each count broken down the same way.
_BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (
        bucket,
        tuple(
            outcome._value_
            for outcome in sorted(Outcome, key=lambda o: (o._value_ != bucket, SEVERITY[o]))
            if outcome.counts_as == bucket
        ),
    )
    for bucket in ("passed", "failed", "skipped")
)

_OUTCOME = attrgetter("outcome._value_")  # _value_: a plain attribute, .value a descriptor
_ATTEMPTS = attrgetter("attempts")
_PASSED = Outcome.PASSED._value_


class Part(NamedTuple):
    """One outcome within a count of the summary line, with the word the headline uses."""

    outcome: str
    cases: int
    word: str


class Bucket(NamedTuple):
    """One of the summary line's three counts and the outcomes that made it, those that
    occurred, in `_BUCKETS` order; `mixed` when it holds another outcome than its own (an
    error, an xpass, an xfail), which the headline and the chips then name."""

    name: str  # passed, failed or skipped
    cases: int
    parts: tuple[Part, ...]
    mixed: bool
    outcomes: str  # its outcomes, comma-separated: what its chip filters
    flaky: int  # of its cases, those that passed after failed attempts (passed only)


class Segment(NamedTuple):
    """One outcome's share of the summary chart, in percent of the bar."""

    outcome: str
    cases: int
    x: float
    width: float


class Coverage(NamedTuple):
    percent: str
    href: str  # the coverage HTML report, relative to the page; "" without one


class Row(NamedTuple):
    """A case in the plain table shown with JavaScript off; "" for what it does not have."""

    outcome: str
    id: str
    traceback: str
    message: str
    explained: str
    duration: str
    note: str  # a retried case's: "flaky · passed on attempt 2", "3 attempts"
    flaky: bool
    attempts: tuple[str, ...]  # one line per failed attempt before the last


def page(
    results: RunResult, path: Path, limit: int, *, style: Any, script: Any, csp: str
) -> dict[str, object]:
    """The template's variables for the report of `results` written to `path`.

    `style` and `script` are the page's own, as markup; `limit` cuts every text of a case.
    Raises ValueError or OverflowError for a NaN, infinite or absurd time.
    """
    from markupsafe import Markup  # comes with jinja2, which writing this report imports

    if not (usable(results.start) and usable(results.duration)):
        raise ValueError("the run's start or duration is not a usable time")
    outcomes = list(map(_OUTCOME, results.cases))
    tally = Counter(outcomes)
    counts = _counts(tally, 0)
    status = _status(results, counts)
    summary_line = counts.summary_line()
    listed = _listed(results.cases, outcomes, tally, [])
    started, started_iso = _start(results.start)
    version = facts.own_version()
    partial = " (partial run)" if results.selection.partial else ""
    # The data block, the one pass over every case, also finds the retried ones, so the rest
    # is built as if there were none and corrected after when there are. It is built last:
    # built before the rest, it makes the rest slower (the allocator's reuse of its memory).
    retried: list[CaseResult] = []
    model: dict[str, object] = {
        "csp": csp,
        "title": f"Tests {status}{partial}: {summary_line}",
        "icon": _icon(status),
        "style": style,
        "status": status,
        "summary_line": summary_line,
        "buckets": _breakdown(tally, 0),
        "generator": shown(f"thinking-tests {version}" if version else "thinking-tests"),
        "duration": format_duration(results.duration),
        "total": len(outcomes),
        "tags": [(shown(tag), count) for tag, count in _tags(results)],
        "banners": [shown(line) for line in _banners(results)],
        "counts": counts,
        "segments": _segments([(o, tally[o]) for o in _ORDER if tally[o]]),
        "coverage": _coverage(results, path),
        "started": shown(started),
        "started_iso": started_iso,
        "caption": _caption(len(outcomes), tally, listed),
        "rows": _rows(listed, limit),
        "environment": [(shown(name), shown(value)) for name, value in facts.environment(results)],
        "compare": _compared(results, limit),
        "data": Markup(data(results, limit, retried)),
        "script": script,
    }
    if retried:
        _show_retried(model, results.cases, outcomes, tally, retried, limit)
    return model


def _compared(results: RunResult, limit: int) -> object:
    """What changed since an earlier run (compare_view), for a compared run; else None."""
    comparison = getattr(results, "comparison", None)
    if comparison is None:
        return None
    from thinking_tests.reports.html.compare_view import section

    return section(comparison, results.backend, limit, format_duration)


def _show_retried(
    model: dict[str, object],
    cases: tuple[CaseResult, ...],
    outcomes: list[str],
    tally: Counter[str],
    retried: list[CaseResult],
    limit: int,
) -> None:
    """The parts of `model` that name the flaky cases (the passed after failed attempts):
    the counts, the headline and chips, the plain table (the flaky first of the passed)."""
    flaky = [case for case in retried if case.outcome is Outcome.PASSED]
    if not flaky:
        return
    model["counts"] = _counts(tally, len(flaky))
    model["buckets"] = _breakdown(tally, len(flaky))
    model["rows"] = _rows(_listed(cases, outcomes, tally, flaky), limit)


def _breakdown(tally: Counter[str], flaky: int) -> list[Bucket]:
    """The three counts of the summary line, each with its outcomes; passed with its flaky."""
    buckets: list[Bucket] = []
    for name, outcomes in _BUCKETS:
        parts = tuple(
            Part(outcome, tally[outcome], _noun(outcome, tally[outcome]))
            for outcome in outcomes
            if tally[outcome]
        )
        buckets.append(
            Bucket(
                name,
                sum(part.cases for part in parts),
                parts,
                any(part.outcome != name for part in parts),
                ",".join(part.outcome for part in parts),
                flaky if name == "passed" else 0,
            )
        )
    return buckets


def _noun(outcome: str, count: int) -> str:
    """The word for `count` cases of `outcome`, as the headline and the chips say it."""
    return "errors" if outcome == "error" and count != 1 else outcome


def _banners(results: RunResult) -> list[str]:
    """Notices above the summary: an interrupted run, a partial selection, notes on the run."""
    lines: list[str] = []
    if results.interrupted:
        lines.append("The run was interrupted: the cases below are those that finished.")
    selection = results.selection
    if selection.partial:
        lines.append(f"Partial run: {selection.describe()}. Cases outside this selection did not run.")
    lines.extend(results.notes)
    return lines


def _coverage(results: RunResult, path: Path) -> Coverage | None:
    """The coverage total, linked to its HTML report when there is one; None without coverage."""
    summary = results.coverage
    if summary is None:
        return None
    href = ""
    if summary.html_index:
        href = shown(Path(os.path.relpath(summary.html_index, path.parent)).as_posix())
    return Coverage(f"{summary.percent:.1f}%", href)


def _icon(status: str) -> str:
    import base64

    colour = {"passed": "#1a7f37", "failed": "#d1242f"}.get(status, "#9a6700")
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
        f"<circle cx='8' cy='8' r='7' fill='{colour}'/></svg>"
    )
    # Base64 keeps the SVG namespace URL out of the page's attributes.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("ascii")).decode("ascii")


def _counts(tally: Counter[str], flaky: int) -> Counts:
    """What `RunResult.counts()` gives, from the outcomes tallied once for the whole page."""
    buckets: Counter[str] = Counter()
    for outcome in Outcome:
        buckets[outcome.counts_as] += tally[outcome._value_]
    return Counts(
        passed=buckets["passed"],
        failed=buckets["failed"],
        skipped=buckets["skipped"],
        errors=tally[Outcome.ERROR._value_],
        xfailed=tally[Outcome.XFAILED._value_],
        xpassed=tally[Outcome.XPASSED._value_],
        flaky=flaky,
    )


def _status(results: RunResult, counts: Counts) -> str:
    if results.interrupted:
        return "interrupted"
    if counts.failed:
        return "failed"
    if not counts.total:
        return "empty"
    return "passed"


def _segments(outcomes: list[tuple[str, int]]) -> list[Segment]:
    """The chart's bar: one segment per outcome, best first, so red sits at the end."""
    total = sum(count for _, count in outcomes)
    segments: list[Segment] = []
    x = 0.0
    for outcome, count in reversed(outcomes):
        width = 100.0 * count / total
        segments.append(Segment(outcome, count, round(x, 3), round(width, 3)))
        x += width
    return segments


def _tags(results: RunResult) -> list[tuple[str, int]]:
    tally: dict[str, int] = {}
    for case in results.cases:
        for tag in case.tags:
            tally[tag] = tally.get(tag, 0) + 1
    return sorted(tally.items())


def _start(start: float) -> tuple[str, str]:
    """The run's start in local time as a person reads it, and as ISO 8601 for `<time>`;
    ("unknown", "") when there is none or it is beyond the calendar."""
    if not start:
        return "unknown", ""
    try:
        local = _localtime(start)
    except (OverflowError, OSError, ValueError):
        return "unknown", ""
    when = _strftime("%Y-%m-%d %H:%M:%S %Z", local).strip()
    minutes = round(local.tm_gmtoff / 60)
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return when, _strftime("%Y-%m-%dT%H:%M:%S", local) + offset


def usable(seconds: float) -> bool:
    """Finite, and small enough (1.8e302 s at most) that its microseconds are finite too."""
    return math.isfinite(seconds * 1e6)


def format_duration(seconds: float) -> str:
    """A duration as a person reads it: 850 µs, 12 ms, 1.25 s, 3 min 05 s, 1 h 02 min."""
    if seconds < 0.001:
        return f"{seconds * 1_000_000:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# --- the plain table, shown with JavaScript off -------------------------------------------------


def _listed(
    cases: tuple[CaseResult, ...],
    outcomes: list[str],
    tally: Counter[str],
    flaky: list[CaseResult],
) -> list[CaseResult]:
    """The cases of the plain table, worst first and in run order within an outcome: every
    failure up to `NOSCRIPT_FAILURES`, then up to `NOSCRIPT_OTHERS` of the rest, the flaky
    first among the passed."""
    listed: list[CaseResult] = []
    others = 0
    for outcome in _ORDER:
        if not tally[outcome]:
            continue
        if outcome in _ATTENTION:
            room = NOSCRIPT_FAILURES - (len(listed) - others)
        else:
            room = NOSCRIPT_OTHERS - others
        if room <= 0:
            continue
        # C-level selection that stops at the cap: the first 500 of 20,000 passing cases cost
        # no more than 500.
        of_outcome = compress(cases, map(eq, outcomes, repeat(outcome)))
        if flaky and outcome == _PASSED:
            chosen = flaky[:room]
            chosen.extend(islice(filterfalse(_ATTEMPTS, of_outcome), room - len(chosen)))
        else:
            chosen = list(islice(of_outcome, room))
        listed.extend(chosen)
        if outcome not in _ATTENTION:
            others += len(chosen)
    return listed


def _caption(total: int, tally: Counter[str], listed: list[CaseResult]) -> str:
    """What the plain table lists: all cases, or which of them and where to see the rest."""
    if len(listed) >= total:
        return f"{total} cases, failures first."
    failures = sum(tally[outcome] for outcome in _ATTENTION)
    attention = sum(1 for case in listed if case.outcome._value_ in _ATTENTION)
    parts = []
    if failures:
        noun = "failed, erroring or unexpectedly passing case" + ("" if failures == 1 else "s")
        if attention == failures:
            parts.append(f"{'the' if failures == 1 else 'all'} {failures} {noun}")
        else:
            parts.append(f"the first {attention} of the {failures} {noun}")
    others = total - failures
    if len(listed) > attention:
        first = "the first" if len(listed) - attention == 1 else f"the first {len(listed) - attention}"
        parts.append(f"{first} of the {others} {'others' if failures else 'cases'}")
    elif others:
        parts.append(f"none of the {others} others")
    return (
        f"{total} cases, failures first. Listed here: {' and '.join(parts)}; "
        f"with JavaScript on, the page lists all {total}."
    )


def _rows(listed: list[CaseResult], limit: int) -> list[Row]:
    """The plain table's rows: the first `NOSCRIPT_TRACEBACKS` failures with their traceback."""
    rows: list[Row] = []
    tracebacks = 0
    text_limit = min(limit, NOSCRIPT_TEXT)
    for case in listed:
        outcome = case.outcome._value_
        ident = case.id
        if len(ident) > limit:
            ident = truncate(ident, limit)
        traceback = why = ""
        line = first_line(message(case))
        if outcome in FAILING:
            exception = case.exception
            if tracebacks < NOSCRIPT_TRACEBACKS and exception is not None and exception.traceback:
                traceback = shown(long(exception.traceback, text_limit))
                tracebacks += 1
            why = shown(explained(case, line))
        duration = format_duration(case.duration) if case.duration else ""
        note = ""
        attempts: tuple[str, ...] = ()
        if case.attempts:
            note = retried_note(case)
            total = len(case.attempts) + 1
            attempts = tuple(
                shown(attempt_line(attempt, number, total))
                for number, attempt in enumerate(case.attempts, 1)
            )
        rows.append(
            Row(
                outcome,
                shown(ident),
                traceback,
                shown(line),
                why,
                duration,
                note,
                outcome == _PASSED and bool(attempts),
                attempts,
            )
        )
    return rows


def retried_note(case: CaseResult) -> str:
    """What a case run more than once says beside its outcome: "flaky · passed on attempt 2"
    when it passed in the end, else how many attempts it took ("3 attempts")."""
    total = len(case.attempts) + 1
    if case.outcome is Outcome.PASSED:
        return f"flaky · passed on attempt {total}"
    return f"{total} attempts"


def attempt_line(attempt: Attempt, number: int, total: int) -> str:
    """One failed attempt in a line: "attempt 1 of 3, failed in run · 12 ms: AssertionError: ...".
    Latin-1 only: one character beyond it would make the whole page a wider, slower string."""
    where = next((f" in {stage.stage._value_}" for stage in attempt.stages if not stage.ok), "")
    head = f"attempt {number} of {total}, {attempt.outcome._value_}{where}"
    if attempt.duration:
        head += f" · {format_duration(attempt.duration)}"
    said = first_line(message(attempt))
    return f"{head}: {said}" if said else head
