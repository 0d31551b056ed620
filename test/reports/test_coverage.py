"""Coverage of real runs: thresholds, branches, source and omit, coverage.py's own config
files, subprocesses, code imported by __test__.py, --no-coverage, and the default paths.

Each fixture is one `python -m test.run_all` on a small project with a package `mypkg`; the
reports are read back from disk.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from test.reports._e2e_helpers import coverage_xml, missed, project, read_html
from test.support import RUN_ALL, Ran, run
from thinking_tests import fixture, run_current_module, test

MYPKG = '''\
def f():
    return "f ran"


def g(x):
    if x > 0:
        return "positive"
    return "other"


def never():
    a = 1
    return a
'''
F_BODY = 2  # the line of `return "f ran"`: only a subprocess runs it
NEVER_BODY = [12, 13]

HELPERS = '''\
CONSTANT = 1


def helper():
    return CONSTANT
'''

TESTS = '''\
import subprocess
import sys

import mypkg
import mypkg.omitted
from thinking_tests import run_current_module, test


@test
def takes_one_branch():
    assert mypkg.g(1) == "positive"


@test
def starts_a_subprocess():
    done = subprocess.run([sys.executable, "-c", "import mypkg; mypkg.f()"])
    assert done.returncode == 0


if __name__ == "__main__":
    run_current_module()
'''

FILES = {
    "mypkg/__init__.py": MYPKG,
    "mypkg/omitted.py": "def h():\n    return 1\n",
    "mypkg/helpers.py": HELPERS,
    "test/__init__.py": "",
    "test/run_all.py": RUN_ALL,
    "test/test_pkg.py": TESTS,
}

REPORTS = ("junit.xml", "report.html", ".coverage", "coverage.xml", "coverage-html/index.html")


class Run:
    def __init__(self, root: Path, ran: Ran) -> None:
        self.root = root
        self.ran = ran
        self.reports = root / "reports"

    def measured(self) -> dict[str, dict[int, ET.Element]]:
        """File path relative to the project -> its lines in reports/coverage.xml."""
        _, files = coverage_xml(self.reports / "coverage.xml")
        root = self.root.resolve()
        return {
            path.relative_to(root).as_posix(): lines
            for path, lines in files.items()
            if path.is_relative_to(root)
        }

    def coverage_lines(self) -> list[str]:
        return [line for line in self.ran.stdout.splitlines() if line.startswith("coverage:")]


def _run(files: dict[str, str], config: str | None, *args: str) -> Run:
    root = project({**FILES, **files}, config=config)
    return Run(root, run("-m", "test.run_all", *args, cwd=root))


# --- a missed threshold, with branches, source, omit and a subprocess ---------------------

MISSED = """\
config.coverage.enabled = True
config.coverage.source = ["mypkg"]
config.coverage.branch = True
config.coverage.omit = ["*/mypkg/omitted.py"]
config.coverage.fail_under = 99
"""


@fixture(scope="module")
def missed_threshold() -> Run:
    return _run({}, MISSED)


@test("coverage under fail_under: exit 1, and one sentence gives the total and the threshold")
def under_threshold(missed_threshold: Run) -> None:
    ran = missed_threshold.ran
    assert ran.code == 1, ran
    assert ran.counts == (2, 0, 0), ran  # every case passed: only coverage failed the run
    lines = [line for line in missed_threshold.coverage_lines() if "99" in line]
    assert len(lines) == 1, ran
    match = re.search(r"(\d+(?:\.\d+)?)%", lines[0])
    assert match, lines[0]
    root = ET.parse(missed_threshold.reports / "coverage.xml").getroot()
    covered = int(root.get("lines-covered", "0")) + int(root.get("branches-covered", "0"))
    valid = int(root.get("lines-valid", "0")) + int(root.get("branches-valid", "0"))
    assert abs(float(match[1]) - 100 * covered / valid) < 0.051, (lines[0], covered, valid)
    assert re.search(r"\b99(\.0+)?%", lines[0]), lines[0]


@test("a run failed by coverage still writes every report, at the default paths")
def reports_when_failed(missed_threshold: Run) -> None:
    for name in REPORTS:
        assert (missed_threshold.reports / name).is_file(), f"reports/{name}: {missed_threshold.ran!r}"
    parser, _ = read_html(missed_threshold.reports / "report.html")
    assert any(link.endswith("coverage-html/index.html") for link in parser.links), parser.links


@test("config.coverage.branch = True puts branch data into coverage.xml")
def branch_data(missed_threshold: Run) -> None:
    root = ET.parse(missed_threshold.reports / "coverage.xml").getroot()
    assert float(root.get("branch-rate", "0")) > 0, root.attrib
    assert int(root.get("branches-valid", "0")) > 0, root.attrib
    lines = missed_threshold.measured()["mypkg/__init__.py"]
    conditions = [line.get("condition-coverage") for line in lines.values() if line.get("branch") == "true"]
    assert conditions and all(conditions), conditions
    assert any(c.startswith("50%") for c in conditions if c), conditions  # g(1): one of two


@test("config.coverage.source and omit decide what coverage.xml names")
def source_and_omit(missed_threshold: Run) -> None:
    measured = missed_threshold.measured()
    assert "mypkg/__init__.py" in measured, sorted(measured)
    assert "mypkg/omitted.py" not in measured, sorted(measured)  # omitted, though imported
    assert not any(name.startswith("test/") for name in measured), sorted(measured)
    assert missed(measured["mypkg/__init__.py"])[-len(NEVER_BODY):] == NEVER_BODY


@test("a Python subprocess a test starts is measured, and combined into one data file")
def subprocess_measured(missed_threshold: Run) -> None:
    lines = missed_threshold.measured()["mypkg/__init__.py"]
    assert int(lines[F_BODY].get("hits", "0")) > 0, "f() ran only in the subprocess"
    for folder in (missed_threshold.reports, missed_threshold.root):
        stray = sorted(p.name for p in folder.glob(".coverage.*"))
        assert not stray, f"uncombined data files in {folder}: {stray}"


# --- a met threshold, with coverage.py's own .coveragerc ---------------------------------

MET = """\
config.coverage.enabled = True
config.coverage.source = ["mypkg"]
config.coverage.fail_under = 10
"""


@fixture(scope="module")
def met_threshold() -> Run:
    return _run({".coveragerc": "[run]\nomit = */mypkg/omitted.py\n"}, MET)


@test("coverage above fail_under: exit 0, and no word of failing")
def over_threshold(met_threshold: Run) -> None:
    ran = met_threshold.ran
    assert ran.code == 0, ran
    assert ran.counts == (2, 0, 0), ran
    (line,) = met_threshold.coverage_lines()
    assert "under" not in line and "fail" not in line, line


@test("the omit of a .coveragerc is honoured")
def coveragerc_omit(met_threshold: Run) -> None:
    measured = met_threshold.measured()
    assert "mypkg/__init__.py" in measured, sorted(measured)
    assert "mypkg/omitted.py" not in measured, sorted(measured)


# --- settings from pyproject.toml ---------------------------------------------------------

PYPROJECT = """\
[project]
name = "mypkg"
version = "0.1"

[tool.thinking-tests.coverage]
enabled = true
source = ["mypkg"]

[tool.coverage.run]
omit = ["*/mypkg/omitted.py"]
"""


@fixture(scope="module")
def from_pyproject() -> Run:
    # A __test__.py that touches no coverage setting, but imports code to measure.
    files = {"pyproject.toml": PYPROJECT, "__test__.py": "import mypkg.helpers\n"}
    return _run(files, None)


@test("[tool.thinking-tests.coverage] in pyproject.toml turns coverage on and chooses the source")
def pyproject_settings(from_pyproject: Run) -> None:
    assert from_pyproject.ran.code == 0, from_pyproject.ran
    measured = from_pyproject.measured()
    assert "mypkg/__init__.py" in measured, sorted(measured)
    assert not any(name.startswith("test/") for name in measured), sorted(measured)


@test("[tool.coverage.run] omit in pyproject.toml is honoured")
def pyproject_omit(from_pyproject: Run) -> None:
    assert "mypkg/omitted.py" not in from_pyproject.measured()


@test("code __test__.py imports is measured from its first line when pyproject.toml turns coverage on")
def config_imports_measured(from_pyproject: Run) -> None:
    lines = from_pyproject.measured().get("mypkg/helpers.py")
    assert lines is not None, sorted(from_pyproject.measured())
    # Lines 1 and 4 run when the module is imported: only measured if coverage was on then.
    assert int(lines[1].get("hits", "0")) > 0 and int(lines[4].get("hits", "0")) > 0, {
        n: line.get("hits") for n, line in lines.items()
    }
    assert missed(lines) == [5]  # helper() is never called


# --- the defaults, and --no-coverage ------------------------------------------------------


@fixture(scope="module")
def defaults() -> Run:
    return _run({}, None)  # no __test__.py, no pyproject.toml: every default


@test("without any configuration, coverage is on and lands at the default paths of DESIGN.md")
def default_paths(defaults: Run) -> None:
    assert defaults.ran.code == 0, defaults.ran
    for name in REPORTS:
        assert (defaults.reports / name).is_file(), f"reports/{name}: {defaults.ran!r}"
    assert "mypkg/__init__.py" in defaults.measured()
    assert not list(defaults.reports.glob(".coverage.*"))
    assert not (defaults.root / ".coverage").exists()


@test("--no-coverage measures nothing and writes no coverage report")
def no_coverage() -> None:
    done = _run({}, None, "--no-coverage")
    assert done.ran.code == 0, done.ran
    assert done.ran.counts == (2, 0, 0), done.ran
    assert (done.reports / "junit.xml").is_file(), done.ran
    for name in (".coverage", "coverage.xml", "coverage-html"):
        assert not (done.reports / name).exists(), f"reports/{name} written with --no-coverage"
    assert not list(done.root.rglob(".coverage*")), sorted(map(str, done.root.rglob(".coverage*")))
    assert not done.coverage_lines(), done.ran


def _html_total(index: Path) -> str:
    """The total percentage coverage.py's HTML index shows."""
    found = re.search(r'<span class="pc_cov">(\d+(?:\.\d+)?)%</span>', index.read_text("utf-8"))
    assert found, index
    return found[1]


@test("the HTML coverage pages (written beside the XML, by a second process) show the XML's "
      "total, and name every measured file")
def html_agrees_with_xml(missed_threshold: Run) -> None:
    reports = missed_threshold.reports
    rate = float(ET.parse(reports / "coverage.xml").getroot().get("line-rate", "0"))
    assert (reports / "coverage-html" / "index.html").is_file(), missed_threshold.ran
    shown = _html_total(reports / "coverage-html" / "index.html")
    assert abs(float(shown) - rate * 100) < 1.0, (shown, rate)  # lines only vs lines + branches
    index = (reports / "coverage-html" / "index.html").read_text("utf-8")
    index = index.replace('<span class="sep">/</span>', "/")  # how coverage.py shows a path
    assert "mypkg/__init__.py" in index and "mypkg/helpers.py" in index, index[:2000]


@test("HTML coverage pages that cannot be written: one line says why, the XML and the other "
      "reports are still written, and no child process is left behind")
def html_cannot_be_written() -> None:
    config = 'config.coverage.enabled = True\nconfig.coverage.source = ["mypkg"]\n'
    # Made mid-run by a case: a file there before the run is refused up front (exit 4).
    sabotage = (
        "import os\nfrom thinking_tests import test\n\n\n@test\ndef zz_sabotage():\n"
        "    with open(os.path.join('reports', 'coverage-html'), 'w') as f:\n"
        "        f.write('a file where the pages folder should be')\n"
    )
    root = project({**FILES, "test/test_zz.py": sabotage}, config=config)
    done = Run(root, run("-m", "test.run_all", cwd=root))
    assert done.ran.code == 1, done.ran  # a coverage report not written fails the run
    assert done.ran.counts == (3, 0, 0), done.ran
    lines = done.coverage_lines()
    assert len(lines) == 1 and "coverage-html" in lines[0], done.ran
    for name in ("junit.xml", "report.html", "coverage.xml"):
        assert (done.reports / name).is_file(), f"reports/{name}: {done.ran!r}"


if __name__ == "__main__":
    run_current_module()
