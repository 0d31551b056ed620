"""pytest parity: a tree gives the same cases, with the same outcomes, under the unittest
engine, the pytest engine and plain `pytest`.

`@test` cases declared in a loop or by a factory run everywhere; the pytest engine runs what
`pytest TARGET` runs, with the project's own pytest settings (`testpaths`, `collect_ignore`,
`filterwarnings = error`, folders without `__init__.py`) and never imports a file pytest
would not collect; a failing subtest fails its test; plain pytest measures the same
coverage as our engines; `--list` lists what the run would run.
"""

from __future__ import annotations

import re
from pathlib import Path

from test.pytest_compat._helpers import (
    Ran,
    junit_messages,
    junit_outcomes,
    project,
    pytest_counts,
    run,
    run_pytest,
)
from thinking_tests import fixture, run_current_module, test

LOOPS = """\
    from thinking_tests import test

    for n in range(3):
        @test(name=f"looped_{n}")
        def looped():
            pass


    def make(k):
        @test(name=f"made_{k}")
        def made():
            assert k != 2, "two is refused"

        return made


    make(1)
    make(2)


    @test
    def named_at_module_level():
        pass


    class Holder:  # not a class pytest collects: its case is the module's
        @test
        def held():
            pass
"""

LOOP_IDS = {
    "tests.test_loops::looped_0": "passed",
    "tests.test_loops::looped_1": "passed",
    "tests.test_loops::looped_2": "passed",
    "tests.test_loops::made_1": "passed",
    "tests.test_loops::made_2": "failure",
    "tests.test_loops::named_at_module_level": "passed",
    "tests.test_loops::held": "passed",
}


def engine(root: Path, backend: str, *args: str, report_dir: str | None = None) -> Ran:
    """`python -m thinking_tests ARGS --backend BACKEND`, its reports in `report_dir`."""
    where = ["--report-dir", report_dir] if report_dir else []
    return run("-m", "thinking_tests", *args, "--backend", backend, *where, cwd=root)


@fixture
def loops() -> Path:
    return project({"tests/__init__.py": "", "tests/test_loops.py": LOOPS})


@test("@test cases of a loop and a factory: the same cases and outcomes on both engines and plain pytest")
def loop_and_factory_cases(loops: Path) -> None:
    for backend in ("unittest", "pytest"):
        ran = engine(loops, backend, "tests", report_dir=backend)
        assert ran.code == 1 and ran.counts == (6, 1, 0), ran
        assert junit_outcomes(loops / backend / "junit.xml") == LOOP_IDS, backend
    plain = run_pytest("tests", "-p", "no:cacheprovider", cwd=loops)
    assert plain.code == 1 and pytest_counts(plain) == {"passed": 6, "failed": 1}, plain
    assert junit_outcomes(loops / "reports" / "junit.xml") == LOOP_IDS
    assert "two is refused" in junit_messages(loops / "reports" / "junit.xml")["tests.test_loops::made_2"]


SETTINGS = {
    "pyproject.toml": """\
        [tool.pytest.ini_options]
        filterwarnings = ["error"]
        testpaths = ["tests"]
    """,
    "tests/__init__.py": "",
    "tests/run_all.py": 'from thinking_tests import run_all\n\nif __name__ == "__main__":\n    run_all()\n',
    "tests/conftest.py": 'collect_ignore = ["test_ignored.py"]\n',
    "tests/test_ignored.py": "def test_never_collected():\n    assert False\n",
    # A file pytest does not collect (not test_*.py): importing it would leave a mark.
    "tests/typing_only.py": """\
        import pathlib

        pathlib.Path(__file__).with_name("imported.txt").write_text("imported")
        import a_module_that_is_not_installed
    """,
    "tests/test_both.py": """\
        from thinking_tests import test


        @test
        def declared():
            assert 1 + 1 == 2


        def test_plain():
            assert "a" in "abc"


        class TestGrouped:
            def test_method(self):
                pass
    """,
    "tests/nested/test_no_init.py": "def test_in_a_folder_without_init():\n    pass\n",
    "elsewhere/test_outside_testpaths.py": "def test_outside():\n    assert False\n",
}


@fixture
def settings() -> Path:
    return project(SETTINGS)


@test(
    "the pytest engine runs what pytest runs, by the project's own pytest settings",
    params=["no target", "a named directory", "run_all"],
)
def project_settings(how: str, settings: Path) -> None:
    named = ["tests"] if how == "a named directory" else []
    plain = run_pytest(*named, "-p", "no:cacheprovider", cwd=settings)
    assert plain.code == 0 and pytest_counts(plain) == {"passed": 4}, plain
    if how == "run_all":
        ran = run("-m", "tests.run_all", "--backend", "pytest", cwd=settings)
    else:
        ran = engine(settings, "pytest", *named)
    assert ran.code == 0 and ran.counts == (4, 0, 0), ran
    assert "internal error" not in ran.output, ran
    outcomes = junit_outcomes(settings / "reports" / "junit.xml")
    assert set(outcomes) == {
        "tests.test_both::declared",
        "tests.test_both::test_plain",
        "tests.test_both::TestGrouped::test_method",
        "test_no_init::test_in_a_folder_without_init",
    }, outcomes
    assert not (settings / "tests" / "imported.txt").exists(), "a file pytest never collects was imported"


def collected(ran: Ran) -> int:
    match = re.search(r"^(\d+) tests? collected", ran.stdout, re.MULTILINE)
    assert match, ran
    return int(match[1])


def selected(ran: Ran) -> list[str]:
    lines = ran.stdout.strip().splitlines()
    match = re.fullmatch(r"(\d+) cases? selected", lines[-1])
    assert match, ran
    assert int(match[1]) == len(lines) - 1, ran
    return lines[:-1]


@test("--list on the pytest engine lists every test pytest collects, and the run runs as many")
def listing(settings: Path) -> None:
    pytest_list = run_pytest("--collect-only", "-q", "-p", "no:cacheprovider", cwd=settings)
    listed = engine(settings, "pytest", "--list")
    assert listed.code == 0, listed
    ids = selected(listed)
    assert len(ids) == collected(pytest_list) == 4, (ids, pytest_list)
    assert "tests.test_both::TestGrouped::test_method" in ids
    ran = engine(settings, "pytest")
    assert sum(ran.counts) == len(ids), ran
    narrowed = engine(settings, "pytest", "--list", "-k", "plain")
    assert selected(narrowed) == ["tests.test_both::test_plain"], narrowed


SUBTESTS = """\
    import unittest


    class Numbers(unittest.TestCase):
        def test_even(self):
            for i in range(4):
                with self.subTest(i=i):
                    self.assertEqual(i % 2, 0)

        def test_all_fine(self):
            with self.subTest("fine"):
                pass


    def test_with_fixture(subtests):
        for n in (1, 2):
            with subtests.test(msg="check", n=n):
                assert n == 1
"""


@test("a failing subtest fails its test under the pytest engine, each named in the JUnit XML")
def subtests_fail() -> None:
    root = project({"tests/__init__.py": "", "tests/test_sub.py": SUBTESTS})
    ran = engine(root, "pytest", "tests")
    assert ran.code == 1 and ran.counts == (1, 2, 0), ran
    junit = root / "reports" / "junit.xml"
    assert junit_outcomes(junit) == {
        "tests.test_sub::Numbers::test_even": "failure",
        "tests.test_sub::Numbers::test_all_fine": "passed",
        "tests.test_sub::test_with_fixture": "failure",
    }
    messages = junit_messages(junit)
    even = messages["tests.test_sub::Numbers::test_even"]
    assert "2 subtests failed, first (i=1)" in even and "(i=3)" in even, even
    assert "(i=2)" not in even.split("\n")[0], even
    assert "[check] (n=2)" in messages["tests.test_sub::test_with_fixture"]
    plain = run_pytest("tests", "-p", "no:cacheprovider", cwd=root)
    assert plain.code == 1, plain
    assert junit_outcomes(junit)["tests.test_sub::Numbers::test_even"] == "failure"


COVERED = {
    "calc/__init__.py": """\
        RATE = 2


        def double(x):
            return x * RATE


        def half(x):
            return x / RATE
    """,
    "tests/__init__.py": "",
    "tests/conftest.py": "import calc\n",
    "tests/test_calc.py": """\
        import calc
        from thinking_tests import test


        @test
        def doubles():
            assert calc.double(2) == 4
    """,
}

_PERCENT = re.compile(r"coverage: (\d+(?:\.\d+)?)%")


def percent(ran: Ran) -> str:
    match = _PERCENT.search(ran.stdout)
    assert match, ran
    return match[1]


@test("plain pytest measures the code a conftest.py imports, as both engines do")
def coverage_from_the_start() -> None:
    root = project(COVERED, config='config.coverage.enabled = True\nconfig.coverage.source = ["calc"]\n')
    plain = run_pytest("tests", "-p", "no:cacheprovider", cwd=root)
    assert plain.code == 0, plain
    for backend in ("unittest", "pytest"):
        ran = engine(root, backend, "tests")
        assert ran.code == 0, ran
        assert percent(plain) == percent(ran) == "80.0", (plain, ran)


if __name__ == "__main__":
    run_current_module()
