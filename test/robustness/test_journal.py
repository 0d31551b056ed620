"""The journal keeps every finished case as it finishes; when the process dies mid-run
(os._exit, SIGKILL, a segfault), `python -m thinking_tests report` rebuilds the reports from
it, and `--isolate` confines such a death to its module."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from test.robustness._helpers import (
    concurrently,
    inert,
    junit,
    kind,
    problem,
    project,
    run,
    schema_errors,
)
from thinking_tests import fixture, run_current_module, test

FINE = '''
from thinking_tests import test


@test
def one():
    pass


@test
def two():
    assert 1 == 2, "TWO-FAILS"
'''

# Runs after test_a_fine: its results must already be on disk while the run goes on.
SEES = '''
import json
from pathlib import Path

from thinking_tests import test


@test
def sees_the_journal():
    lines = Path("reports/journal.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    finished = {r["id"]: r["outcome"] for r in records if r["kind"] == "case"}
    assert finished == {"test.test_a_fine::one": "passed", "test.test_a_fine::two": "failed"}, finished
'''

DIES = '''
import ctypes
import os
import signal

from thinking_tests import test


@test
def before():
    print("BEFORE-THE-DEATH")


@test
def dies():
    how = os.environ["HOW"]
    if how == "os._exit":
        os._exit(3)
    if how == "SIGKILL":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "segfault":
        ctypes.string_at(0)


@test
def never():
    pass
'''

AFTER = '''
from thinking_tests import test


@test
def three():
    pass
'''

FILES = {
    "test/test_a_fine.py": FINE,
    "test/test_b_journal.py": SEES,
    "test/test_c_dies.py": DIES,
    "test/test_d_after.py": AFTER,
}
# how the process dies -> the exit code of the run it kills, and how --isolate names it
DEATHS = {"os._exit": (3, "code 3"), "SIGKILL": (-9, "signal 9"), "segfault": (-11, "signal 11")}
DIED = "the test process died while this case was running"


class Death:
    """One project per way of dying: the run it kills, the rebuilt reports, an isolated run."""

    def __init__(self, how: str) -> None:
        self.how = how
        env = {"HOW": how}
        self.root = project(FILES)
        self.killed = run("-m", "test.run_all", cwd=self.root, extra_env=env)
        self.journal = [
            json.loads(line)
            for line in (self.root / "reports" / "journal.jsonl").read_text("utf-8").splitlines()
        ]
        self.left = sorted(p.name for p in (self.root / "reports").iterdir())
        left_junit = self.root / "reports" / "junit.xml"
        self.left_junit = ET.parse(left_junit).getroot() if left_junit.exists() else None
        self.rebuilt = run("-m", "thinking_tests", "report", cwd=self.root)
        self.isolated_root = project(FILES)
        # The journal case reads the parent's journal, which --isolate fills per module.
        self.isolated = run(
            "-m", "test.run_all", "--isolate", "-k", "not journal", cwd=self.isolated_root,
            extra_env=env,
        )

    def cases(self, root: Path) -> dict[str, ET.Element]:
        return junit(root / "reports" / "junit.xml")


@fixture(scope="module")
def deaths() -> dict[str, Death]:
    return dict(zip(DEATHS, concurrently(*(lambda how=how: Death(how) for how in DEATHS))))


HOWS = list(DEATHS)


@test("a death mid-run ends the process at once: the journal holds what finished, no report",
      params=HOWS, ids=HOWS)
def dies_mid_run(how: str, deaths: dict[str, Death]) -> None:
    death = deaths[how]
    assert death.killed.code == DEATHS[how][0], death.killed
    # The run never got to its reports: what is there besides the journal are the failing
    # stand-ins written at the start (test_unfinished checks them), never a result.
    assert "journal.jsonl" in death.left, death.left
    if death.left_junit is not None:
        names = [case.get("classname", "") for case in death.left_junit.iter("testcase")]
        assert not [name for name in names if name.startswith("test.")], names
    kinds = [(r["kind"], r.get("id")) for r in death.journal]
    assert kinds[:2] == [("run", None), ("plan", None)], kinds
    # The plan names every case in the order they run: the first without a result died.
    planned = [
        identifier for _, _, entries in death.journal[1]["modules"] for identifier, _ in entries
    ]
    assert planned == [
        f"test.{case}"
        for case in ("test_a_fine::one", "test_a_fine::two", "test_b_journal::sees_the_journal",
                     "test_c_dies::before", "test_c_dies::dies", "test_c_dies::never",
                     "test_d_after::three")
    ], planned
    assert kinds[2:] == [("case", identifier) for identifier in planned[:4]], kinds


@test("each case is in the journal as soon as it finishes: a later case of the run reads it there")
def written_as_it_finishes(deaths: dict[str, Death]) -> None:
    for death in deaths.values():
        finished = {r["id"]: r for r in death.journal if r["kind"] == "case"}
        seen = finished["test.test_b_journal::sees_the_journal"]
        assert seen["outcome"] == "passed", seen.get("message")


@test("`report` rebuilds JUnit XML and HTML: finished cases keep their results, the running one "
      "is an error saying the process died in it", params=HOWS, ids=HOWS)
def report_rebuilds(how: str, deaths: dict[str, Death]) -> None:
    death = deaths[how]
    ran = death.rebuilt
    assert ran.code == 1, ran  # a failure and the died-in error
    assert ran.counts == (3, 2, 0), ran
    cases = death.cases(death.root)
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_a_fine::one": "passed",
        "test.test_a_fine::two": "failure",
        "test.test_b_journal::sees_the_journal": "passed",
        "test.test_c_dies::before": "passed",
        "test.test_c_dies::dies": "error",
    }, sorted(cases)
    assert "TWO-FAILS" in (problem(cases["test.test_a_fine::two"]).get("message") or "")
    assert cases["test.test_c_dies::before"].findtext("system-out") == "BEFORE-THE-DEATH\n"
    died = problem(cases["test.test_c_dies::dies"])
    assert DIED in (died.get("message") or ""), died.get("message")
    assert "test.test_c_dies::dies" in ran.stdout and DIED in ran.stdout, ran
    _valid_reports(death.root)


@test("`report DIR` rebuilds from a report directory given on the command line, from anywhere")
def report_from_a_directory(deaths: dict[str, Death]) -> None:
    death = deaths["SIGKILL"]
    copy = project({}, packaged=False)
    (copy / "kept").mkdir()
    (copy / "kept" / "journal.jsonl").write_bytes(
        (death.root / "reports" / "journal.jsonl").read_bytes()
    )
    ran = run("-m", "thinking_tests", "report", str(copy / "kept"), cwd=copy)
    assert ran.code == 1, ran
    assert ran.counts == (3, 2, 0), ran
    cases = junit(copy / "kept" / "junit.xml")
    assert kind(cases["test.test_c_dies::dies"]) == "error"
    assert not (copy / "reports").exists(), "rebuilt somewhere else than the directory given"


# A journal as version 1 wrote it: times as float seconds, every stage's exception spelled out.
VERSION_1 = "\n".join([
    '{"kind": "run", "version": 1, "start": 1700000000.25, "backend": "unittest", '
    '"command": ["run_all"], "host": "h", "pid": 1}',
    '{"kind": "start", "id": "test.test_old::fine", "file": "/x/test/test_old.py", "line": 4, '
    '"module": "test.test_old"}',
    '{"kind": "case", "id": "test.test_old::fine", "module": "test.test_old", "name": "fine", '
    '"outcome": "passed", "duration": 1.5, "file": "/x/test/test_old.py", "line": 4, '
    '"start": 1700000000.5, "stages": [{"stage": "run", "ok": true, "duration": 1.5, '
    '"exception": null}]}',
    '{"kind": "start", "id": "test.test_old::dies", "file": "/x/test/test_old.py", "line": 9, '
    '"module": "test.test_old"}',
]) + "\n"


@test("a journal written by version 1 (float seconds) still rebuilds the reports")
def reads_version_1() -> None:
    copy = project({}, packaged=False)
    (copy / "kept").mkdir()
    (copy / "kept" / "journal.jsonl").write_text(VERSION_1, encoding="utf-8")
    ran = run("-m", "thinking_tests", "report", str(copy / "kept"), cwd=copy)
    assert ran.code == 1 and ran.counts == (1, 1, 0), ran
    cases = junit(copy / "kept" / "junit.xml")
    assert kind(cases["test.test_old::fine"]) == "passed"
    assert cases["test.test_old::fine"].get("time") == "1.500"
    assert kind(cases["test.test_old::dies"]) == "error"
    assert cases["test.test_old::dies"].get("classname") == "test.test_old"


@test("times go through the journal whole: a case's duration, start and stage times come back "
      "within a nanosecond and a microsecond")
def times_round_trip(deaths: dict[str, Death]) -> None:
    from thinking_tests.journal import read

    death = deaths["os._exit"]
    run_back = read(death.root / "reports" / "journal.jsonl")
    by_id = {case.id: case for case in run_back.cases}
    records = {r["id"]: r for r in death.journal if r["kind"] == "case"}
    for identifier, record in records.items():
        case = by_id[identifier]
        assert round(case.duration * 1e9) == record["ns"], (case.duration, record)
        assert round(case.start * 1e6) == record["start_us"], (case.start, record)
        assert [round(s.duration * 1e9) for s in case.stages] == [s["ns"] for s in record["stages"]]
        assert record["start_us"] > 0 and record["ns"] >= 0, record  # measured, not left empty


@test("with --isolate a death costs only the case it hit, an error saying so; the rest of its "
      "module runs in a fresh child: the run completes, exit code 1", params=HOWS, ids=HOWS)
def isolate_contains_it(how: str, deaths: dict[str, Death]) -> None:
    death = deaths[how]
    ran = death.isolated
    assert ran.code == 1, ran
    assert ran.counts == (4, 2, 0), ran  # one, before, never, three pass; two fails; dies errs
    cases = death.cases(death.isolated_root)
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_a_fine::one": "passed",
        "test.test_a_fine::two": "failure",
        "test.test_c_dies::before": "passed",
        "test.test_c_dies::dies": "error",
        "test.test_c_dies::never": "passed",  # run again in a fresh child
        "test.test_d_after::three": "passed",  # the module after the death still ran
    }, sorted(cases)
    message = problem(cases["test.test_c_dies::dies"]).get("message") or ""
    assert DIED in message and DEATHS[how][1] in message, message
    assert cases["test.test_c_dies::before"].findtext("system-out") == "BEFORE-THE-DEATH\n"
    # The parent's own journal is whole: every result and the end of the run.
    records = [
        json.loads(line)
        for line in (death.isolated_root / "reports" / "journal.jsonl").read_text("utf-8").splitlines()
    ]
    assert records[-1]["kind"] == "end" and records[-1]["interrupted"] is False, records[-1]
    assert len([r for r in records if r["kind"] == "case"]) == 6
    _valid_reports(death.isolated_root)


def _valid_reports(root: Path) -> None:
    errors = schema_errors(root / "reports" / "junit.xml")
    assert not errors, errors  # None: the schema is missing; the rest is still checked
    page = inert((root / "reports" / "report.html").read_text(encoding="utf-8"))
    data: dict[str, Any] = json.loads(
        next(text for attrs, text in page.scripts if attrs.get("type") == "application/json")
    )
    outcomes = {case["id"]: case["outcome"] for case in data["cases"]}
    assert outcomes["test.test_c_dies::dies"] == "error", outcomes


if __name__ == "__main__":
    run_current_module()
