"""examples/engine, installed with pip as a third party would install it, runs a project's
tests through `python -m test.run_all`: chosen in __test__.py or with --backend, every
report written and read back, the results and exit codes right."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from test.engines._helpers import install_example, run_with
from test.running._helpers import junit_cases, module, package, project, ran_ids
from thinking_tests import fixture, run_current_module, test

FIRST = [f"test.test_first::{name}" for name in ("one", "two", "three")]
SECOND = [f"test.test_second::{name}" for name in ("four", "five")]

FILES = {
    **package("test"),
    "test/test_first.py": module("""
        from thinking_tests import fixture

        made = []

        @fixture(scope="module")
        def resource():
            made.append(1)
            yield len(made)

        @test
        def one(resource): assert resource == 1  # made once for the module, not per case

        @test
        def two(resource): assert resource == 1

        @test
        def three(): print("three ran")
    """),
    "test/test_second.py": module("""
        ran = []

        @test
        def four(): ran.append("four"); assert ran == ["five", "four"], ran

        @test
        def five(): ran.append("five")
    """),
}

FAILING = {
    **FILES,
    "test/test_third.py": module("""
        @test
        def fails(): assert 1 + 1 == 3, "arithmetic"

        @test
        def passes(): pass
    """),
}


@fixture(scope="module")
def site() -> Iterator[Path]:
    """examples/engine installed into a folder of its own."""
    path = install_example()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _reports(root: Path) -> tuple[list[tuple[str, str, str]], list[dict[str, object]]]:
    """The JUnit XML cases and the journal's records; the HTML report must be there too."""
    reports = root / "reports"
    html = (reports / "report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html"), html[:200]
    journal = [json.loads(line) for line in (reports / "journal.jsonl").read_text().splitlines()]
    return junit_cases(reports / "junit.xml"), journal


@test(
    "the example engine runs each module's cases backwards, chosen in __test__.py or with --backend",
    params=[("config.backend = 'reverse'\n", ()), ("", ("--backend", "reverse"))],
    ids=["__test__.py", "--backend"],
)
def runs_backwards(config: str, args: tuple[str, ...], site: Path) -> None:
    root = project(FILES, config=config, html=True)
    ran = run_with(site, "-m", "test.run_all", "-v", *args, cwd=root)
    assert ran.code == 0, ran
    assert ran.counts == (5, 0, 0), ran
    assert "(reverse engine" in ran.stdout.splitlines()[0], ran
    expected = [*reversed(FIRST), *reversed(SECOND)]
    assert ran_ids(ran) == expected, ran
    cases, journal = _reports(root)
    assert [f"{c}::{n}" for c, n, _ in cases] == expected, cases
    assert {outcome for _, _, outcome in cases} == {"passed"}, cases
    assert journal[0]["backend"] == "reverse", journal[0]
    finished = [r["id"] for r in journal if r.get("kind") == "case"]
    assert finished == expected, journal
    # The project's output capture applies: the print is in the report, not on the terminal.
    assert "three ran" in (root / "reports" / "junit.xml").read_text()
    assert "three ran" not in ran.stdout, ran


@test("under the example engine a failing case fails the run: exit 1, reports and summary say so")
def failing_case(site: Path) -> None:
    root = project(FAILING, config="config.backend = 'reverse'\n", html=True)
    ran = run_with(site, "-m", "test.run_all", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (6, 1, 0), ran
    cases, journal = _reports(root)
    assert ("test.test_third", "fails", "failure") in cases, cases
    assert len(cases) == 7, cases
    assert "arithmetic" in (root / "reports" / "junit.xml").read_text()
    assert "arithmetic" in (root / "reports" / "report.html").read_text()


@test("-x stops the example engine at the first failure, and says how many did not run")
def exitfirst(site: Path) -> None:
    root = project(FAILING, config="config.backend = 'reverse'\n")
    ran = run_with(site, "-m", "test.run_all", "-v", "-x", cwd=root)
    assert ran.code == 1, ran
    # test_third backwards: `passes`, then `fails`, and nothing after it.
    assert ran_ids(ran) == [*reversed(FIRST), *reversed(SECOND), "test.test_third::passes", "test.test_third::fails"], ran
    assert ran.counts == (6, 1, 0), ran


@test("a TestCase test, which the example engine does not run, is reported as an error, never dropped")
def testcase_reported(site: Path) -> None:
    files = {
        **package("test"),
        "test/test_old.py": module("""
            import unittest

            class Old(unittest.TestCase):
                def test_it(self): pass
        """),
    }
    root = project(files, config="config.backend = 'reverse'\n")
    ran = run_with(site, "-m", "test.run_all", "-v", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (0, 1, 0), ran
    assert "the reverse engine runs @test cases only" in ran.stdout, ran
    assert junit_cases(root / "reports" / "junit.xml") == [("test.test_old", "Old::test_it", "error")]


if __name__ == "__main__":
    run_current_module()
