"""Transport never loses a case: `--isolate`, `--shard` and `merge` carry any case id exactly
(line breaks, lone surrogates, NUL, control characters, `]]>`), a case handed to a child that
never reports it is an error, `merge` keeps the worst of conflicting results whatever the
order of its inputs, and the journal reader skips a bad line, never the rest of the journal."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from test.robustness._helpers import Ran, concurrently, inert, problem, project, run
from thinking_tests import fixture, run_current_module, test

# Names that survive no line-based, XML-naive or UTF-8-strict transport.
ODD = ["line\nbreak", "cr\rret", "lone\ud800sur", "nul\x00x", "esc\x1b[31m", "cdata]]>end"]
FAILING_NAME, FAILING_PARAM = "line\nbreak", "plone\ud800sur"


def _odd_module() -> str:
    """A test module declaring a case per odd name and a params case per odd id; the case
    with a line break in its name and the param with a lone surrogate in its id fail."""
    lines = ["from thinking_tests import test", "", "", "@test", "def plain():", "    pass", ""]
    for index, name in enumerate(ODD):
        body = "assert False, 'ODD-NAME-FAILS'" if name == FAILING_NAME else "pass"
        lines += ["", f"@test(name={name!r})", f"def named_{index}():", f"    {body}", ""]
    ids = [f"p{name}" for name in ODD]
    failing = ids.index(FAILING_PARAM)
    lines += [
        "",
        f"@test(params=list(range({len(ids)})), ids={ids!r})",
        "def param(n):",
        f"    assert n != {failing}, 'ODD-PARAM-FAILS'",
        "",
    ]
    return "\n".join(lines)


MODULE = "test.test_odd"
EXPECTED = {
    f"{MODULE}::plain": "passed",
    **{f"{MODULE}::{name}": "failed" if name == FAILING_NAME else "passed" for name in ODD},
    **{
        f"{MODULE}::param[p{name}]": "failed" if f"p{name}" == FAILING_PARAM else "passed"
        for name in ODD
    },
}
# Another module, so shards and isolation have more than one module to carry.
OTHER = '''
from thinking_tests import test


@test(params=list(range(6)))
def more(n):
    assert n != 4
'''
EXPECTED_OTHER = {f"test.test_other::more[{n}]": "failed" if n == 4 else "passed" for n in range(6)}


def journal_outcomes(path: Path) -> dict[str, str]:
    """Case id -> outcome of each case record of a journal, read as plain JSON lines."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        record = json.loads(line)
        if record["kind"] == "case":
            assert record["id"] not in found, f"{record['id']!r} twice in {path}"
            found[record["id"]] = record["outcome"]
    return found


def html_outcomes(directory: Path) -> dict[str, str]:
    """Case id -> outcome from the data of an HTML report, where ids are exact (JSON)."""
    page = inert((directory / "report.html").read_text(encoding="utf-8"))
    data = json.loads(next(text for attrs, text in page.scripts if attrs.get("type") == "application/json"))
    outcomes: dict[str, str] = {}
    for case in data["cases"]:
        assert case["id"] not in outcomes, f"{case['id']!r} twice in {directory}"
        outcomes[case["id"]] = case["outcome"]
    return outcomes


def junit_notes(directory: Path) -> list[str]:
    """The notes on the run a JUnit report holds, each once, in order."""
    found = [
        element.get("value") or ""
        for element in ET.parse(directory / "junit.xml").iter("property")
        if element.get("name") == "thinking-tests.note"
    ]
    return list(dict.fromkeys(found))


# Characters XML 1.0 can hold; a report must show any other one some other way.
_XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JUNIT_KIND = {"passed": "passed", "failed": "failure", "error": "error", "skipped": "skipped"}


def junit_agrees(path: Path, expected: dict[str, str]) -> None:
    """Every case of `expected` (id -> outcome) is one testcase of the JUnit file, with that
    outcome; its `classname::name` is the id exactly, except that a character XML cannot hold
    may be shown as any text in its place."""
    testcases = []
    for element in ET.parse(path).iter("testcase"):
        kinds = [child.tag for child in element if child.tag in ("failure", "error", "skipped")]
        testcases.append((f"{element.get('classname')}::{element.get('name')}", kinds[0] if kinds else "passed"))
    assert len(testcases) == len(expected), (len(testcases), testcases)
    for identifier, outcome in expected.items():
        shown = "".join(re.escape(ch) if _XML_CHAR.fullmatch(ch) else ".+?" for ch in identifier)
        matching = [(name, kind) for name, kind in testcases if re.fullmatch(shown, name, re.DOTALL)]
        assert len(matching) == 1, (identifier, matching)
        assert matching[0][1] == _JUNIT_KIND[outcome], (identifier, matching)
        if shown == re.escape(identifier):
            assert matching[0][0] == identifier, (identifier, matching)


class OddRuns:
    """The odd-id project run whole, isolated, and in two shards (by hash and by durations)."""

    def __init__(self) -> None:
        self.root = project({"test/test_odd.py": _odd_module(), "test/test_other.py": OTHER})
        self.whole = run("-m", "test.run_all", "--report-dir", "whole", cwd=self.root)
        # The durations come from a journal with a garbage line: skipped, the rest still used.
        lines = (self.root / "whole" / "journal.jsonl").read_bytes().split(b"\n")
        (self.root / "durations.jsonl").write_bytes(b"\n".join([*lines[:2], b"\x00garbage", *lines[2:]]))

        def shard(k: int, balanced: bool) -> Ran:
            extra = ("--shard-durations", "durations.jsonl") if balanced else ()
            directory = f"{'timed' if balanced else 'hashed'}-{k}"
            return run("-m", "test.run_all", "--shard", f"{k}/2", *extra, "--report-dir", directory,
                       cwd=self.root)

        self.isolated, *self.shards = concurrently(
            lambda: run("-m", "test.run_all", "--isolate", "--report-dir", "isolated", cwd=self.root),
            lambda: shard(1, False), lambda: shard(2, False), lambda: shard(1, True), lambda: shard(2, True),
        )
        self.merged = {
            how: run("-m", "thinking_tests", "merge", f"{how}-1", f"{how}-2", "--into", f"merged-{how}",
                     cwd=self.root)
            for how in ("hashed", "timed")
        }


@fixture(scope="module")
def odd() -> OddRuns:
    return OddRuns()


ALL = {**EXPECTED, **EXPECTED_OTHER}


@test("odd ids run whole: the baseline every transport is compared with")
def whole_run(odd: OddRuns) -> None:
    assert odd.whole.code == 1 and odd.whole.counts == (16, 3, 0), odd.whole
    assert journal_outcomes(odd.root / "whole" / "journal.jsonl") == ALL


@test("--isolate hands each child its ids exactly: every case runs, the failing ones fail, exit 1; "
      "the journal, the JUnit XML and the HTML report hold every case under its own id")
def isolate_carries_odd_ids(odd: OddRuns) -> None:
    ran = odd.isolated
    assert ran.code == 1, ran
    assert ran.counts == (16, 3, 0), ran
    assert "ODD-NAME-FAILS" in ran.stdout and "ODD-PARAM-FAILS" in ran.stdout, ran
    assert journal_outcomes(odd.root / "isolated" / "journal.jsonl") == ALL
    assert html_outcomes(odd.root / "isolated") == ALL
    junit_agrees(odd.root / "isolated" / "junit.xml", ALL)


@test("--shard 1/2 and 2/2 split the odd ids with nothing lost or doubled, by hash and by an "
      "earlier run's durations; merged, they are the unsharded run", params=["hashed", "timed"],
      ids=["hashed", "timed"])
def shards_carry_odd_ids(how: str, odd: OddRuns) -> None:
    first, second = (odd.shards[0:2] if how == "hashed" else odd.shards[2:4])
    parts = []
    for k, ran in ((1, first), (2, second)):
        assert ran.code in (0, 1), ran
        if how == "timed":
            assert "durations.jsonl:3: skipped an unreadable line" in ran.stderr, ran
        parts.append(journal_outcomes(odd.root / f"{how}-{k}" / "journal.jsonl"))
    assert all(parts), parts  # each shard got a share
    assert not set(parts[0]) & set(parts[1]), set(parts[0]) & set(parts[1])
    assert {**parts[0], **parts[1]} == ALL
    merged = odd.merged[how]
    assert merged.code == 1 and merged.counts == (16, 3, 0), merged
    assert "merge:" not in merged.output, merged  # shards never disagree
    assert html_outcomes(odd.root / f"merged-{how}") == ALL
    junit_agrees(odd.root / f"merged-{how}" / "junit.xml", ALL)


# An id that differs in every process: the child cannot find the case the parent handed it.
ELUSIVE = '''
import os

from thinking_tests import test


@test
def steady():
    pass


@test(name=f"elusive_{os.getpid()}")
def elusive():
    pass
'''


@test("--isolate: a case handed to a child that never reports it is an error saying so, not a drop")
def unreported_is_an_error() -> None:
    root = project({"test/test_elusive.py": ELUSIVE})
    ran = run("-m", "test.run_all", "--isolate", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (1, 1, 0), ran
    outcomes = journal_outcomes(root / "reports" / "journal.jsonl")
    assert outcomes.pop("test.test_elusive::steady") == "passed", outcomes
    [(identifier, outcome)] = outcomes.items()
    assert identifier.startswith("test.test_elusive::elusive_") and outcome == "error", outcomes
    assert "never reported this case" in ran.stdout, ran


# Each case's outcome depends on the run, so two runs of one project disagree.
FICKLE = '''
import os

from thinking_tests import fixture, test

RUN = os.environ["WHICH"]


@test
def steady():
    pass


@test
def flips():
    assert RUN == "a", "FLIPS-FAILS"


@test(name="odd\\nflip")
def odd_flip():
    assert RUN == "a"


@test(skip="only in b" if RUN == "b" else None)
def sometimes_skipped():
    pass


@fixture
def resource():
    if RUN == "b":
        raise OSError("an error in setup, worse than a failure")
    return 1


@test
def fails_or_errs(resource):
    assert False
'''


@fixture(scope="module")
def fickle() -> Path:
    root = project({"test/test_fickle.py": FICKLE})
    for which in ("a", "b"):
        ran = run("-m", "test.run_all", "--report-dir", f"run-{which}", cwd=root, extra_env={"WHICH": which})
        assert ran.code == 1, ran
    return root


CONFLICTS = [
    "merge: test.test_fickle::flips is failed in run-b but passed in run-a; kept failed",
    "merge: test.test_fickle::odd\\nflip is failed in run-b but passed in run-a; kept failed",
    "merge: test.test_fickle::sometimes_skipped is skipped in run-b but passed in run-a; kept skipped",
    "merge: test.test_fickle::fails_or_errs is error in run-b but failed in run-a; kept error",
]


@test("merge keeps the worst result of a case whatever the order of the inputs, and prints "
      "each conflict on one line", params=[("run-a", "run-b"), ("run-b", "run-a")],
      ids=["a-b", "b-a"])
def merge_keeps_the_worst(first: str, second: str, fickle: Path) -> None:
    into = f"merged-{first}-{second}"
    ran = run("-m", "thinking_tests", "merge", first, second, "--into", into, cwd=fickle)
    assert ran.code == 1, ran
    assert ran.counts == (1, 3, 1), ran
    assert html_outcomes(fickle / into) == {
        "test.test_fickle::steady": "passed",
        "test.test_fickle::flips": "failed",
        "test.test_fickle::odd\nflip": "failed",
        "test.test_fickle::sometimes_skipped": "skipped",
        "test.test_fickle::fails_or_errs": "error",
    }
    conflicts = [line for line in ran.stdout.splitlines() if line.startswith("merge:")]
    assert conflicts == CONFLICTS, conflicts
    assert junit_notes(fickle / into) == CONFLICTS  # the reports list them too
    assert "FLIPS-FAILS" in ran.stdout, ran


@test("merge's conflicts are notes of the merged run, for the reports")
def merge_notes(fickle: Path) -> None:
    from thinking_tests.journal import SEVERITY, merge, read
    from thinking_tests.model import Outcome

    runs = [read(fickle / name / "journal.jsonl") for name in ("run-a", "run-b")]
    assert list(merge(runs, ["run-a", "run-b"]).notes) == CONFLICTS
    assert list(merge(runs[::-1], ["run-b", "run-a"]).notes) == CONFLICTS
    assert SEVERITY[0] is Outcome.ERROR and SEVERITY[-1] is Outcome.PASSED and set(SEVERITY) == set(Outcome)


# --- the journal reader ------------------------------------------------------------------------

DIES_LAST = '''
import os

from thinking_tests import test


@test
def first():
    pass


@test
def second():
    assert False, "SECOND-FAILS"


@test(params=[0, 1], ids=["odd\\nid", "odd\\ud800id"])
def third(n):
    pass


@test
def fourth():
    pass


@test
def dies():
    os._exit(7)


@test
def never():
    pass
'''

# Lines a journal must survive: each is skipped with a warning, the rest still read.
GARBAGE = [
    b"this is not json",
    b'{"kind": "case", "id": "test.test_dies::huge", "module": "test.test_dies", "name": "huge", '
    b'"outcome": "passed", "ns": 1e400, "stages": []}',
    b'{"kind": "case", "id": "test.test_dies::tagged", "module": "test.test_dies", "name": "tagged", '
    b'"outcome": "passed", "ns": 5, "tags": [1], "stages": []}',
    b'{"kind": "case", "id": "test.test_dies::nan", "module": "test.test_dies", "name": "nan", '
    b'"outcome": "failed", "ns": NaN, "stages": []}',
    b"\xff\xfe\x00\x1b[2J binary \x85 junk \xe2\x80\xa8",
    b"[1, 2, 3]",
    b'{"kind": "case", "id": 5}',
    b'{"kind": "plan", "modules": "everything"}',
    b"[" * 100_000,
]


def _journal_of_a_death() -> tuple[Path, list[bytes]]:
    root = project({"test/test_dies.py": DIES_LAST})
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 7, ran
    return root, (root / "reports" / "journal.jsonl").read_bytes().splitlines()


def _report(root: Path, lines: list[bytes]) -> tuple[Ran, Path]:
    kept = root / "kept"
    kept.mkdir(exist_ok=True)
    (kept / "journal.jsonl").write_bytes(b"\n".join(lines))
    return run("-m", "thinking_tests", "report", "kept", cwd=root), kept


FINISHED = {
    "test.test_dies::first": "passed",
    "test.test_dies::second": "failed",
    "test.test_dies::third[odd\nid]": "passed",
    "test.test_dies::third[odd\ud800id]": "passed",
    "test.test_dies::fourth": "passed",
}


def _warnings(ran: Ran) -> list[str]:
    return [line for line in ran.stderr.splitlines() if "skipped an unreadable" in line]


@test("`report` skips garbage lines in the middle and a torn last line, each with a warning that "
      "names the file and line; every good record is kept and only the case that was running "
      "is blamed")
def garbage_is_skipped() -> None:
    root, lines = _journal_of_a_death()
    kinds = [json.loads(line)["kind"] for line in lines]
    assert kinds == ["run", "plan", "case", "case", "case", "case", "case"], kinds
    # Garbage after the plan and between every two case records, then a torn record.
    mixed = lines[:2]
    for line, junk in zip(lines[2:], GARBAGE):
        mixed += [junk, line]
    mixed += GARBAGE[len(lines) - 2:]
    torn = b'{"kind": "case", "id": "test.test_dies::dies", "module": "test.te'
    mixed.append(torn)
    bad = [number for number, line in enumerate(mixed, 1) if line in GARBAGE or line == torn]
    assert len(bad) == len(GARBAGE) + 1
    ran, kept = _report(root, mixed)
    assert ran.code == 1, ran
    assert ran.counts == (4, 2, 0), ran  # fourth passed cases; second failed, dies died
    assert html_outcomes(kept) == {**FINISHED, "test.test_dies::dies": "error"}
    warnings = _warnings(ran)
    assert len(warnings) == len(bad), ran
    for number, warning in zip(bad, warnings):
        assert f"journal.jsonl:{number}:" in warning, (number, warning)
    notes = junit_notes(kept)
    assert len(notes) == len(bad) and all(note in warning for note, warning in zip(notes, warnings)), notes
    assert "died" in _junit_message(kept, "test.test_dies::dies")

    from thinking_tests.journal import read

    run_back = read(kept / "journal.jsonl")
    assert len(run_back.notes) == len(bad), run_back.notes
    assert all(str(number) in note for number, note in zip(bad, run_back.notes)), run_back.notes


@test("a case whose own record is unreadable is an error saying so; the case after the last "
      "readable one is still the one the process died in")
def unreadable_case_record() -> None:
    root, lines = _journal_of_a_death()
    second = next(i for i, line in enumerate(lines) if b'"kind": "case", "id": "test.test_dies::second"' in line)
    mangled = [*lines[:second], lines[second][: len(lines[second]) // 2], *lines[second + 1:]]
    ran, kept = _report(root, mangled)
    assert ran.code == 1 and ran.counts == (4, 2, 0), ran
    outcomes = html_outcomes(kept)
    assert outcomes == {**FINISHED, "test.test_dies::second": "error", "test.test_dies::dies": "error"}
    assert [f"journal.jsonl:{second + 1}:" in w for w in _warnings(ran)] == [True], ran
    assert "no readable result" in _junit_message(kept, "test.test_dies::second")
    assert "died" in _junit_message(kept, "test.test_dies::dies")


def _junit_message(directory: Path, identifier: str) -> str:
    """The message of a case's failure or error in a JUnit report."""
    for element in ET.parse(directory / "junit.xml").iter("testcase"):
        if f"{element.get('classname')}::{element.get('name')}" == identifier:
            return problem(element).get("message") or ""
    raise AssertionError(f"{identifier} is not in {directory / 'junit.xml'}")


@test("a file with no readable record at all is not a journal: one sentence, exit 4")
def nothing_readable() -> None:
    root = project({})
    ran, _ = _report(root, GARBAGE[:3])
    assert ran.code == 4, ran
    assert "is not a thinking-tests journal" in ran.stderr and "Traceback" not in ran.output, ran


if __name__ == "__main__":
    run_current_module()
