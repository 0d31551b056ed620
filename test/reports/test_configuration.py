"""Where reports go, as configured: pyproject.toml, __test__.py (which wins), the command line,
and the mistakes that stop a run with exit code 4 before anything runs.

Every check is a real `python -m ...` on a small project on disk.
"""

from __future__ import annotations

import os
import unittest
from pathlib import Path

from test.reports._e2e_helpers import one_sentence, project, temporary, testcases
from test.support import RUN_ALL, Ran, run
from thinking_tests import fixture, run_current_module, test

TESTS = '''\
from thinking_tests import run_current_module, test


@test
def prints():
    print("PRINTED-BY-A-CASE")


@test
def adds():
    assert 1 + 1 == 2


if __name__ == "__main__":
    run_current_module()
'''

FILES = {"test/__init__.py": "", "test/run_all.py": RUN_ALL, "test/test_a.py": TESTS}

PYPROJECT = """\
[project]
name = "configured"
version = "0.1"

[tool.thinking-tests]
capture = false

[tool.thinking-tests.reports]
directory = "pp-reports"
junit_xml = "from-pyproject.xml"
html = false

[tool.thinking-tests.coverage]
enabled = false
"""

# Only the JUnit report's name; everything else comes from pyproject.toml.
WINS = "from thinking_tests import config\nconfig.reports.junit_xml = 'from-test.xml'\n"


def configured() -> Path:
    return project({**FILES, "pyproject.toml": PYPROJECT, "__test__.py": WINS}, config=None)


def files_below(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if "__pycache__" not in path.parts and path.is_file()
    }


# --- pyproject.toml and __test__.py --------------------------------------------------------


class Run:
    def __init__(self, root: Path, ran: Ran) -> None:
        self.root = root
        self.ran = ran


@fixture(scope="module")
def from_pyproject() -> Run:
    root = configured()
    return Run(root, run("-m", "test.run_all", cwd=root))


@test("[tool.thinking-tests] applies: a plain setting, the reports and coverage tables, false")
def pyproject_applies(from_pyproject: Run) -> None:
    ran, root = from_pyproject.ran, from_pyproject.root
    assert ran.code == 0, ran
    assert ran.counts == (2, 0, 0), ran
    assert "PRINTED-BY-A-CASE" in ran.stdout, "capture = false: the case prints to the terminal"
    written = files_below(root / "pp-reports")
    assert "from-test.xml" in written, written
    assert not any(name.endswith(".html") for name in written), written  # html = false
    assert not any("coverage" in name for name in written), written  # coverage off
    assert not (root / "reports").exists(), files_below(root)
    assert not list(root.rglob(".coverage*")), "coverage = false still measured"


@test("__test__.py wins over [tool.thinking-tests]")
def test_py_wins(from_pyproject: Run) -> None:
    root = from_pyproject.root
    assert (root / "pp-reports" / "from-test.xml").is_file(), from_pyproject.ran
    assert not (root / "pp-reports" / "from-pyproject.xml").exists()
    cases = testcases(root / "pp-reports" / "from-test.xml")
    assert set(cases) == {"test.test_a::prints", "test.test_a::adds"}, sorted(cases)


@test("an unknown key in [tool.thinking-tests] stops the run: exit 4, naming the key and the file")
def pyproject_unknown_key() -> None:
    text = PYPROJECT.replace('html = false', 'htlm = false')
    root = project({**FILES, "pyproject.toml": text}, config=None)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "htlm" in sentence and "pyproject.toml" in sentence, sentence
    assert not (root / "pp-reports").exists() and not (root / "reports").exists(), files_below(root)


# --- the command line wins over both -------------------------------------------------------


@test("--no-reports writes no report, whatever the files say")
def no_reports() -> None:
    root = configured()
    ran = run("-m", "test.run_all", "--no-reports", cwd=root)
    assert ran.code == 0, ran
    assert ran.counts == (2, 0, 0), ran
    assert files_below(root) == {*FILES, "pyproject.toml", "__test__.py"}, files_below(root)


@test("--report-dir DIR puts every report into DIR instead of the configured directory")
def report_dir() -> None:
    root = configured()
    elsewhere = temporary("tt-report-dir-") / "out"
    ran = run("-m", "test.run_all", "--report-dir", str(elsewhere), cwd=root)
    assert ran.code == 0, ran
    assert "from-test.xml" in files_below(elsewhere), files_below(elsewhere)
    assert not (root / "pp-reports").exists(), files_below(root)


# --- report paths in __test__.py --------------------------------------------------------------

SUBFOLDER = """\
config.reports.directory = "out"
config.reports.junit_xml = None
"""


@fixture(scope="module")
def from_subfolder() -> Run:
    # __test__.py at the root; the test package, and the run, in a subfolder.
    files = {f"sub/{name}": text for name, text in FILES.items()}
    root = project(files, config=SUBFOLDER)
    return Run(root, run("-m", "test.run_all", cwd=root / "sub"))


@test("a relative config.reports.directory resolves against the folder of __test__.py, "
      "also when the run starts in a subfolder")
def relative_to_config(from_subfolder: Run) -> None:
    root = from_subfolder.root
    assert from_subfolder.ran.code == 0, from_subfolder.ran
    assert (root / "out" / "report.html").is_file(), (from_subfolder.ran, files_below(root))
    assert not (root / "sub" / "out").exists(), files_below(root)
    assert not (root / "reports").exists() and not (root / "sub" / "reports").exists()


@test("config.reports.junit_xml = None turns the JUnit report off, and only it")
def junit_off(from_subfolder: Run) -> None:
    written = files_below(from_subfolder.root / "out")
    assert "report.html" in written, written
    assert not any(name.endswith(".xml") for name in written), written


def refused(config: str, files: dict[str, str] | None = None) -> tuple[Path, str]:
    """A run that must stop before anything runs: its project and its one sentence."""
    given = {**FILES, **(files or {})}
    root = project(given, config=config)
    before = paths_below(root)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    assert "PRINTED" not in ran.output and "passed" not in ran.output, ran
    sentence = one_sentence(ran)
    # Nothing left behind: no default reports/ folder, no coverage configuration in it.
    assert paths_below(root) == before, sorted(paths_below(root) ^ before)
    return root, sentence


def paths_below(root: Path) -> set[str]:
    """Every file and folder below root, without bytecode caches."""
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if "__pycache__" not in path.parts
    }


@test("a refused run never removes a folder __test__.py names as the report directory")
def refused_keeps_folder() -> None:
    root, sentence = refused(
        "config.reports.directory = 'precious'\nconfig.backend = 'nose'\n",
        {"precious/data.txt": "keep me\n"},
    )
    assert "config.backend" in sentence, sentence
    assert (root / "precious" / "data.txt").read_text() == "keep me\n"


@test("two reports on one path stop the run: exit 4, naming both settings")
def same_path() -> None:
    _, sentence = refused(
        "config.reports.junit_xml = 'same.xml'\nconfig.reports.html = 'same.xml'\n"
    )
    assert "config.reports.junit_xml" in sentence and "config.reports.html" in sentence, sentence
    assert "same.xml" in sentence, sentence


@test("a report directory that cannot be created (under a file) stops the run: exit 4")
def directory_under_a_file() -> None:
    root, sentence = refused(
        "config.reports.directory = 'a-file/reports'\n", {"a-file": "not a folder\n"}
    )
    assert "config.reports.directory" in sentence, sentence
    assert (root / "a-file").read_text() == "not a folder\n"


@test("a read-only report directory stops the run: exit 4")
def read_only_directory() -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        raise unittest.SkipTest("root writes into read-only directories anyway")
    root = project(FILES, config="config.reports.directory = 'locked'\n")
    (root / "locked").mkdir()
    (root / "locked").chmod(0o555)
    try:
        ran = run("-m", "test.run_all", cwd=root)
    finally:
        (root / "locked").chmod(0o755)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "config.reports.directory" in sentence and "locked" in sentence, sentence
    assert not any((root / "locked").iterdir()), "a refused run wrote into it"
    assert not (root / "reports").exists(), "a refused run left the default reports/ behind"


if __name__ == "__main__":
    run_current_module()
