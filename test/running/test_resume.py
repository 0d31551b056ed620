"""--resume: a run killed or interrupted mid-way goes on from its journal. Cases with a result
keep it and do not run again (a file counts how often each case ran), the reports cover the
whole run and say it was resumed; a finished run is not run again; a changed selection or
tree is refused in one sentence."""

from __future__ import annotations

import signal
import xml.etree.ElementTree as ET
from pathlib import Path

from test.running._helpers import Ran, junit_cases, one_sentence, project, ran_ids, run
from thinking_tests import run_current_module, test

HELPERS = '''
import os
import signal
import time


def ran(name):
    with open("RAN", "a") as counts:
        counts.write(name + "\\n")


def stop_if_armed(name):
    """The run stops here once when a file arms it: KILL_<name> kills the process (no end,
    no reports), HANG_<name> waits for the run timeout to interrupt it."""
    if os.path.exists("KILL_" + name):
        os.unlink("KILL_" + name)
        os.kill(os.getpid(), signal.SIGKILL)
    if os.path.exists("KILLS_" + name):  # every time
        os.kill(os.getpid(), signal.SIGKILL)
    if os.path.exists("HANG_" + name):
        os.unlink("HANG_" + name)
        time.sleep(60)
'''

TEST_A = '''
from test.helpers import ran, stop_if_armed
from thinking_tests import test
import mylib


@test
def a1():
    mylib.first_part()
    ran("a1")


@test
def a2():
    ran("a2")
    assert False, "a2 fails in every part"


@test
def a3():
    stop_if_armed("a3")
    ran("a3")


@test
def a4():
    ran("a4")
'''

TEST_B = '''
from test.helpers import ran, stop_if_armed
from thinking_tests import test
import mylib


@test
def b1():
    mylib.second_part()
    ran("b1")


@test
def b2():
    stop_if_armed("b2")
    ran("b2")


@test
def b3():
    ran("b3")
    assert False, "b3 fails"
'''

MYLIB = '''
def first_part():
    only_in_the_first_part = 1
    return only_in_the_first_part


def second_part():
    return 2
'''

ALL = ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
FAILED = {"a2", "b3"}


def _project(coverage: bool = False) -> Path:
    config = "config.coverage.enabled = True\nconfig.coverage.source = ['mylib']\n" if coverage else ""
    files = {
        "test/__init__.py": "",
        "test/helpers.py": HELPERS,
        "test/test_a.py": TEST_A,
        "test/test_b.py": TEST_B,
        "mylib/__init__.py": MYLIB,
    }
    return project(files, config=config, html=True)


def _ran(root: Path) -> list[str]:
    """The cases that ran since the file was last emptied, in order; it is emptied."""
    counts = root / "RAN"
    names = counts.read_text().split() if counts.exists() else []
    counts.unlink(missing_ok=True)
    return names


def _tt(root: Path, *args: str) -> Ran:
    return run("-m", "thinking_tests", "test", *args, cwd=root)


def _outcomes(root: Path) -> dict[str, str]:
    """Case name -> outcome in the JUnit XML report."""
    return {name: outcome for _, name, outcome in junit_cases(root / "reports" / "junit.xml")}


def _notes(root: Path) -> list[str]:
    """The run's notes in the JUnit XML report (every suite repeats them)."""
    tree = ET.parse(root / "reports" / "junit.xml")
    found = [p.get("value") or "" for p in tree.getroot().iter("property") if p.get("name") == "thinking-tests.note"]
    return list(dict.fromkeys(found))


def _expected() -> dict[str, str]:
    return {name: "failure" if name in FAILED else "passed" for name in ALL}


def _killed(ran: Ran) -> None:
    assert ran.code == -signal.SIGKILL, ran


@test("a run killed mid-way and resumed runs every case once; the reports cover the whole run and say it was resumed")
def killed_then_resumed() -> None:
    root = _project()
    (root / "KILL_a3").touch()
    _killed(_tt(root, "-v"))
    assert _ran(root) == ["a1", "a2"]
    resumed = _tt(root, "--resume", "-v")
    assert resumed.code == 1 and resumed.counts == (5, 2, 0), resumed  # a2's failure is kept
    assert ran_ids(resumed) == [f"test.test_{n[0]}::{n}" for n in ALL[2:]], resumed
    assert _ran(root) == ALL[2:]
    assert "resuming the run started" in resumed.stdout and "2 of 7 cases keep their results" in resumed.stdout
    assert "a2 fails in every part" in resumed.stdout, resumed  # a kept failure is shown as any other
    assert _outcomes(root) == _expected()
    notes = _notes(root)
    assert len(notes) == 1 and notes[0].startswith("resumed at ") and "killed with 2 of 7 cases done" in notes[0]
    html = (root / "reports" / "report.html").read_text()
    assert "killed with 2 of 7 cases done" in html
    # The new journal is a whole run: `report` rebuilds the same reports from it.
    (root / "reports" / "junit.xml").unlink()
    rebuilt = run("-m", "thinking_tests", "report", cwd=root)
    assert rebuilt.code == 1 and rebuilt.counts == (5, 2, 0), rebuilt
    assert _outcomes(root) == _expected() and len(_notes(root)) == 1
    assert _ran(root) == []


@test("a run interrupted twice is resumed twice: every case runs once, each resume is noted")
def resumed_twice() -> None:
    root = _project()
    (root / "KILL_a3").touch()
    (root / "KILL_b2").touch()
    _killed(_tt(root))
    _killed(_tt(root, "--resume"))
    assert _ran(root) == ["a1", "a2", "a3", "a4", "b1"]
    last = _tt(root, "--resume", "-v")
    assert last.code == 1 and last.counts == (5, 2, 0), last
    assert _ran(root) == ["b2", "b3"]
    assert _outcomes(root) == _expected()
    notes = _notes(root)
    assert len(notes) == 2, notes
    assert "killed with 2 of 7 cases done" in notes[0] and "killed with 5 of 7 cases done" in notes[1], notes


@test("a case that kills the process in two parts in a row keeps that error on the next resume, which goes past it")
def dies_every_time() -> None:
    root = _project()
    (root / "KILLS_a3").touch()
    _killed(_tt(root))
    _killed(_tt(root, "--resume"))  # the case the process died in runs again once
    assert _ran(root) == ["a1", "a2"]
    past = _tt(root, "--resume", "-v")
    assert past.code == 1 and past.counts == (4, 3, 0), past
    assert _ran(root) == ["a4", "b1", "b2", "b3"]
    assert _outcomes(root)["a3"] == "error"
    assert "test.test_a::a3 killed the process twice in a row" in _notes(root)[-1]
    again = _tt(root, "--resume")
    assert again.code == 1 and "nothing to resume" in again.stdout, again


@test(
    "a run interrupted by its run timeout is resumed: the interrupted case runs again, and coverage "
    "includes the lines only the first part ran",
    params=["serial", "-n 2", "--isolate"],
)
def interrupted_with_coverage(how: str) -> None:
    root = _project(coverage=True)
    (root / "HANG_a3").touch()
    flags = how.split() if how != "serial" else []
    first = _tt(root, "--run-timeout", "4", *flags)
    assert first.code == 2, first
    before = _ran(root)
    assert "a3" not in before and {"a1", "a2"} <= set(before), first
    resumed = _tt(root, "--resume", *flags)
    assert resumed.code == 1 and resumed.counts == (5, 2, 0), resumed
    after = _ran(root)
    assert sorted(before + after) == sorted(ALL), (before, after)
    assert _outcomes(root) == _expected()
    assert "was interrupted with" in _notes(root)[0]
    assert "coverage: combined with the data of the run's earlier parts" in resumed.stdout, resumed
    lines = {}
    for line in ET.parse(root / "reports" / "coverage.xml").getroot().iter("line"):
        lines[int(line.get("number", "0"))] = int(line.get("hits", "0"))
    assert lines[3] > 0 and lines[8] > 0, lines  # first_part's body ran only before the interrupt
    assert not list((root / "reports").glob(".coverage-resumed")), "the data set aside is combined and gone"


@test("resuming a run that finished says so, runs nothing and exits as that run did", params=["failed", "passed"])
def finished_run(how: str) -> None:
    root = _project()
    selection = ["-k", "1"] if how == "passed" else []
    done = _tt(root, *selection)
    assert done.code == (1 if how == "failed" else 0), done
    _ran(root)
    report = (root / "reports" / "junit.xml").read_bytes()
    again = _tt(root, "--resume")  # whatever the selection: a finished run is never run again
    assert again.code == done.code, again
    assert again.counts == done.counts, again
    lines = again.stdout.splitlines()
    assert len(lines) == 2 and "finished; nothing to resume" in lines[0], again
    assert _ran(root) == []
    assert (root / "reports" / "junit.xml").read_bytes() == report


def _changed(module: Path, text: str, root: Path, *args: str) -> Ran:
    """--resume after the module's text became `text`."""
    module.write_text(text)
    return _tt(root, "--resume", *args)


@test("--resume refuses in one sentence (exit 4) a changed selection or tree, another engine, or no journal")
def refused() -> None:
    root = _project()
    (root / "KILL_a3").touch()
    _killed(_tt(root))
    _ran(root)
    journal = root / "reports" / "journal.jsonl"
    recorded = journal.read_bytes()
    b = root / "test" / "test_b.py"
    changes = {  # what changed -> (the refused attempt, what its sentence names)
        "another -k": (lambda: _tt(root, "--resume", "-k", "a"), "test.test_b::b1"),
        "another target": (lambda: run("-m", "thinking_tests", "test.test_a", "--resume", cwd=root), "b1"),
        "a new case": (lambda: _changed(b, TEST_B + "\n\n@test\ndef b4():\n    pass\n", root), "b4"),
        "a case gone": (lambda: _changed(b, TEST_B.split("@test\ndef b3")[0], root), "b3"),
        "the pytest engine": (lambda: _changed(b, TEST_B, root, "--backend", "pytest"), "pytest"),
        "--lf": (lambda: _tt(root, "--resume", "--lf"), "--lf"),
    }
    for what, (attempt, named) in changes.items():
        refusal = attempt()
        assert refusal.code == 4, (what, refusal)
        sentence = one_sentence(refusal)
        assert "--resume" in sentence and named in sentence, (what, refusal)
        assert journal.read_bytes() == recorded, what
        assert _ran(root) == [], what
    resumed = _tt(root, "--resume")  # the journal is still there to resume, with the right command
    assert resumed.code == 1 and _ran(root) == ALL[2:], resumed
    nothing = _tt(_project(), "--resume")
    assert nothing.code == 4 and "no journal of a last run" in one_sentence(nothing), nothing


if __name__ == "__main__":
    run_current_module()
