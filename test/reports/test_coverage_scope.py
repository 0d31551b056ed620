"""Coverage measures the code under test: the tests are left out unless configured otherwise,
on both engines and under plain pytest; `fail_under` checks the code under test only, and a
miss ends the run on `coverage-failed: ...`. Also the end of the terminal output: spaced
section rules, and failure messages never cut at the terminal's width.

Each run is a real subprocess on a small project: `mypkg` is the code under test (3 of its
7 lines run: 42.9%), `tests/` holds many lines that all run, so measuring them too would
lift the total over the threshold of 60%.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from test.reports._e2e_helpers import coverage_xml, project
from test.support import RUN_ALL, Ran, env, run
from thinking_tests import fixture, run_current_module, test

MYPKG = """\
def used():
    return 1


def unused():
    a = 1
    b = 2
    c = 3
    return a + b + c
"""

HELPERS = "".join(f"VALUE_{i} = {i}\n" for i in range(20)) + "\n\ndef one():\n    return 1\n"

CASES = (
    "import mypkg\nfrom tests._helpers import one\nfrom thinking_tests import test\n\n"
    + "".join(f"CONSTANT_{i} = {i}\n" for i in range(20))
    + "\n\n@test\ndef uses():\n    assert mypkg.used() == one()\n"
)

NESTED = "from thinking_tests import test\n\n\n@test\ndef nested():\n    assert True\n"

FILES = {
    "mypkg/__init__.py": MYPKG,
    "tests/__init__.py": "",
    "tests/run_all.py": RUN_ALL,
    "tests/_helpers.py": HELPERS,
    "tests/test_a.py": CASES,
    "tests/unit/__init__.py": "",
    "tests/unit/test_b.py": NESTED,
}

CONFIG = "config.coverage.enabled = True\nconfig.coverage.fail_under = 60\n"
TEST_FILES = {"tests/_helpers.py", "tests/test_a.py", "tests/unit/test_b.py"}


class Measured:
    """A finished run and the files its coverage.xml names, relative to the project."""

    def __init__(self, root: Path, ran: Ran) -> None:
        self.root = root
        self.ran = ran
        _, files = coverage_xml(root / "reports" / "coverage.xml")
        self.files = {
            path.relative_to(root.resolve()).as_posix()
            for path in files
            if path.is_relative_to(root.resolve())
        }

    def __repr__(self) -> str:
        return f"{sorted(self.files)}\n{self.ran!r}"


def _measured(config: str, *args: str) -> Measured:
    root = project(FILES, config=config)
    return Measured(root, run(*args, cwd=root))


def _percent(ran: Ran) -> float:
    """The total of the terminal's `coverage: N%` line."""
    found = re.search(r"^coverage: (\d+(?:\.\d+)?)%", ran.stdout, re.MULTILINE)
    assert found, ran
    return float(found[1])


@fixture(scope="module")
def unittest_engine() -> Measured:
    return _measured(CONFIG, "-m", "tests.run_all")


@fixture(scope="module")
def pytest_engine() -> Measured:
    return _measured(CONFIG, "-m", "tests.run_all", "--backend", "pytest")


@fixture(scope="module")
def plain_pytest() -> Measured:
    return _measured(CONFIG, "-m", "pytest", "-p", "thinking_tests.pytest_plugin", "-q")


@fixture(scope="module")
def tests_measured() -> Measured:
    """`config.coverage.omit = []`: an explicit setting says what to measure, tests included."""
    return _measured(CONFIG + "config.coverage.omit = []\n", "-m", "tests.run_all")


@test("by default coverage.xml names the code under test and no file of the test package "
      "(helpers and subpackages included) nor __test__.py", params=["unittest", "pytest"])
def tests_left_out(engine: str, unittest_engine: Measured, pytest_engine: Measured) -> None:
    measured = unittest_engine if engine == "unittest" else pytest_engine
    assert measured.files == {"mypkg/__init__.py"}, measured


@test("under plain pytest too, the plugin's coverage leaves the tests out")
def plain_pytest_left_out(plain_pytest: Measured) -> None:
    assert (plain_pytest.root / "reports" / "coverage.xml").is_file(), plain_pytest
    assert plain_pytest.files == {"mypkg/__init__.py"}, plain_pytest
    assert plain_pytest.ran.code == 1, plain_pytest  # the threshold is missed there too


@test("config.coverage.omit = [] measures the tests too, and their lines lift the total over "
      "fail_under")
def tests_when_configured(tests_measured: Measured) -> None:
    assert {"mypkg/__init__.py"} | TEST_FILES <= tests_measured.files, tests_measured
    assert tests_measured.ran.code == 0, tests_measured
    assert tests_measured.ran.last_line == "2 passed, 0 failed, 0 skipped", tests_measured
    assert _percent(tests_measured.ran) >= 60, tests_measured


@test("fail_under checks the code under test only: 42.9% misses 60%, exit 1, and the last "
      "line is `coverage-failed: ...`", params=["unittest", "pytest"])
def fail_under_missed(engine: str, unittest_engine: Measured, pytest_engine: Measured) -> None:
    ran = (unittest_engine if engine == "unittest" else pytest_engine).ran
    assert ran.code == 1, ran
    assert _percent(ran) == 42.9, ran
    assert ran.last_line == "coverage-failed: 2 passed, 0 failed, 0 skipped", ran
    assert ran.counts == (2, 0, 0), ran
    # The duration above it is the whole run's, and says what part coverage took.
    breakdown = ran.stdout.rstrip("\n").splitlines()[-2]
    assert re.match(r"2 cases in \d+\.\d\d s \(\d+\.\d\d s of it coverage and reports\): ", breakdown), ran


@test("a project of nothing but tests has no code under test to measure, and says so")
def only_tests() -> None:
    files = {name: text for name, text in FILES.items() if not name.startswith("mypkg")}
    files["tests/test_a.py"] = CASES.replace("import mypkg\n", "").replace("mypkg.used()", "1")
    root = project(files, config="config.coverage.enabled = True\n")
    ran = run("-m", "tests.run_all", cwd=root)
    assert ran.code == 0, ran
    assert "coverage: no data: no measured code ran (see config.coverage.source; the tests themselves are not measured)" in ran.stdout, ran


# --- the terminal ---------------------------------------------------------------------

LONG = "-".join(["piece"] * 40)  # one line of 239 characters, far past the terminal's width
FAILING = f'''\
from thinking_tests import test


@test
def long_message():
    raise ValueError("{LONG}")


@test
def two_lines():
    raise ValueError("first line\\nsecond line")


@test
def passes():
    pass
'''
COLUMNS = 50


@fixture(scope="module")
def narrow() -> Ran:
    """A failing run at a terminal 50 columns wide, with --durations 3."""
    files = {"tests/__init__.py": "", "tests/run_all.py": RUN_ALL, "tests/test_f.py": FAILING}
    root = project(files)
    done = subprocess.run(
        [sys.executable, "-m", "tests.run_all", "--durations", "3"],
        cwd=root,
        env={**env(), "COLUMNS": str(COLUMNS)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


@test("section rules are spaced as pytest's and as wide as the terminal")
def spaced_rules(narrow: Ran) -> None:
    lines = narrow.stdout.splitlines()
    failures = [line for line in lines if "FAILURES" in line]
    slowest = [line for line in lines if "slowest" in line]
    assert len(failures) == 1 and re.fullmatch(r"={3,} FAILURES ={3,}", failures[0]), narrow
    assert len(slowest) == 1 and re.fullmatch(r"={3,} slowest 3 durations ={3,}", slowest[0]), narrow
    assert COLUMNS - 1 <= len(failures[0]) <= COLUMNS and len(slowest[0]) <= COLUMNS, narrow


def _block(ran: Ran, case_id: str) -> list[str]:
    """The lines of one failure: its `___ id ___` header, then up to the traceback."""
    lines = ran.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(rf"_{{3,}} {re.escape(case_id)} _{{3,}}", line))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Traceback"))
    return lines[start:end]


@test("a failure's header shows the case id; a message past the width follows whole on its "
      "own line, a message of two lines on two, never cut")
def uncut_messages(narrow: Ran) -> None:
    assert narrow.code == 1, narrow
    _, where, *message = _block(narrow, "tests.test_f::long_message")
    assert re.fullmatch(r"tests/test_f\.py:\d+: failed in run", where), narrow
    assert message == [f"ValueError: {LONG}"], narrow
    _, where, *message = _block(narrow, "tests.test_f::two_lines")
    assert re.fullmatch(r"tests/test_f\.py:\d+: failed in run", where), narrow
    assert message == ["ValueError: first line", "second line"], narrow
    assert not any(line.endswith("...") for line in narrow.stdout.splitlines()), narrow


if __name__ == "__main__":
    run_current_module()
