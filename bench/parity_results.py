"""What each runner of the parity check said: counts from its printed summary, outcomes per
case from its report, and the cases on which two runners disagree.

Three runners name one test three ways, so every case gets a key that leaves out where the
runner rooted its module names:

    unittest      more_itertools.more.chunked               (a doctest)  ->  more::chunked
    unittest      tests.test_more.ChunkedTests.test_even                 ->  test_more::ChunkedTests::test_even
    pytest XML    classname tests.test_more.ChunkedTests, name test_even ->  test_more::ChunkedTests::test_even
    thinking      classname test_more, name ChunkedTests::test_even      ->  test_more::ChunkedTests::test_even

The key starts at the first part that is the stem of a `.py` file of the source tree (one
part earlier when two files share that stem); the parts before it are package folders.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
# Worst first: a case reported twice (a failure, then an error in teardown) keeps the worst.
_RANK = {name: rank for rank, name in enumerate(("error", "failed", "xpassed", "passed", "xfailed", "skipped"))}


@dataclass(frozen=True)
class Tally:
    """Cases by outcome, as a runner's printed summary gives them."""

    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    xfailed: int = 0
    xpassed: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in OUTCOMES)

    def text(self) -> str:
        """`929: 920 passed, 9 skipped`: the total, then every outcome that is not zero."""
        names = {"error": "errors"}
        parts = [f"{getattr(self, n)} {names.get(n, n)}" for n in OUTCOMES if getattr(self, n)]
        return f"{self.total}: {', '.join(parts)}" if parts else "0"

    @classmethod
    def of(cls, outcomes: Iterable[str]) -> Tally:
        counts = Counter(outcomes)
        return cls(**{name: counts[name] for name in OUTCOMES})


@dataclass(frozen=True)
class Case:
    """One case as a runner reported it: its id as the runner wrote it, split into parts."""

    shown: str
    parts: tuple[str, ...]
    outcome: str
    message: str = ""  # the first line of why it failed, errored or was skipped

    def why(self) -> str:
        """` — message` for a case that failed or errored, cut to one short line."""
        if self.outcome not in ("failed", "error") or not self.message:
            return ""
        line = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f" — {line[:197]}..." if len(line) > 200 else (f" — {line}" if line else "")


# --- printed summaries -------------------------------------------------------------------

_RAN = re.compile(r"^Ran (\d+) tests? in ", re.M)
_UNITTEST_END = re.compile(r"^(OK|FAILED)(?: \((.*)\))?$", re.M)
_UNITTEST_KEYS = {"failures": "failed", "errors": "error", "skipped": "skipped",
                  "expected failures": "xfailed", "unexpected successes": "xpassed"}


def unittest_tally(output: str) -> Tally | None:
    """From `Ran N tests in ...` and the `OK (...)`/`FAILED (...)` line after it.

    unittest counts a failing subtest each time, so `failures` can exceed the tests that
    failed; passed is then what is left, never below zero.
    """
    ran = list(_RAN.finditer(output))
    if not ran:
        return None
    end = _UNITTEST_END.search(output, ran[-1].end())
    if end is None:
        return None
    counts = dict.fromkeys(_UNITTEST_KEYS.values(), 0)
    for item in filter(None, (end[2] or "").split(", ")):
        name, _, number = item.partition("=")
        if name in _UNITTEST_KEYS and number.isdigit():
            counts[_UNITTEST_KEYS[name]] = int(number)
    passed = max(int(ran[-1][1]) - sum(counts.values()), 0)
    return Tally(passed=passed, **counts)


def unittest_ran(output: str) -> int | None:
    """N of the last `Ran N tests in ...`: the number of tests, whatever their subtests did."""
    ran = list(_RAN.finditer(output))
    return int(ran[-1][1]) if ran else None


def unittest_closing(output: str) -> str:
    """The `Ran N tests` line and the `OK (...)`/`FAILED (...)` line, as unittest printed them."""
    ran = list(_RAN.finditer(output))
    if not ran:
        return ""
    end = _UNITTEST_END.search(output, ran[-1].end())
    first = f"Ran {ran[-1][1]} tests"  # without the time, which differs from run to run
    return f"{first}, {end[0]}" if end else first


_PYTEST_LINE = re.compile(r"^=*\s*((?:\d+ [a-z ]+?,? )+)in [\d.]+s(?: \([^)]*\))?\s*=*$", re.M)
_PYTEST_ITEM = re.compile(r"(\d+) ([a-z ]+?)(?:,|$)")
_PYTEST_KEYS = {"passed": "passed", "failed": "failed", "error": "error", "errors": "error",
                "skipped": "skipped", "xfailed": "xfailed", "xpassed": "xpassed"}


def pytest_tally(output: str) -> Tally | None:
    """From pytest's closing line, `== 3 failed, 10 passed, 1 xfailed in 0.52s ==`.

    Warnings, deselected cases and subtests are not cases and are left out.
    """
    lines = list(_PYTEST_LINE.finditer(output))
    if not lines:
        if re.search(r"^=*\s*no tests ran in [\d.]+s", output, re.M):
            return Tally()
        return None
    counts = dict.fromkeys(OUTCOMES, 0)
    for number, name in _PYTEST_ITEM.findall(lines[-1][1].strip()):
        if name in _PYTEST_KEYS:
            counts[_PYTEST_KEYS[name]] += int(number)
    return Tally(**counts)


_TT_SUMMARY = re.compile(r"^(?:\w+: )?(\d+) passed, (\d+) failed, (\d+) skipped$")
_TT_BREAKDOWN = re.compile(r"^(\d+) cases? in [^:]*: (.*)$")
_TT_KEYS = {"failure": "failed", "failures": "failed", "error": "error", "errors": "error",
            "skip": "skipped", "skips": "skipped", "xfailed": "xfailed", "xpassed": "xpassed"}


def thinking_tally(output: str) -> Tally | None:
    """From the last line, `P passed, F failed, S skipped`, and the breakdown above it,
    `N cases in T s: F failures, E errors, S skips, X xfailed, XP xpassed`.

    The summary counts errors as failed, xfailed as skipped and xpassed as passed; the
    breakdown separates them again.
    """
    lines = output.rstrip("\n").splitlines()
    summary = _TT_SUMMARY.match(lines[-1]) if lines else None
    if summary is None:
        return None
    passed, failed, skipped = (int(summary[i]) for i in (1, 2, 3))
    breakdown = next((m for m in map(_TT_BREAKDOWN.match, reversed(lines)) if m), None)
    counts = dict.fromkeys(("failed", "error", "skipped", "xfailed", "xpassed"), 0)
    if breakdown is None:  # only the three numbers
        return Tally(passed=passed, failed=failed, skipped=skipped)
    for item in breakdown[2].split(", "):
        number, _, name = item.partition(" ")
        if name in _TT_KEYS and number.isdigit():
            counts[_TT_KEYS[name]] = int(number)
    return Tally(passed=passed - counts["xpassed"], **counts)


# --- per-case reports --------------------------------------------------------------------

def split_outside_brackets(text: str, separator: str) -> list[str]:
    """`a.b[1.5]` split on `.` gives `a`, `b[1.5]`: parameter ids keep their separators."""
    parts: list[str] = []
    depth = start = i = 0
    while i < len(text):
        if text[i] == "[":
            depth += 1
        elif text[i] == "]" and depth:
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _junit_outcome(testcase: ElementTree.Element) -> tuple[str, str]:
    """The case's worst outcome and the message that came with it."""
    outcomes: list[tuple[str, str]] = []
    for child in testcase:
        message = child.get("message") or ""
        if child.tag == "failure":
            outcomes.append(("failed", message))
        elif child.tag == "error":
            outcomes.append(("error", message))
        elif child.tag == "skipped":
            xfail = child.get("type") == "pytest.xfail" or message.startswith("xfail")
            outcomes.append(("xfailed" if xfail else "skipped", message))
        elif child.tag == "system-out" and (child.text or "").startswith("XPASS: "):
            outcomes.append(("xpassed", ""))  # how thinking-tests' report marks it
    return min(outcomes, key=lambda outcome: _RANK[outcome[0]]) if outcomes else ("passed", "")


def junit_cases(path: Path) -> list[Case]:
    """Every `testcase` of a JUnit XML report, from pytest's `--junitxml` or thinking-tests'.

    pytest writes the module and class dotted in `classname` and the function in `name`;
    thinking-tests writes the module in `classname` and `Class::method` in `name`.
    """
    cases: list[Case] = []
    for testcase in ElementTree.parse(path).getroot().iter("testcase"):
        classname, name = testcase.get("classname", ""), testcase.get("name", "")
        # A name can be dotted too: thinking-tests names a doctest `package.module.function`.
        names = [piece for part in split_outside_brackets(name, "::")
                 for piece in split_outside_brackets(part, ".")]
        parts = [*split_outside_brackets(classname, "."), *names]
        shown = f"{classname}::{name}" if classname else name
        cases.append(Case(shown, tuple(p for p in parts if p), *_junit_outcome(testcase)))
    return cases


def recorded_cases(path: Path) -> list[Case]:
    """The cases `_unittest_record.py` wrote: one per test, its worst outcome."""
    worst: dict[str, Case] = {}
    for ident, module, qualname, method, outcome, message in json.loads(path.read_text("utf-8")):
        if module:
            parts = (*module.split("."), *qualname.split("."), method)
        else:
            parts = tuple(split_outside_brackets(ident, "."))
        case = Case(ident, parts, outcome, message)
        known = worst.get(ident)
        if known is None or _RANK[outcome] < _RANK[known.outcome]:
            worst[ident] = case
    return list(worst.values())


# --- keys and differences ----------------------------------------------------------------

def module_stems(root: Path) -> Counter[str]:
    """How many `.py` files of the tree have each stem (`__init__` left out)."""
    return Counter(p.stem for p in root.rglob("*.py") if p.stem != "__init__")


def case_key(parts: tuple[str, ...], stems: Mapping[str, int]) -> str:
    for i, part in enumerate(parts[:-1]):  # the last part is the case itself
        if stems.get(part):
            start = i - 1 if stems[part] > 1 and i > 0 else i
            return "::".join(parts[start:])
    return "::".join(parts)


def keyed(cases: Iterable[Case], stems: Mapping[str, int]) -> dict[str, Case]:
    """Cases by key; a key met again (a runner reporting one case twice) gets ` #2`, ..."""
    result: dict[str, Case] = {}
    for case in cases:
        key = base = case_key(case.parts, stems)
        n = 1
        while key in result:
            n += 1
            key = f"{base} #{n}"
        result[key] = case
    return result


def _same(a: str, b: str) -> bool:
    # pytest's report writes an xpass as a pass; the tallies still tell them apart.
    return a == b or {a, b} == {"passed", "xpassed"}


@dataclass
class Difference:
    """How one runner's cases differ from the reference runner's, by key."""

    missing: list[Case] = field(default_factory=list)  # the reference ran them, this runner did not
    extra: list[Case] = field(default_factory=list)  # this runner ran them, the reference did not
    changed: list[tuple[Case, Case]] = field(default_factory=list)  # (reference, this runner)
    renamed: list[tuple[Case, Case]] = field(default_factory=list)  # the same case, another id

    def __bool__(self) -> bool:  # another id alone is no difference in what ran
        return bool(self.missing or self.extra or self.changed)


def _tail_of(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    return len(shorter) < len(longer) and longer[-len(shorter):] == shorter


def difference(reference: Mapping[str, Case], other: Mapping[str, Case]) -> Difference:
    """Cases paired by key; a case left over on both sides is then paired with the one case
    whose parts end with all of its parts (`tests.test_more` + `pkg.mod.func` against the
    doctest `pkg.mod.func`)."""
    diff = Difference()
    pairs: list[tuple[Case, Case]] = []
    left: list[Case] = []
    for key, case in reference.items():
        mine = other.get(key)
        if mine is None:
            left.append(case)
        else:
            pairs.append((case, mine))
    extra = [case for key, case in other.items() if key not in reference]
    by_last: dict[str, list[Case]] = {}
    for case in extra:
        by_last.setdefault(case.parts[-1] if case.parts else "", []).append(case)
    paired: set[int] = set()
    for case in left:
        candidates = [c for c in by_last.get(case.parts[-1] if case.parts else "", [])
                      if id(c) not in paired and (_tail_of(c.parts, case.parts) or _tail_of(case.parts, c.parts))]
        if len(candidates) == 1:
            paired.add(id(candidates[0]))
            pairs.append((case, candidates[0]))
            diff.renamed.append((case, candidates[0]))
        else:
            diff.missing.append(case)
    diff.extra = [case for case in extra if id(case) not in paired]
    diff.changed = [(ref, mine) for ref, mine in pairs if not _same(ref.outcome, mine.outcome)]
    return diff


# What a case says under the default engine when it needs what only pytest provides (a
# conftest fixture or hook): by design an error naming the way to run it.
NEEDS_PYTEST = "--backend pytest"


def needs_pytest(case: Case) -> bool:
    return case.outcome == "error" and NEEDS_PYTEST in case.message


def only_needs_pytest(diff: Difference) -> bool:
    """The same cases under the same ids, and every one whose outcome differs is an error that
    says it needs the pytest engine."""
    return (not diff.missing and not diff.extra and bool(diff.changed)
            and all(needs_pytest(mine) for _, mine in diff.changed))


def difference_lines(label: str, reference: str, diff: Difference, limit: int) -> list[str]:
    """Markdown list lines naming every differing case (at most `limit` per kind, 0: all)."""
    lines: list[str] = []

    def block(title: str, items: list[str]) -> None:
        if not items:
            return
        lines.append(f"- {label}: {title} ({len(items)})")
        shown = items if limit <= 0 else items[:limit]
        lines.extend(f"  - {item}" for item in shown)
        if len(shown) < len(items):
            lines.append(f"  - … and {len(items) - len(shown)} more (`--limit 0` lists all)")

    if diff.renamed:
        ref, mine = diff.renamed[0]
        lines.append(f"- {label}: {len(diff.renamed)} cases have another id than under {reference} "
                     f"(as `{mine.shown}` for `{ref.shown}`); paired by the end of their ids")
    block(f"run by {reference}, not here", [f"`{c.shown}` {c.outcome}" for c in diff.missing])
    block(f"run here, not by {reference}", [f"`{c.shown}` {c.outcome}{c.why()}" for c in diff.extra])
    block("another outcome", [f"`{mine.shown}` {mine.outcome}; {reference}: {ref.outcome}"
                              + ("" if ref.shown == mine.shown else f" as `{ref.shown}`")
                              + (mine.why() or ref.why())
                              for ref, mine in diff.changed])
    return lines
