"""Comparing a run with the last one: the last run's journal kept as journal.prev.jsonl, the
terminal's two lines before the summary, --compare JOURNAL, `report` comparing too, and
what a narrowed run does not claim. Real runs of a project whose second run has known
differences (see _compare_helpers)."""

from __future__ import annotations

import json
import shutil

from test.reports._compare_helpers import (
    CASES,
    COUNTED,
    HEAD,
    MODULE,
    NAMED,
    compared_lines,
    make_project,
    two_runs,
)
from test.reports._e2e_helpers import project, read_html, temporary, tree
from test.support import one_sentence, package, run
from thinking_tests import run_current_module, test


@test("a run keeps the last run's journal beside its own, as journal.prev.jsonl")
def keeps_the_last_journal() -> None:
    runs = two_runs()
    kept = runs.reports / "journal.prev.jsonl"
    assert kept.read_bytes() == runs.first_journal, "the first run's journal, as it left it"
    assert (runs.reports / "journal.jsonl").read_bytes() != runs.first_journal
    assert f'"id": "{MODULE}::arrives"' in (runs.reports / "journal.jsonl").read_text()


@test("the terminal says what changed in two lines, then the breakdown and the summary line")
def terminal_lines() -> None:
    lines = compared_lines(two_runs().second)
    assert len(lines) == 4, lines  # the two lines, the breakdown, the summary line
    head = HEAD.match(lines[0])
    assert head and head["counted"] == COUNTED and not head["source"], lines[0]
    assert lines[1] == NAMED, lines[1]
    assert lines[2].startswith("5 cases in "), lines[2]
    assert lines[3] == "4 passed, 1 failed, 0 skipped"


@test("a first run compares with nothing: no line, no section, no comparison in the JSON")
def first_run_says_nothing() -> None:
    runs = two_runs()
    assert "compared with" not in runs.first.output, runs.first
    assert not tree(runs.first_report).find(cls="compare")
    assert 'id="compare"' not in runs.first_report
    assert "comparison" not in runs.first_ctrf["results"]["extra"], runs.first_ctrf["results"]["extra"]
    second = json.loads((runs.reports / "report.json").read_text())["results"]["extra"]
    assert second["comparison"]["journal"] == str(runs.reports / "journal.prev.jsonl"), second


@test("--compare JOURNAL compares with that run, whatever the report folder keeps")
def compare_with_a_named_journal() -> None:
    runs = two_runs()
    elsewhere = runs.root / "elsewhere"  # an empty report folder: no last run there
    ran = run("-m", "test.run_all", "--report-dir", str(elsewhere), "--compare", str(runs.journal_copy), cwd=runs.root)
    assert ran.code == 1, ran
    lines = compared_lines(ran)
    head = HEAD.match(lines[0])
    assert head and head["source"] == f" in {runs.journal_copy}" and head["counted"] == COUNTED, lines[0]
    assert lines[1] == NAMED
    assert not (elsewhere / "journal.prev.jsonl").exists()
    data = json.loads((elsewhere / "report.json").read_text())["results"]["extra"]["comparison"]
    assert data["journal"] == str(runs.journal_copy), data
    assert (data["newFailures"], data["fixed"], data["newTests"], data["removedTests"], data["slower"]) == (
        [f"{MODULE}::breaks"], [f"{MODULE}::gets_fixed"], [f"{MODULE}::arrives"],
        [f"{MODULE}::leaves"], [f"{MODULE}::slows_down"],
    ), data


@test("a --compare path that is missing, a folder or no journal is one sentence, exit 4, before anything runs")
def bad_compare_path() -> None:
    root = make_project()
    (root / "notes.txt").write_text("not a journal\n")
    for given, said in (
        (root / "missing.jsonl", "does not exist"),
        (root / "test", "is a folder, not a journal"),
        (root / "notes.txt", "is not a thinking-tests journal"),
    ):
        ran = run("-m", "test.run_all", "--compare", str(given), cwd=root)
        assert ran.code == 4, ran
        sentence = one_sentence(ran)
        assert sentence.startswith("thinking-tests: --compare") and str(given) in sentence and said in sentence, sentence
        assert not (root / "reports" / "journal.jsonl").exists(), "nothing ran"


@test("a narrowed run calls no unselected case removed")
def narrowed_run_removes_nothing() -> None:
    runs = two_runs()
    ran = run(
        "-m", "test.run_all", "-k", "breaks or stays", "--report-dir", str(runs.root / "narrowed"),
        "--compare", str(runs.reports / "journal.jsonl"), cwd=runs.root,
    )
    assert ran.counts == (1, 1, 0), ran
    head = HEAD.match(compared_lines(ran)[0])
    assert head and head["counted"] == "nothing changed", ran
    # Against the first run the same selection finds the new failure, and still removes nothing.
    ran = run(
        "-m", "test.run_all", "-k", "breaks or stays", "--report-dir", str(runs.root / "narrowed"),
        "--compare", str(runs.journal_copy), cwd=runs.root,
    )
    lines = compared_lines(ran)
    assert HEAD.match(lines[0])["counted"] == "1 new failure", lines  # type: ignore[index]
    assert lines[1] == f"new failures: {MODULE}::breaks", lines


@test("after a narrowed run, the cases it left out are not new in the next whole run")
def after_a_narrowed_run_nothing_is_new() -> None:
    root = make_project()
    for narrowing in (("-k", "stays_green"), ("--lf",)):  # a filter; the last run's failures
        ran = run("-m", "test.run_all", cwd=root)  # a whole run: every case has a past
        ran = run("-m", "test.run_all", *narrowing, cwd=root)
        ran = run("-m", "test.run_all", cwd=root)
        lines = compared_lines(ran)
        assert HEAD.match(lines[0])["counted"] == "nothing changed", (narrowing, lines)  # type: ignore[index]
    # Against a whole run, a case it did not have is new, as before.
    (root / "test" / "test_more.py").write_text("from thinking_tests import test\n\n\n@test\ndef arrives_later():\n    pass\n")
    lines = compared_lines(run("-m", "test.run_all", cwd=root))
    assert HEAD.match(lines[0])["counted"] == "1 new case", lines  # type: ignore[index]
    assert lines[1] == "new cases: test.test_more::arrives_later", lines


@test("report rebuilds the reports from a journal and compares it with the journal.prev.jsonl beside it")
def report_compares_too() -> None:
    runs = two_runs()
    folder = runs.root / "rebuilt"
    folder.mkdir()
    shutil.copyfile(runs.reports / "journal.jsonl", folder / "journal.jsonl")
    alone = run("-m", "thinking_tests", "report", str(folder), cwd=runs.root)
    assert alone.counts == (4, 1, 0) and "compared with" not in alone.output, alone
    shutil.copyfile(runs.reports / "journal.prev.jsonl", folder / "journal.prev.jsonl")
    ran = run("-m", "thinking_tests", "report", str(folder), cwd=runs.root)
    assert ran.code == 1 and ran.counts == (4, 1, 0), ran
    lines = compared_lines(ran)
    assert HEAD.match(lines[0])["counted"] == COUNTED and lines[1] == NAMED, lines  # type: ignore[index]
    _, page = read_html(folder / "report.html")
    section = tree(page).one("section", "compare")
    assert f"{MODULE}::gets_fixed" in section.text and f"{MODULE}::leaves" in section.text
    named = run("-m", "thinking_tests", "report", str(folder), "--compare", str(folder / "missing.jsonl"), cwd=runs.root)
    assert named.code == 4 and "--compare" in one_sentence(named), named


@test("a journal that does not say what its run selected has no case judged removed")
def unknown_selection() -> None:
    runs = two_runs()
    folder = runs.root / "unknown-selection"
    folder.mkdir()
    records = [json.loads(line) for line in (runs.reports / "journal.jsonl").read_text().splitlines()]
    assert records[-1]["kind"] == "end" and records[-1]["selection"]["targets"] == ["test"], records[-1]
    del records[-1]["selection"]  # as a journal of an earlier version ends
    (folder / "journal.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    shutil.copyfile(runs.reports / "journal.prev.jsonl", folder / "journal.prev.jsonl")
    ran = run("-m", "thinking_tests", "report", str(folder), cwd=runs.root)
    lines = compared_lines(ran)
    assert HEAD.match(lines[0])["counted"] == "1 new failure, 1 fixed, 1 new case, 1 slower", lines  # type: ignore[index]
    assert "removed" not in lines[1], lines


@test("a run of the pytest engine compares with a journal of the unittest engine, and says so")
def other_engine() -> None:
    runs = two_runs()
    ran = run(
        "-m", "test.run_all", "--backend", "pytest", "--report-dir", str(runs.root / "engines"),
        "--compare", str(runs.journal_copy), cwd=runs.root,
    )
    assert ran.code == 1 and ran.counts == (4, 1, 0), ran
    lines = compared_lines(ran)
    assert " (unittest engine) in " in lines[0] and lines[0].endswith(COUNTED), lines
    assert lines[1] == NAMED, lines


INTERRUPTS = """

import os
import signal


@test
def interrupts():
    if (Path(__file__).parent / "interrupt").exists():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
"""


@test("a resumed run compares with the run before the one it continues, not with its own first part")
def resumed_run() -> None:
    root = project({**package("test"), "test/test_calc.py": CASES + INTERRUPTS})
    assert run("-m", "test.run_all", cwd=root).counts == (5, 1, 0)
    first = (root / "reports" / "journal.jsonl").read_bytes()
    (root / "test" / "second").write_text("")
    (root / "test" / "interrupt").write_text("")
    stopped = run("-m", "test.run_all", cwd=root)
    assert stopped.code == 2, stopped
    assert (root / "reports" / "journal.prev.jsonl").read_bytes() == first
    (root / "test" / "interrupt").unlink()
    resumed = run("-m", "test.run_all", "--resume", cwd=root)
    assert resumed.code == 1 and resumed.counts == (5, 1, 0), resumed
    assert (root / "reports" / "journal.prev.jsonl").read_bytes() == first, "kept as it was"
    lines = compared_lines(resumed)
    assert HEAD.match(lines[0])["counted"] == COUNTED and lines[1] == NAMED, lines  # type: ignore[index]


ODD = """
from pathlib import Path

from thinking_tests import test


TEXTS = ['quote " and backslash \\\\', "line\\nbreak", "\u00e9t\u00e9 \u2603", "tab\\t<b>"]


@test(params=[(text,) for text in TEXTS], ids=TEXTS)  # ids with quotes, escapes, non-ASCII
def odd(text):
    print(text)
    assert "break" not in text, text


@test(retries=1)
def flaky():
    marker = Path(__file__).with_name("flaky-ran")
    if not marker.exists():
        marker.write_text("")
        raise AssertionError("first attempt")


@test(skip="not today")
def skipped():
    pass
"""


@test("the comparison's quick reading of a journal (its end's summary) gives what the journal reader gives")
def quick_reading_agrees() -> None:
    from thinking_tests.compare import _first_and_last, _summed, read_previous
    from thinking_tests.journal import read

    root = project({**package("test"), "test/test_odd.py": ODD})
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.counts == (4, 1, 1), ran
    journal = root / "reports" / "journal.jsonl"
    assert _summed(journal, *_first_and_last(journal)) is not None, "this version's journal is read the quick way"
    quick = read_previous(journal)
    full = read(journal)
    assert quick.start == full.start and quick.backend == full.backend == "unittest"
    expected = {c.id: (c.outcome.value, c.duration, c.flaky) for c in full.cases}
    assert quick.cases == expected, (quick.cases, expected)
    assert list(quick.cases) == [c.id for c in full.cases], "in the run's order"
    assert sum(flaky for *_, flaky in quick.cases.values()) == 1, quick.cases
    assert any('"' in i and "\\" in i for i in quick.cases), quick.cases
    # A summary that does not hold together is not trusted: every record is read instead.
    lines = journal.read_bytes().rstrip(b"\n").split(b"\n")
    end = json.loads(lines[-1])
    for broken in ({"ns": end["cases"]["ns"][:-1]}, {"flaky": [99]}, {"outcomes": ["won"] * 6}, {"ids": None}):
        edited = {**end, "cases": {**end["cases"], **broken}}
        journal.write_bytes(b"\n".join([*lines[:-1], json.dumps(edited).encode()]) + b"\n")
        assert _summed(journal, *_first_and_last(journal)) is None, broken
        assert read_previous(journal).cases == expected, broken


@test("the earlier run's first and last records are read from the journal's two ends, however long")
def first_and_last_records() -> None:
    from thinking_tests.compare import _first_and_last

    folder = temporary("tt-ends-")
    for last in (b"end", b"e" * 300_000, b"x\n" * 10):  # short, past the first chunk, empty lines
        path = folder / "journal.jsonl"
        path.write_bytes(b"first\n" + b"middle\n" * 50_000 + last + b"\n")
        assert _first_and_last(path) == (b"first", last.rstrip(b"\n").rpartition(b"\n")[2]), last[:20]
    alone = folder / "one.jsonl"
    alone.write_bytes(b"only\n")
    assert _first_and_last(alone) == (b"only", b"only")


if __name__ == "__main__":
    run_current_module()
