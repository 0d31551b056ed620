"""What changed since an earlier run: the run compared with a journal of it.

The earlier run is the report folder's `journal.prev.jsonl` (the last run's journal, kept
when a run starts its own, see `journal.keep_previous`), or any journal `--compare PATH`
names, of either engine. Cases are matched by id. A change is one of:

- new failure: failed or errored now, and neither before (it passed, was skipped, or is new);
- fixed: failed or errored before, passed now;
- new case: not in the earlier run, which would have run it (a whole run whose targets cover
  its module; a case a narrowed run left out is not new);
- removed: in the earlier run, not in this one, and this run would have run it: judged only
  when this run is a whole run (no -k, -t, --lf, node id, shard or -x narrowed it, and it
  was not interrupted) and its targets cover the case's module; otherwise not judged, since
  a narrowed run leaves cases out that still exist;
- slower: passed both times, at least twice as long now, and at least 50 ms longer (a case
  of microseconds that takes twice as long is noise, not news);
- flaky now: passed after failed attempts now, and not so before.

Only a run that has an earlier one to compare with imports this module. The earlier run
is read from its journal's end record, which repeats each case's id, outcome and duration
(`journal.summary`): one short read, not every case record. A journal without one (a run
that died, an older version's) goes through `journal.reading` instead.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from thinking_tests.journal import END_START, RUN_START, JournalError
from thinking_tests.journal.values import Unreadable, true_or_false
from thinking_tests.journal.values import selection as read_selection
from thinking_tests.model import CaseResult, Outcome, RunResult, Selection, record

SLOWER_RATIO = 2.0  # at least twice as long
SLOWER_MIN = 0.05  # and at least this many seconds longer
NAMED = 3  # ids the terminal names per kind of change

_FAILING = frozenset({Outcome.FAILED._value_, Outcome.ERROR._value_})
_PASSING = frozenset({Outcome.PASSED._value_, Outcome.XPASSED._value_})
_PASSED = Outcome.PASSED._value_

# (kind, how the terminal and the report count it, one and many)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("new-failure", "new failure", "new failures"),
    ("fixed", "fixed", "fixed"),
    ("new", "new case", "new cases"),
    ("removed", "removed", "removed"),
    ("slower", "slower", "slower"),
    ("flaky", "flaky now", "flaky now"),
)


# A case as a run recorded it, what comparing needs and no more: its outcome's value, its
# duration in seconds, whether it was flaky. A plain tuple: thousands are read every run.
Seen = tuple[str, float, bool]


class Previous(NamedTuple):
    """The earlier run: where its journal is, when it started, on which engine, its cases,
    and which modules it would have run (`covering`): a case of another module, or any case
    when it was narrowed (None), missing from it is not new, only not run then."""

    path: Path
    start: float
    backend: str
    cases: dict[str, Seen]  # by case id
    covered: Callable[[str], bool] | None = None


class Change(NamedTuple):
    """One case that changed; `before` is "" for a new case, `now` "" for a removed one."""

    kind: str  # one of KINDS' kinds
    id: str
    before: str
    now: str
    before_s: float
    now_s: float


class Comparison(NamedTuple):
    """This run against an earlier one: every change, in KINDS' order then run order."""

    path: str  # the earlier journal, as given or found
    start: float  # when the earlier run started
    backend: str  # its engine
    explicit: bool  # named by --compare, not the last run's kept journal
    changes: tuple[Change, ...]
    removed_judged: bool  # False: this run was narrowed, so "removed" was not looked for

    def of(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]


@record
class ComparedRun(RunResult):
    """A run with what changed since an earlier one, for the reports that show it (the
    HTML and CTRF reports look for `comparison`; every other reader sees a RunResult)."""

    comparison: Comparison | None = None


def attach(run: RunResult, comparison: Comparison) -> ComparedRun:
    return ComparedRun(**{**vars(run), "comparison": comparison})


# --- reading the earlier run ----------------------------------------------------------------

_OUTCOMES = frozenset(outcome._value_ for outcome in Outcome)


def read_previous(path: Path) -> Previous:
    """The earlier run's journal at `path`; JournalError (its message one sentence) when it
    cannot be read or is no journal."""
    try:
        first, last = _first_and_last(path)
    except OSError as error:
        raise JournalError(f"cannot read the journal {path}: {error.strerror or error}") from None
    summed = _summed(path, first, last)
    if summed is not None:
        return summed
    from thinking_tests.journal.reading import read

    run = read(path)  # a run that died (its died-in case an error), or not this version's
    cases = {case.id: _seen(case) for case in run.cases}
    return Previous(path, run.start, run.backend, cases, covering(run))


def _seen(case: CaseResult) -> Seen:
    return case.outcome._value_, case.duration, case.flaky


def _first_and_last(path: Path) -> tuple[bytes, bytes]:
    """The first and the last line of the file at `path`, read from its two ends: the case
    records between them run to megabytes."""
    with open(path, "rb") as file:
        first = file.readline().rstrip(b"\n")
        size = file.seek(0, os.SEEK_END)
        chunk = 1 << 16
        while True:
            begin = max(0, size - chunk)
            file.seek(begin)
            tail = file.read(size - begin).rstrip(b"\n")
            cut = tail.rfind(b"\n")
            if cut >= 0 or begin == 0:
                return first, tail[cut + 1 :]
            chunk *= 4


def _summed(path: Path, first: bytes, last: bytes) -> Previous | None:
    """The earlier run from its journal's first record and the summary of its cases in its
    last, the end record (`journal.summary`); None when the journal has no such end (a run
    that died, an older version's) or its summary does not hold together, and
    `journal.reading` reads every record instead."""
    if not first.startswith(RUN_START) or not last.startswith(END_START):
        return None
    try:
        header = json.loads(first)
        end = json.loads(last)
        start = float(header.get("start", 0.0))
        backend = str(header.get("backend", "unittest"))
        summary = end["cases"]
        ids, outcomes, ns, flaky = summary["ids"], summary["outcomes"], summary["ns"], summary["flaky"]
        seconds = [n / 1e9 for n in ns]
        if not (len(ids) == len(outcomes) == len(seconds) and _OUTCOMES.issuperset(outcomes)):
            return None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
        return None
    if set(map(type, ids)) - {str} or set(map(type, ns)) - {int} or (ns and min(ns) < 0):
        return None
    marked = [False] * len(ids)
    for n in flaky:
        if type(n) is not int or not 0 <= n < len(ids):
            return None
        marked[n] = True
    return Previous(path, start, backend, dict(zip(ids, zip(outcomes, seconds, marked))), _covered(end))


def _covered(end: dict[str, Any]) -> Callable[[str], bool] | None:
    """`Previous.covered` from a journal's end record; None when it does not say what its run
    selected, or says it in a way this version does not read (as `journal.reading` would)."""
    if "selection" not in end:
        return None
    try:
        selection = read_selection(end["selection"])
        interrupted = true_or_false(end, "interrupted", False)
    except Unreadable:
        return None
    return _covering(selection, interrupted, "unittest", ())


def read_compared(path: Path) -> Previous:
    """The journal --compare names, read before anything runs; JournalError (one sentence
    naming the flag) when it is missing, unreadable or no journal."""
    if not path.is_file():
        what = "is a folder, not a journal" if path.is_dir() else "does not exist"
        raise JournalError(f"--compare {path}: {what}")
    try:
        return read_previous(path)
    except JournalError as error:
        raise JournalError(f"--compare: {error}") from None


# --- comparing ------------------------------------------------------------------------------


def compare(
    previous: Previous,
    run: RunResult,
    explicit: bool,
    covers: Callable[[str], bool] | None,
) -> Comparison:
    """`run` against `previous`. `covers(module)` says whether this run would have run a
    case of that module; None when this run was narrowed, and no case is judged removed."""
    before = previous.cases
    found: dict[str, list[Change]] = {kind: [] for kind, _, _ in KINDS}
    seen_before = before.get
    earlier_covered = previous.covered
    for case in run.cases:
        ident = case.id
        outcome = case.outcome._value_
        seen = seen_before(ident)
        if seen is None:
            if earlier_covered is not None and earlier_covered(case.module):
                found["new"].append(Change("new", ident, "", outcome, 0.0, case.duration))
                if outcome in _FAILING:
                    found["new-failure"].append(Change("new-failure", ident, "", outcome, 0.0, case.duration))
            continue  # else the earlier run left it out: not new, its past unknown
        was, took, was_flaky = seen
        duration = case.duration
        if outcome != was:
            if outcome in _FAILING and was not in _FAILING:
                found["new-failure"].append(Change("new-failure", ident, was, outcome, took, duration))
            elif was in _FAILING and outcome in _PASSING:
                found["fixed"].append(Change("fixed", ident, was, outcome, took, duration))
        elif outcome == _PASSED and duration >= SLOWER_RATIO * took and duration - took >= SLOWER_MIN:
            found["slower"].append(Change("slower", ident, was, outcome, took, duration))
        if case.attempts and outcome == _PASSED and not was_flaky:
            found["flaky"].append(Change("flaky", ident, was, outcome, took, duration))
    if covers is not None:
        gone = before.keys() - {case.id for case in run.cases}
        for ident, seen in before.items():  # in the earlier run's order
            if ident in gone and covers(ident.partition("::")[0]):
                found["removed"].append(Change("removed", ident, seen[0], "", seen[1], 0.0))
    changes = tuple(change for kind, _, _ in KINDS for change in found[kind])
    return Comparison(str(previous.path), previous.start, previous.backend, explicit, changes, covers is not None)


def covering(run: RunResult, pytest_args: Sequence[str] = ()) -> Callable[[str], bool] | None:
    """`covers` of `compare` for `run`: whether a case of a module was within what it could
    run, by the names of its targets (packages and everything below them, modules); None
    when it was narrowed (filters, deselected or unrun cases, an interrupt, pytest's own
    -k or -m), or its targets are not known (a journal written before they were recorded)."""
    return _covering(run.selection, run.interrupted, run.backend, pytest_args)


def _covering(
    selection: Selection, interrupted: bool, backend: str, pytest_args: Sequence[str]
) -> Callable[[str], bool] | None:
    if selection.partial or interrupted or not selection.targets:
        return None
    if backend == "pytest" and narrowing_pytest_args(pytest_args):
        return None
    names = selection.targets
    prefixes = tuple(f"{name}." for name in names)

    def covers(module: str) -> bool:
        return module in names or module.startswith(prefixes)

    return covers


def narrowing_pytest_args(args: Iterable[str]) -> bool:
    """Whether pytest's own arguments (config.pytest_args) select only some cases."""
    return any(arg.split("=", 1)[0] in ("-k", "-m", "--deselect", "--lf", "--last-failed") or
               (arg[:2] in ("-k", "-m") and len(arg) > 2) for arg in args)


def compared_run(
    run: RunResult, earlier: Previous | Path, explicit: bool, pytest_args: Sequence[str] = ()
) -> tuple[RunResult, list[str]]:
    """A run's comparison with `earlier` (read now when it is the last run's kept journal;
    `explicit`: named by --compare): the run with it attached, and the terminal's lines. A
    kept journal that cannot be read is said in one line, and nothing is compared."""
    if isinstance(earlier, Path):
        try:
            earlier = read_previous(earlier)
        except JournalError as error:
            return run, [f"thinking-tests: the last run's journal was not compared with: {error}"]
    comparison = compare(earlier, run, explicit, covering(run, pytest_args))
    return attach(run, comparison), lines(comparison, run.backend)


def compared_safely(
    run: RunResult, earlier: Previous | Path, explicit: bool, pytest_args: Sequence[str] = ()
) -> tuple[RunResult, list[str]]:
    """`compared_run`, whose failure is one line and `run` as it was: a comparison is news,
    never a reason to lose the reports."""
    try:
        return compared_run(run, earlier, explicit, pytest_args)
    except Exception as error:  # noqa: BLE001 - said in one line, the run goes on
        from thinking_tests.paths import reason

        return run, [f"thinking-tests: the run was not compared with the last one: {reason(error)}"]


def as_json(comparison: Comparison) -> dict[str, object]:
    """The comparison as JSON data (the CTRF report's `results.extra.comparison`): the
    earlier journal and run start (ms since the epoch), then the ids of each kind of change
    there is; "removed" is left out when it was not judged."""
    data: dict[str, object] = {
        "journal": comparison.path,
        "start": int(comparison.start * 1000) if math.isfinite(comparison.start) else 0,
        "engine": comparison.backend,
    }
    for kind, _, _ in KINDS:
        if kind != "removed" or comparison.removed_judged:
            data[_JSON_NAMES[kind]] = [change.id for change in comparison.of(kind)]
    return data


_JSON_NAMES = {
    "new-failure": "newFailures", "fixed": "fixed", "new": "newTests", "removed": "removedTests",
    "slower": "slower", "flaky": "flakyNow",
}


# --- said in the terminal -------------------------------------------------------------------


def when(seconds: float) -> str:
    """A run's start as the comparison names it: 2026-12-06 15:02."""
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))
    except (OverflowError, OSError, ValueError):
        return "an unknown time"


def counted(comparison: Comparison) -> list[str]:
    """"2 new failures", "1 fixed", ...: each kind of change there is."""
    parts = []
    for kind, one, many in KINDS:
        number = len(comparison.of(kind))
        if number:
            parts.append(f"{number} {one if number == 1 else many}")
    return parts


def lines(comparison: Comparison, current_backend: str = "") -> list[str]:
    """The terminal's two lines: what changed, counted; the first few ids of each kind.
    One line when nothing changed."""
    engine = f" ({comparison.backend} engine)" if current_backend and comparison.backend != current_backend else ""
    source = f" in {_printable(comparison.path)}" if comparison.explicit else ""
    head = f"compared with the run of {when(comparison.start)}{engine}{source}: "
    parts = counted(comparison)
    if not parts:
        return [head + "nothing changed"]
    named = []
    for kind, _, many in KINDS:
        changes = comparison.of(kind)
        if not changes:
            continue
        ids = ", ".join(_printable(change.id) for change in changes[:NAMED])
        more = f" and {len(changes) - NAMED} more" if len(changes) > NAMED else ""
        named.append(f"{'new cases' if kind == 'new' else many}: {ids}{more}")
    return [head + ", ".join(parts), "; ".join(named)]


def _printable(text: str) -> str:
    """`text` on one line of a terminal (journal.reading.printable, loaded only when needed)."""
    if text.isprintable():
        return text
    from thinking_tests.journal.reading import printable

    return printable(text)
