"""Under plain pytest our plugin writes the reports of __test__.py too.

By default into reports/: junit.xml, report.html and coverage (unless turned off); with
`-n 2` one report of every case, the workers' coverage combined; none with
`--no-tt-reports`; the terminal names the report files; `--collect-only` (what IDEs run on
every save) leaves the last run's reports alone; a project without settings of ours gets
none, and pytest's own `--junitxml` file is never overwritten.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from test.pytest_compat._helpers import Ran, junit_outcomes, project, run_pytest
from thinking_tests import fixture, run_current_module, test

LIBRARY = """\
    def double(x):
        return 2 * x


    def never_called():
        return "never"
"""

CASES = """\
    import os

    from thinking_tests import test

    from mylib import double


    def where():
        with open(os.path.join(os.path.dirname(__file__), "..", "workers.txt"), "a") as f:
            f.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")


    @test(params=list(range(6)))
    def doubles(n):
        where()
        assert double(n) == n + n


    @test(skip="not today")
    def skipped():
        pass


    @test
    def fails():
        where()
        assert double(2) == 5


    def test_plain():
        where()
        assert double(0) == 0
"""

EXPECTED = {
    **{f"tests.test_lib::doubles[{n}]": "passed" for n in range(6)},
    "tests.test_lib::skipped": "skipped",
    "tests.test_lib::fails": "failure",
    "tests.test_lib::test_plain": "passed",
}

FILES = {"mylib/__init__.py": LIBRARY, "tests/__init__.py": "", "tests/test_lib.py": CASES}


@fixture(scope="module")
def measured() -> Path:
    """A project whose __test__.py turns coverage on, of mylib."""
    return project(FILES, config='config.coverage.enabled = True\nconfig.coverage.source = ["mylib"]\n')


@fixture(scope="module")
def unmeasured() -> Path:
    """A project with coverage off (the test helper's default), reports on."""
    return project(FILES)


def fresh_run(root: Path, *args: str) -> Ran:
    shutil.rmtree(root / "reports", ignore_errors=True)
    (root / "workers.txt").unlink(missing_ok=True)
    return run_pytest(*args, cwd=root)


def workers(root: Path) -> list[str]:
    return (root / "workers.txt").read_text().split()


def hits_of_double(root: Path) -> int:
    """How often coverage saw the body of mylib.double run."""
    tree = ET.parse(root / "reports" / "coverage.xml")
    for cls in tree.iter("class"):
        if cls.get("filename", "").endswith("__init__.py"):
            for line in cls.iter("line"):
                if line.get("number") == "2":
                    return int(line.get("hits", "0"))
    raise AssertionError("mylib/__init__.py is not in coverage.xml")


@test("plain pytest writes junit.xml, report.html and coverage into reports/, and says where")
def default_reports(measured: Path) -> None:
    ran = fresh_run(measured, "tests")
    assert ran.code == 1, ran
    reports = measured / "reports"
    for name in ("junit.xml", "report.html", ".coverage", "coverage.xml", "coverage-html/index.html"):
        assert (reports / name).is_file(), f"reports/{name} missing:\n{ran!r}"
    assert junit_outcomes(reports / "junit.xml") == EXPECTED
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert "tests.test_lib::fails" in html and "not today" in html
    assert hits_of_double(measured) > 0
    out = ran.stdout
    assert "thinking-tests junit xml report: reports/junit.xml" in out, ran
    assert "thinking-tests html report: reports/report.html" in out, ran
    assert "thinking-tests coverage: " in out and "reports/coverage.xml" in out, ran
    assert set(workers(measured)) == {"main"}


@test("with -n 2 one report holds every case, and the workers' coverage combined")
def xdist_merged(measured: Path) -> None:
    ran = fresh_run(measured, "tests", "-n", "2")
    assert ran.code == 1, ran
    reports = measured / "reports"
    assert junit_outcomes(reports / "junit.xml") == EXPECTED
    seen = workers(measured)
    assert len(seen) == 8 and set(seen) == {"gw0", "gw1"}, seen  # the controller ran nothing
    # Only the workers called double(): its line counts as run only if their data was combined.
    assert hits_of_double(measured) > 0, ran
    assert (reports / "coverage-html" / "index.html").is_file()
    assert list(reports.glob(".coverage.*")) == [], "the workers' data files are combined"
    assert "thinking-tests junit xml report: reports/junit.xml" in ran.stdout, ran


@test(
    "--no-tt-reports writes no report and names none",
    params=[((),), (("-n", "2"),)],
    ids=["serial", "xdist"],
)
def no_tt_reports(args: tuple[str, ...], measured: Path) -> None:
    ran = fresh_run(measured, "tests", "--no-tt-reports", *args)
    assert ran.code == 1, ran
    assert not (measured / "reports").exists(), sorted(p.name for p in (measured / "reports").rglob("*"))
    # (pytest's header may name the installed plugin "thinking-tests-0.1.0": not a report line)
    assert not any(line.startswith("thinking-tests ") for line in ran.stdout.splitlines()), ran
    assert list(measured.glob(".coverage*")) == []


@test("with config.coverage.enabled = False: junit.xml and report.html, no coverage")
def coverage_off(unmeasured: Path) -> None:
    ran = fresh_run(unmeasured, "tests")
    assert ran.code == 1, ran
    reports = unmeasured / "reports"
    assert junit_outcomes(reports / "junit.xml") == EXPECTED
    assert (reports / "report.html").is_file()
    assert not (reports / ".coverage").exists() and not (reports / "coverage.xml").exists()
    assert "thinking-tests coverage" not in ran.stdout, ran
    assert "thinking-tests junit xml report: reports/junit.xml" in ran.stdout, ran


@test("--collect-only (an IDE's discovery) leaves the last run's reports as they were")
def collect_only_keeps_reports(unmeasured: Path) -> None:
    ran = fresh_run(unmeasured, "tests")
    assert ran.code == 1, ran
    junit = unmeasured / "reports" / "junit.xml"
    before = junit.read_bytes()
    listed = run_pytest("--collect-only", "-q", "tests", cwd=unmeasured)
    assert listed.code == 0, listed
    assert junit.read_bytes() == before
    assert "thinking-tests" not in listed.stdout, listed


@test("a project with no __test__.py and no [tool.thinking-tests] gets no reports and no "
      "coverage from plain pytest: installing thinking-tests leaves other projects alone")
def unconfigured_project_untouched() -> None:
    root = project(FILES, config=None)
    (root / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    ran = fresh_run(root, "tests")
    assert ran.code == 1, ran  # the @test cases still ran, as pytest items
    assert "tests/test_lib.py" in ran.stdout and "1 failed" in ran.stdout, ran
    assert not (root / "reports").exists(), sorted(p.name for p in (root / "reports").iterdir())
    assert "thinking-tests junit" not in ran.stdout and "report.html" not in ran.stdout, ran


@test("pytest's own --junitxml at our report's path stays pytest's file; the HTML report is ours")
def explicit_junitxml_kept(unmeasured: Path) -> None:
    ran = fresh_run(unmeasured, "--junitxml=reports/junit.xml", "tests")
    assert ran.code == 1, ran
    root = ET.parse(unmeasured / "reports" / "junit.xml").getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None and suite.get("name") == "pytest", ET.tostring(root)[:300]
    assert "is pytest's --junitxml, left to it" in ran.stdout, ran
    assert (unmeasured / "reports" / "report.html").is_file(), ran


if __name__ == "__main__":
    run_current_module()
