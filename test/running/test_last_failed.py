"""--last-failed (--lf) and --failed-first (--ff): what failed in the last run, read from its
journal (no cache folder beside the reports). A file counts how often each case ran."""

from __future__ import annotations

from pathlib import Path

from test.running._helpers import outcomes, project, ran_ids, run, selections
from thinking_tests import run_current_module, test

CASES = '''
import os
from pathlib import Path

from thinking_tests import test


def ran(name):
    with open("RAN", "a") as counts:
        counts.write(name + "\\n")


@test
def first():
    ran("first")


@test
def flaky():
    ran("flaky")
    assert not os.path.exists("BROKEN"), "broken while BROKEN exists"


@test
def last():
    ran("last")
'''

ERRORS = '''
from thinking_tests import fixture, test


@fixture
def database():
    raise RuntimeError("no database")


@test
def needs_database(database):
    with open("RAN", "a") as counts:
        counts.write("needs_database\\n")
'''


def _ran(root: Path) -> list[str]:
    """The cases that ran since the file was last emptied, in order; it is emptied."""
    counts = root / "RAN"
    names = counts.read_text().split() if counts.exists() else []
    counts.unlink(missing_ok=True)
    return names


@test(
    "--lf runs only what failed or errored last time, and the reports say the run was partial",
    params=["unittest", "pytest"],
)
def last_failed(backend: str) -> None:
    root = project({"test/__init__.py": "", "test/test_a.py": CASES, "test/test_b.py": ERRORS}, html=True)
    (root / "BROKEN").touch()
    engine = ("--backend", backend)
    first = run("-m", "thinking_tests", "test", "-v", *engine, cwd=root)
    assert first.code == 1 and first.counts == (2, 2, 0), first
    assert _ran(root) == ["first", "flaky", "last"]
    again = run("-m", "thinking_tests", "test", "--lf", "-v", *engine, cwd=root)
    assert again.code == 1, again
    assert outcomes(again) == {"test.test_a::flaky": "FAILED", "test.test_b::needs_database": "ERROR"}, again
    assert _ran(root) == ["flaky"]  # needs_database's fixture fails before the body runs
    # The pytest engine's pytest deselects by itself: the reports say the filter, not a count.
    partial = "partial run: --last-failed" + ("; 2 deselected" if backend == "unittest" else "")
    assert selections(root) == {partial}, selections(root)
    # Fixed: it passes, and the next --lf finds only the error left.
    (root / "BROKEN").unlink()
    fixed = run("-m", "thinking_tests", "test", "--lf", "-v", *engine, cwd=root)
    assert outcomes(fixed) == {"test.test_a::flaky": "PASSED", "test.test_b::needs_database": "ERROR"}, fixed
    left = run("-m", "thinking_tests", "test", "--lf", "-v", *engine, cwd=root)
    assert outcomes(left) == {"test.test_b::needs_database": "ERROR"}, left


@test("--lf with nothing failed last time (or no last run) runs everything and says why")
def last_failed_with_nothing_failed() -> None:
    root = project({"test/__init__.py": "", "test/test_a.py": CASES})
    never = run("-m", "thinking_tests", "test", "--lf", cwd=root)
    assert never.code == 0 and never.counts == (3, 0, 0), never
    assert "thinking-tests: --last-failed: no journal of a last run; running all 3 cases" in never.stdout, never
    clean = run("-m", "thinking_tests", "test", "--lf", cwd=root)
    assert clean.code == 0 and clean.counts == (3, 0, 0), clean
    assert "--last-failed: no case of this selection failed in the last run; running all 3 cases" in clean.stdout
    assert _ran(root) == ["first", "flaky", "last"] * 2


@test("--ff runs what failed last time first, then the rest in their order", params=["unittest", "pytest"])
def failed_first(backend: str) -> None:
    root = project({"test/__init__.py": "", "test/test_a.py": CASES, "test/test_b.py": ERRORS})
    (root / "BROKEN").touch()
    run("-m", "thinking_tests", "test", "--backend", backend, cwd=root)
    _ran(root)
    ordered = run("-m", "thinking_tests", "test", "--ff", "-v", "--backend", backend, cwd=root)
    assert ran_ids(ordered) == [
        "test.test_a::flaky", "test.test_b::needs_database", "test.test_a::first", "test.test_a::last",
    ], ordered
    assert ordered.counts == (2, 2, 0), ordered


@test("--lf under the pytest engine with nothing failed last time runs every case and says why")
def last_failed_under_pytest_with_nothing_failed() -> None:
    root = project({"test/__init__.py": "", "test/test_a.py": CASES})
    ran = run("-m", "thinking_tests", "test", "--lf", "--backend", "pytest", cwd=root)
    assert ran.code == 0 and ran.counts == (3, 0, 0), ran
    assert "thinking-tests: --last-failed: no journal of a last run; running every case" in ran.stdout, ran


if __name__ == "__main__":
    run_current_module()
