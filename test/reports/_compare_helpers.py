"""Two real runs of one project with known differences, for the comparison's tests.

The cases read a marker file, written between the runs: in the second run `breaks` fails
(it passed), `gets_fixed` passes (it failed), `arrives` is new, `leaves` is gone and
`slows_down` sleeps 0.3 s (it took microseconds); `stays_green` is the same both times.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from test.reports._e2e_helpers import project
from test.support import Ran, package, run

CASES = """
import time
from pathlib import Path

from thinking_tests import test

SECOND = (Path(__file__).parent / "second").exists()


@test
def stays_green():
    pass


@test
def breaks():
    assert not SECOND, "broken in the second run"


@test
def gets_fixed():
    assert SECOND, "broken in the first run"


@test
def slows_down():
    if SECOND:
        time.sleep(0.3)


if SECOND:
    @test
    def arrives():
        pass
else:
    @test
    def leaves():
        pass
"""

MODULE = "test.test_calc"
# What the second run changed, by kind, as the HTML report's groups and the CTRF report name them.
CHANGED = {
    "new-failure": [f"{MODULE}::breaks"],
    "fixed": [f"{MODULE}::gets_fixed"],
    "new": [f"{MODULE}::arrives"],
    "removed": [f"{MODULE}::leaves"],
    "slower": [f"{MODULE}::slows_down"],
}
COUNTED = "1 new failure, 1 fixed, 1 new case, 1 removed, 1 slower"
NAMED = (
    f"new failures: {MODULE}::breaks; fixed: {MODULE}::gets_fixed; new cases: {MODULE}::arrives; "
    f"removed: {MODULE}::leaves; slower: {MODULE}::slows_down"
)
HEAD = re.compile(r"^compared with the run of \d{4}-\d\d-\d\d \d\d:\d\d(?P<source> in \S+)?: (?P<counted>.*)$")


@dataclass(frozen=True)
class Runs:
    root: Path
    first: Ran
    second: Ran
    first_journal: bytes  # the first run's journal as it left it
    first_report: str  # the first run's HTML page
    first_ctrf: dict[str, Any]  # the first run's CTRF report
    journal_copy: Path  # a copy of the first run's journal, outside the report folder

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def compared_lines(ran: Ran) -> list[str]:
    """The lines of a run's output from the comparison's first line to the end."""
    lines = ran.stdout.rstrip("\n").splitlines()
    found = [number for number, line in enumerate(lines) if line.startswith("compared with the run of ")]
    assert len(found) == 1, ran
    return lines[found[0]:]


def make_project() -> Path:
    return project(
        {**package("test"), "test/test_calc.py": CASES},
        config='config.reports.json = "report.json"\n',
    )


@functools.cache
def two_runs() -> Runs:
    """The project run twice with `python -m test.run_all` (whole runs), the marker written
    between; what the first run left, kept before the second replaced it."""
    root = make_project()
    first = run("-m", "test.run_all", cwd=root)
    assert first.code == 1 and first.counts == (4, 1, 0), first
    reports = root / "reports"
    first_journal = (reports / "journal.jsonl").read_bytes()
    first_report = (reports / "report.html").read_text(encoding="utf-8")
    first_ctrf = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    copy = root / "first-run.jsonl"
    shutil.copyfile(reports / "journal.jsonl", copy)
    assert not (reports / "journal.prev.jsonl").exists(), "a first run has no last run to keep"
    (root / "test" / "second").write_text("")
    second = run("-m", "test.run_all", cwd=root)
    assert second.code == 1 and second.counts == (4, 1, 0), second
    return Runs(root, first, second, first_journal, first_report, first_ctrf, copy)
