"""A run killed mid-way (a case calls os._exit(9)): `python -m thinking_tests report` rebuilds
the JUnit and HTML reports from the journal; finished cases keep their results and the dead
case is an error saying the process died. Under pytest-xdist a dying worker's case is that
error in the run's own reports, and the run goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

from test.pytest_compat._helpers import (
    junit_messages,
    junit_outcomes,
    package,
    project,
    run,
    run_pytest,
)
from thinking_tests import fixture, run_current_module, test

DIES = """\
    import os

    from thinking_tests import test


    @test
    def a_passes():
        print("a_passes was here")


    @test
    def b_fails():
        assert 1 == 2


    @test(skip="not now")
    def c_skipped():
        pass


    @test
    def d_dies():
        os._exit(9)


    @test
    def e_never_runs():
        pass
"""

FINISHED = {
    "test.test_dies::a_passes": "passed",
    "test.test_dies::b_fails": "failure",
    "test.test_dies::c_skipped": "skipped",
}
DEAD = "test.test_dies::d_dies"


@fixture(scope="module")
def dying() -> Path:
    return project({**package("test"), "test/test_dies.py": DIES})


@fixture(scope="module")
def dying_xdist() -> Path:
    return project({**package("test"), "test/test_dies.py": DIES}, config='config.pytest_args = ["-n", "2"]\n')


@test(
    "report after a killed run: finished cases as they ended, the dead one an error",
    params=[("unittest",), ("pytest",)],
    ids=["unittest", "pytest"],
)
def rebuilt(backend: str, dying: Path) -> None:
    reports = dying / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    killed = run("-m", "test.run_all", "--backend", backend, cwd=dying)
    assert killed.code == 9, killed
    assert (reports / "journal.jsonl").is_file(), killed
    # The killed run leaves its failing stand-in, never a result.
    assert junit_outcomes(reports / "junit.xml") == {"<run>::did not finish": "error"}, killed
    ran = run("-m", "thinking_tests", "report", cwd=dying)
    assert ran.code == 1, ran
    assert ran.counts == (1, 2, 1), ran
    assert junit_outcomes(reports / "junit.xml") == {**FINISHED, DEAD: "error"}
    messages = junit_messages(reports / "junit.xml")
    assert "process died" in messages[DEAD], messages[DEAD]
    assert "1 == 2" in messages["test.test_dies::b_fails"], messages
    assert "not now" in messages["test.test_dies::c_skipped"], messages
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert DEAD in html and "process died" in html
    assert "test.test_dies::e_never_runs" not in html


@test(
    "under pytest-xdist the case a worker died in is an error of the run, the rest go on",
    params=[("engine",), ("plain pytest",)],
    ids=["engine", "plain pytest"],
)
def worker_died(how: str, dying_xdist: Path) -> None:
    shutil.rmtree(dying_xdist / "reports", ignore_errors=True)
    if how == "engine":
        ran = run("-m", "test.run_all", "--backend", "pytest", cwd=dying_xdist)
        assert ran.counts == (2, 2, 1), ran
    else:
        ran = run_pytest("test", "-n", "2", cwd=dying_xdist)
    assert ran.code == 1, ran
    junit = dying_xdist / "reports" / "junit.xml"
    assert junit_outcomes(junit) == {**FINISHED, DEAD: "error", "test.test_dies::e_never_runs": "passed"}
    assert "process died" in junit_messages(junit)[DEAD]


if __name__ == "__main__":
    run_current_module()
