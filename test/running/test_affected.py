"""--affected: only the cases that ran a file changed since the last measured run (by content),
plus new cases, those that failed last time and those coverage has no record of; every case,
and one line saying why, when in doubt. Real runs of a small project edited between them."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from test.running._helpers import one_sentence, project, ran_ids, run, selections
from test.support import REPO, remove_at_exit
from thinking_tests import run_current_module, test

CONFIG = """\
config.coverage.enabled = True
config.coverage.source = ["geo"]
config.coverage.xml = None
config.coverage.html = None
"""

FILES = {
    "geo/__init__.py": "",
    "geo/circle.py": "def area(r):\n    return 3 * r * r\n",
    "geo/square.py": "def area(s):\n    return s * s\n",
    "geo/extra.py": "UNUSED = 1\n",
    "conftest.py": "",
    "test/__init__.py": "",
    "test/test_circle.py": """\
        from thinking_tests import test
        from geo import circle

        @test
        def circle_small():
            assert circle.area(1) == 3

        @test
        def circle_big():
            assert circle.area(10) == 300
        """,
    "test/test_square.py": """\
        import os
        from thinking_tests import test
        from geo import square

        @test
        def square_one():
            assert square.area(1) == 1

        @test
        def broken():
            assert square.area(2) == 4
            assert not os.path.exists("BROKEN")
        """,
    "test/test_both.py": """\
        from thinking_tests import test
        from geo import circle, square

        @test
        def both():
            assert circle.area(1) + square.area(1) == 4
        """,
}
ALL = {
    "test.test_circle::circle_small", "test.test_circle::circle_big", "test.test_square::square_one",
    "test.test_square::broken", "test.test_both::both",
}
NEW_MODULE = """\
from thinking_tests import test
from geo import square

@test
def fresh():
    assert square.area(3) == 9
"""


def _measured_project() -> Path:
    """The project after one measured run in which `broken` failed."""
    root = project(FILES, CONFIG)
    (root / "BROKEN").touch()
    first = run("-m", "thinking_tests", "test", "-v", cwd=root)
    assert first.code == 1 and set(ran_ids(first)) == ALL, first
    (root / "BROKEN").unlink()
    return root


def _edit(path: Path) -> None:
    """A change of content only (mtime kept): --affected compares bytes, not timestamps."""
    stat = path.stat()
    path.write_text(path.read_text() + "# edited\n")
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@test(
    "one edited source file: exactly the cases that ran it run, with last run's failure and a new case",
    params=["unittest", "pytest"],
)
def edited_source(backend: str) -> None:
    root = _measured_project()
    _edit(root / "geo" / "circle.py")
    (root / "test" / "test_new.py").write_text(NEW_MODULE)
    expected = {"test.test_circle::circle_small", "test.test_circle::circle_big", "test.test_both::both",
                "test.test_square::broken", "test.test_new::fresh"}
    # --list names the cases --affected would run, on either engine, and runs none.
    listed = run("-m", "thinking_tests", "test", "--list", "--affected", "--backend", backend, cwd=root)
    assert {line for line in listed.stdout.splitlines() if "::" in line and " " not in line} == expected, listed
    again = run("-m", "thinking_tests", "test", "-v", "--affected", "--backend", backend, cwd=root)
    assert again.code == 0, again
    assert set(ran_ids(again)) == expected, again
    if backend == "unittest":
        line = "thinking-tests: --affected: 5 of 6 cases run (2 files changed since the run of "
        assert line in again.stdout and "); 1 left out\n" in again.stdout, again
    else:  # pytest collects for itself: the count of known cases left out
        assert "thinking-tests: --affected: 1 known case left out (2 files changed since the run of " in again.stdout, again
    assert any(s.startswith("partial run: --affected (2 files changed since the run of ") for s in selections(root)), selections(root)
    # Its record carries the left-out case on: the next run, after no change, runs nothing
    # more than it must (exit 5: no case selected, the last reports kept).
    quiet = run("-m", "thinking_tests", "test", "-v", "--affected", "--backend", backend, cwd=root)
    assert quiet.code == 5 and ran_ids(quiet) == [], quiet
    assert "--affected: " in quiet.stdout and ("0 of 6 cases run (no file changed" in quiet.stdout or backend == "pytest"), quiet


@test("an edited test module runs its own cases; -k narrows --affected further")
def edited_test_module() -> None:
    root = _measured_project()
    _edit(root / "test" / "test_circle.py")
    again = run("-m", "thinking_tests", "test", "-v", "--affected", cwd=root)
    assert set(ran_ids(again)) == {"test.test_circle::circle_small", "test.test_circle::circle_big",
                                   "test.test_square::broken"}, again
    _edit(root / "geo" / "square.py")
    narrowed = run("-m", "thinking_tests", "test", "-v", "--affected", "-k", "square_one or circle_big", cwd=root)
    assert set(ran_ids(narrowed)) == {"test.test_square::square_one"}, narrowed


@test("a case that failed runs under --affected until it passes, even after a run without it")
def failed_until_it_passes() -> None:
    root = project(FILES, CONFIG)
    (root / "BROKEN").touch()
    first = run("-m", "thinking_tests", "test", "-v", cwd=root)
    assert first.code == 1 and set(ran_ids(first)) == ALL, first
    other = run("-m", "thinking_tests", "test", "-v", "-k", "circle_small", cwd=root)  # its journal: one case
    assert ran_ids(other) == ["test.test_circle::circle_small"], other
    again = run("-m", "thinking_tests", "test", "-v", "--affected", cwd=root)
    assert ran_ids(again) == ["test.test_square::broken"], again
    (root / "BROKEN").unlink()
    passes = run("-m", "thinking_tests", "test", "-v", "--affected", cwd=root)
    assert passes.code == 0 and ran_ids(passes) == ["test.test_square::broken"], passes
    done = run("-m", "thinking_tests", "test", "-v", "--affected", cwd=root)
    assert done.code == 5 and ran_ids(done) == [], done  # nothing affected: no case selected


@test(
    "editing __test__.py, a conftest.py, a file no case ran, or deleting one runs every case, saying why",
    params=[
        ("__test__.py", "__test__.py changed since the run of "),
        ("conftest.py", "conftest.py changed since the run of "),
        ("geo/__init__.py", "geo/__init__.py changed and no case ran it since the run of "),
        ("test/helpers.py", "test/helpers.py is new since the run of "),
        ("geo/extra.py!", "geo/extra.py was deleted since the run of "),
    ],
    ids=["config", "conftest", "uncovered", "new-helper", "deleted"],
)
def runs_everything(path: str, why: str) -> None:
    root = _measured_project()
    if path.endswith("!"):
        (root / path[:-1]).unlink()
    elif (root / path).exists():
        _edit(root / path)
    else:
        (root / path).write_text("HELP = 1\n")
    again = run("-m", "thinking_tests", "test", "-v", "--affected", cwd=root)
    assert f"thinking-tests: --affected: {why}" in again.stdout and "; running every case\n" in again.stdout, again
    ran = set(ran_ids(again))
    assert ran == ALL, again


@test("without an earlier measured run, or with coverage off, --affected runs every case and says why")
def no_record() -> None:
    root = project(FILES, CONFIG)
    first = run("-m", "thinking_tests", "test", "-v", "--affected", cwd=root)
    assert set(ran_ids(first)) == ALL, first
    line = "thinking-tests: --affected: no record of an earlier run that measured coverage (reports/.coverage-affected.json); running every case"
    assert line in first.stdout, first
    off = run("-m", "thinking_tests", "test", "-v", "--affected", "--no-coverage", cwd=root)
    assert set(ran_ids(off)) == ALL, off
    assert "thinking-tests: --affected: coverage is off, so no run records which files each case ran; running every case" in off.stdout, off
    assert "--affected" in run("-m", "thinking_tests", "--help", cwd=root).stdout


@test("the calculator example: edit one module, and exactly the cases that executed it run", timeout=300)
def calculator() -> None:
    import coverage

    folder = remove_at_exit(Path(tempfile.mkdtemp(prefix="tt-affected-calculator-")))
    root = folder / "calculator"
    shutil.copytree(REPO / "examples" / "calculator", root, ignore=shutil.ignore_patterns("reports", "__pycache__"))
    first = run("-m", "test.run_all", "-v", cwd=root, timeout=240)
    assert first.code == 0, first
    every = set(ran_ids(first))
    # Which cases executed formatting.py, by the coverage data (its contexts), read by coverage.py.
    data = coverage.CoverageData(str(root / "reports" / ".coverage"))
    data.read()
    module = str(root / "calculator" / "formatting.py")
    executed = {context.rpartition("|")[0] for contexts in data.contexts_by_lineno(module).values()
                for context in contexts if context}
    recorded = {context.rpartition("|")[0] for context in data.measured_contexts() if context}
    unrecorded = every - recorded  # skipped cases: no coverage record, so they run
    assert executed and executed | unrecorded < every, (executed, unrecorded, every)
    _edit(root / "calculator" / "formatting.py")
    again = run("-m", "test.run_all", "-v", "--affected", cwd=root, timeout=240)
    assert again.code == 0, again
    assert set(ran_ids(again)) == executed | unrecorded, again
    assert f"--affected: {len(executed | unrecorded)} of {len(every)} cases run (1 file changed since the run of " in again.stdout, again


@test("a bad value of config.coverage.contexts is one sentence, exit 4")
def bad_setting() -> None:
    root = project(FILES, CONFIG + "config.coverage.contexts = 'yes'\n")
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 4, ran
    assert "config.coverage.contexts" in one_sentence(ran), ran


if __name__ == "__main__":
    run_current_module()
