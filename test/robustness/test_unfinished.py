"""Reports never lie about a run that did not finish: a dead run leaves failing stand-ins,
an unwritable report fails the run, and two runs never share a report folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from test.robustness._helpers import schema_errors
from test.running._helpers import junit_cases, one_sentence, project
from test.support import env, run
from thinking_tests import run_current_module, test

GREEN = """\
    from thinking_tests import test


    @test
    def first():
        pass


    @test
    def second():
        pass
"""

# The same module, then a case that ends the process in the middle of the run.
DYING = textwrap.dedent(GREEN) + """

@test
def dies():
    import os, signal
    {how}


@test
def never_reached():
    pass
"""

HOW = {
    "os_exit_0": "os._exit(0)",
    "sigkill": "os.kill(os.getpid(), signal.SIGKILL)",
    "sigterm": "signal.signal(signal.SIGTERM, signal.SIG_DFL); os.kill(os.getpid(), signal.SIGTERM)",
    "segfault": "import ctypes; ctypes.string_at(0)",
}


def _waiting_project(until: str) -> Path:
    """A project whose one case writes `started`, then waits: `until` is its loop's body."""
    return project(
        {
            "test/__init__.py": "",
            "test/test_m.py": f"""\
                import time
                from pathlib import Path
                from thinking_tests import test


                @test
                def waits():
                    Path("started").write_text("yes")
                    {until}
            """,
        }
    )


def _start_waiting(root: Path, **streams: int) -> "subprocess.Popen[str]":
    """A run of `root`'s tests in the background, returned once its case has started."""
    child = subprocess.Popen(
        [sys.executable, "-m", "thinking_tests", "test"], cwd=root, env=env(), text=True, **streams
    )
    for _ in range(1500):
        if (root / "started").exists():
            return child
        time.sleep(0.02)
    child.kill()
    raise AssertionError("the run never started its case")


def _totals(junit: Path) -> tuple[int, int, int]:
    root = ET.parse(junit).getroot()
    return int(root.get("tests", 0)), int(root.get("failures", 0)), int(root.get("errors", 0))


@test(
    "a run that dies leaves failing reports, never the last run's green ones",
    params=list(HOW),
    ids=list(HOW),
)
def dead_run_leaves_failing_reports(how: str) -> None:
    root = project({"test/__init__.py": "", "test/test_m.py": GREEN}, html=True)
    green = run("-m", "thinking_tests", "test", cwd=root)
    assert green.code == 0, green
    junit, html = root / "reports/junit.xml", root / "reports/report.html"
    assert _totals(junit) == (2, 0, 0), junit.read_text()

    (root / "test/test_m.py").write_text(DYING.format(how=HOW[how]))
    dead = run("-m", "thinking_tests", "test", cwd=root)
    assert "passed, " not in dead.last_line, dead  # it never got to its summary
    tests, failures, errors = _totals(junit)
    assert errors >= 1, junit.read_text()
    assert [c for c in junit_cases(junit) if c[2] == "error"] == [
        ("<run>", "did not finish", "error")
    ], junit.read_text()
    assert "has not finished" in junit.read_text()
    assert schema_errors(junit) == [], schema_errors(junit)
    page = html.read_text()
    assert "has not finished" in page and "Tests failed" in page, page[:2000]

    # `report` rebuilds what the journal holds: the finished cases, and the one it died in.
    rebuilt = run("-m", "thinking_tests", "report", cwd=root)
    assert rebuilt.code == 1, rebuilt
    cases = {(c[1], c[2]) for c in junit_cases(junit)}
    assert ("first", "passed") in cases and ("second", "passed") in cases, cases
    assert ("dies", "error") in cases, cases
    assert not any(name == "did not finish" for name, _ in cases), cases


@test("a report that cannot be written at the end fails the run and names the file")
def unwritable_report_fails_the_run() -> None:
    root = project(
        {
            "test/__init__.py": "",
            "test/test_m.py": """\
                import shutil
                from pathlib import Path
                from thinking_tests import test


                @test
                def replaces_the_report_folder():
                    folder = Path("reports")
                    shutil.rmtree(folder)
                    folder.write_text("a file where the reports should go")
            """,
        },
        config="config.reports.journal = None\n",
    )
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 4, ran
    assert f"could not write the junit xml report {root / 'reports' / 'junit.xml'}" in ran.output, ran
    assert ran.counts == (1, 0, 0), ran


@test("an empty report path is refused before anything runs, naming the setting")
def empty_report_path_refused() -> None:
    root = project(
        {"test/__init__.py": "", "test/test_m.py": GREEN},
        config='config.reports.junit_xml = ""\n',
    )
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 4, ran
    assert "config.reports.junit_xml is empty" in one_sentence(ran), ran


@test("a second run in the same report folder says so and stops; the first is untouched")
def second_run_refused() -> None:
    root = _waiting_project('while not Path("go").exists(): time.sleep(0.02)')
    first = _start_waiting(root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        second = run("-m", "thinking_tests", "test", cwd=root)
        assert second.code == 4, second
        sentence = one_sentence(second)
        assert f"another run (process {first.pid}) is writing its reports to" in sentence, second
    finally:
        (root / "go").write_text("")
        out, _ = first.communicate(timeout=120)
    assert first.returncode == 0, out
    assert out.rstrip().endswith("1 passed, 0 failed, 0 skipped"), out
    assert [c[2] for c in junit_cases(root / "reports/junit.xml")] == ["passed"]


@test("a run killed from outside leaves failing reports in place of the last green ones")
def killed_from_outside() -> None:
    root = _waiting_project("time.sleep(60)")
    (root / "reports").mkdir()
    (root / "reports/junit.xml").write_text(
        '<testsuites tests="1" failures="0" errors="0"><testsuite name="old" tests="1" '
        'failures="0" errors="0"><testcase name="green" /></testsuite></testsuites>'
    )
    child = _start_waiting(root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert _totals(root / "reports/junit.xml")[2] == 1, (root / "reports/junit.xml").read_text()


@test("plain pytest in a configured project: a dead run leaves failing reports, a second run is refused")
def plain_pytest_unfinished() -> None:
    root = project({"test/__init__.py": "", "test/test_m.py": GREEN}, html=True)
    green = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "test", cwd=root)
    assert green.code == 0, green
    junit = root / "reports/junit.xml"
    assert _totals(junit) == (2, 0, 0), junit.read_text()
    (root / "test/test_m.py").write_text(DYING.format(how=HOW["sigkill"]))
    dead = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "test", cwd=root)
    assert dead.code == -9, dead
    assert [c for c in junit_cases(junit) if c[2] == "error"] == [
        ("<run>", "did not finish", "error")
    ], junit.read_text()
    assert schema_errors(junit) == [], schema_errors(junit)

    # While one plain pytest run holds the folder, a second is refused in one sentence.
    from thinking_tests.inprogress import ReportLock

    lock = ReportLock(root / "reports")
    lock.acquire()
    try:
        second = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "test", cwd=root)
    finally:
        lock.release()
    assert second.code == 4, second
    assert "is writing its reports to" in second.output and "--no-tt-reports" in second.output, second


if __name__ == "__main__":
    run_current_module()
