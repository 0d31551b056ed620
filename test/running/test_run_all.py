"""The run_all convention: each run_all.py runs its own package and everything below it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import RUN_ALL, module, package, project, ran_ids, run
from thinking_tests import fixture, run_current_module, test

TOP = ["test.test_top::top_one", "test.test_top::top_two"]
MID = ["test.sub.test_mid::mid_case"]
PKG = ["test.sub.test_pkg::pkg_case"]
DEEP = ["test.sub.deep.test_deep::deep_case"]
SUB = DEEP + MID + PKG  # modules run in name order: test.sub.deep.* sorts first
OTHERS = ["checks.test_check::check_case", "tests.test_other::other_case"]


@fixture(scope="module")
def tree() -> Iterator[Path]:
    yield project({
        **package("test", "test.sub", "test.sub.deep", "tests", "checks"),
        "run_all.py": RUN_ALL,
        "test/test_top.py": module("@test\ndef top_one(): pass\n\n@test\ndef top_two(): pass"),
        "test/sub/test_mid.py": module("@test\ndef mid_case(): pass"),
        # A module ending in run_current_package(): `python -m` on it runs its whole package.
        "test/sub/test_pkg.py": module("@test\ndef pkg_case(): pass", tail="run_current_package"),
        "test/sub/deep/test_deep.py": module("@test\ndef deep_case(): pass"),
        "tests/test_other.py": module("@test\ndef other_case(): pass"),
        "checks/test_check.py": module("@test\ndef check_case(): pass"),
        # A plain package, neither named test/tests nor holding a run_all.py: not a test package.
        "notatest/__init__.py": "",
        "notatest/test_never.py": module("@test\ndef never_case(): pass"),
    })


@test(
    "each run_all.py runs its package and everything below it, nothing else",
    params=[
        (("-m", "test.run_all"), DEEP + MID + PKG + TOP),
        (("-m", "test.sub.run_all"), SUB),
        (("-m", "test.sub.deep.run_all"), DEEP),
        (("-m", "tests.run_all"), ["tests.test_other::other_case"]),
    ],
    ids=["test", "test.sub", "test.sub.deep", "tests"],
)
def run_all_runs_its_subtree(args: tuple[str, ...], expected: list[str], tree: Path) -> None:
    ran = run(*args, "-v", cwd=tree)
    assert ran.code == 0, ran
    assert ran_ids(ran) == expected, ran
    assert ran.counts == (len(expected), 0, 0), ran


@test("run_current_package() runs the whole subtree, grandchildren included")
def run_current_package_runs_the_subtree(tree: Path) -> None:
    ran = run("-m", "test.sub.test_pkg", "-v", cwd=tree)
    assert ran.code == 0, ran
    assert ran_ids(ran) == SUB, ran
    assert ran.counts == (3, 0, 0), ran


@test("a run_all.py at the repository root runs every test package there")
def root_run_all_runs_every_test_package(tree: Path) -> None:
    ran = run("run_all.py", "-v", cwd=tree)
    assert ran.code == 0, ran
    assert ran_ids(ran) == ["checks.test_check::check_case", *SUB, *TOP, "tests.test_other::other_case"], ran
    assert "never_case" not in ran.stdout, ran
    assert ran.counts == (7, 0, 0), ran


@test("run_all() takes the command line's flags, not targets")
def run_all_refuses_targets(tree: Path) -> None:
    ran = run("-m", "test.run_all", "test.sub", cwd=tree)
    assert ran.code == 4, ran
    assert "run_all()" in ran.stderr and "python -m thinking_tests" in ran.stderr, ran
    assert "Traceback" not in ran.output, ran


@test("a failing case anywhere below makes run_all exit 1, and the rest still runs")
def run_all_reports_failures_below() -> None:
    root = project({
        **package("test", "test.sub"),
        "test/test_a.py": module("@test\ndef fine(): pass"),
        "test/sub/test_b.py": module("@test\ndef broken(): assert 1 == 2\n\n@test\ndef after(): pass"),
    })
    ran = run("-m", "test.run_all", "-v", cwd=root)
    assert ran.code == 1, ran
    assert ran_ids(ran) == ["test.sub.test_b::broken", "test.sub.test_b::after", "test.test_a::fine"], ran
    assert ran.counts == (2, 1, 0), ran


if __name__ == "__main__":
    run_current_module()
