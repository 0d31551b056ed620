"""`python -m thinking_tests [TARGET ...]`: targets by name or path, and every flag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import (
    files_below,
    listed,
    module,
    one_sentence,
    package,
    project,
    ran_ids,
    run,
)
from thinking_tests import fixture, run_current_module, test

TOP = ["test.test_top::top_one", "test.test_top::top_two"]
MID = ["test.sub.test_mid::mid_case"]
LOOSE = ["test_loose::loose_case"]


@fixture(scope="module")
def cli_tree() -> Iterator[Path]:
    yield project({
        **package("test", "test.sub"),
        "test/test_top.py": module(
            """
            @test(tags=["fast"])
            def top_one(): pass

            @test("adds numbers", tags=["slow"])
            def top_two(): pass
            """
        ),
        "test/sub/test_mid.py": module("@test(tags=['fast'])\ndef mid_case(): pass"),
        # A folder of loose test modules, not a package.
        "checks/test_loose.py": module("@test\ndef loose_case(): pass"),
        "checks/helper.py": "VALUE = 1\n",
        "README.txt": "not Python\n",
    })


@fixture(scope="module")
def failing_tree() -> Iterator[Path]:
    yield project({
        **package("test"),
        "test/test_f.py": module(
            """
            import time

            @test
            def first_fails(): assert 1 == 2

            @test
            def second_fails(): raise ValueError("no")

            @test
            def third_sleeps(): time.sleep(0.03)
            """
        ),
    })


@test(
    "targets: package and module names, file and directory paths, several at once",
    params=[
        (("test.sub",), MID),
        (("test.test_top",), TOP),
        (("test/test_top.py",), TOP),
        (("test/sub",), MID),
        (("test/sub/",), MID),
        (("test/sub/test_mid.py", "test.test_top"), MID + TOP),
        (("checks",), LOOSE),
        (("checks/test_loose.py",), LOOSE),
        ((".",), MID + TOP + LOOSE),  # as `pytest .`: folders below without __init__.py too
        ((), MID + TOP),
    ],
    ids=["package", "module", "file", "directory", "directory/", "two targets",
         "loose directory", "loose file", "root directory", "no target"],
)
def runs_targets(targets: tuple[str, ...], expected: list[str], cli_tree: Path) -> None:
    # --list resolves, imports and selects as a run does, without running: quicker.
    ran = run("-m", "thinking_tests", *targets, "--list", cwd=cli_tree)
    assert ran.code == 0, ran
    assert listed(ran) == expected, ran


@test("targets run for real: a package name and a file path together")
def runs_targets_for_real(cli_tree: Path) -> None:
    ran = run("-m", "thinking_tests", "test.sub", "checks/test_loose.py", "-v", cwd=cli_tree)
    assert ran.code == 0, ran
    assert ran_ids(ran) == MID + LOOSE, ran
    assert ran.counts == (2, 0, 0), ran


@test(
    "an unknown target stops the run with exit 4 and one sentence naming it",
    params=["nope.nothing", "test.sub.missing", "no/such/dir", "README.txt", "README.txt::top_one"],
)
def unknown_target(target: str, cli_tree: Path) -> None:
    ran = run("-m", "thinking_tests", target, cwd=cli_tree)
    assert ran.code == 4, ran
    assert target in one_sentence(ran), ran


@test("-t TAG selects cases with the tag; repeated, cases with any of them")
def tags(cli_tree: Path) -> None:
    fast = run("-m", "thinking_tests", "-t", "fast", "-v", cwd=cli_tree)
    assert fast.code == 0, fast
    assert ran_ids(fast) == MID + ["test.test_top::top_one"], fast
    both = run("-m", "thinking_tests", "-t", "fast", "--tag", "slow", "--list", cwd=cli_tree)
    assert both.code == 0, both
    assert listed(both) == MID + TOP, both
    none = run("-m", "thinking_tests", "-t", "nothing-has-this", cwd=cli_tree)
    assert none.code == 5, none
    assert none.counts == (0, 0, 0), none


@test("-x and --exitfirst stop at the first failure", params=["-x", "--exitfirst"])
def exitfirst(flag: str, failing_tree: Path) -> None:
    ran = run("-m", "thinking_tests", flag, "-v", cwd=failing_tree)
    assert ran.code == 1, ran
    assert ran_ids(ran) == ["test.test_f::first_fails"], ran  # of three, two failing
    assert ran.counts == (0, 1, 0), ran


@test("--list prints the selected ids in run order, runs nothing and writes no reports")
def list_only() -> None:
    root = project({
        **package("test"),
        "test/test_b.py": module("@test\ndef zed(): assert False\n\n@test\ndef abc(): pass"),
        "test/test_a.py": module("@test(params=[1, 2])\ndef p(n): pass"),
    })
    before = files_below(root)
    ran = run("-m", "thinking_tests", "--list", cwd=root)
    assert ran.code == 0, ran
    assert listed(ran) == ["test.test_a::p[0]", "test.test_a::p[1]", "test.test_b::zed", "test.test_b::abc"]
    assert files_below(root) == before, files_below(root) - before


@test("-v shows one line per case; without it one line of progress per module")
def verbose(cli_tree: Path) -> None:
    loud = run("-m", "thinking_tests", "test", "-v", cwd=cli_tree)
    assert ran_ids(loud) == MID + TOP, loud
    # The cases' lines (not the comparison with the tree's last run, which names ids too).
    lines = [line for line in loud.stdout.splitlines() if line.startswith("test.")]
    assert all(re.fullmatch(r"\S+ PASSED \[\d+ ms\]", line) for line in lines), loud
    plain = run("-m", "thinking_tests", "test", cwd=cli_tree)
    assert "test.sub.test_mid .\ntest.test_top ..\n" in plain.stdout, plain
    assert "::" not in plain.stdout, plain


@test("-q prints no progress, and still ends with the summary")
def quiet(cli_tree: Path) -> None:
    ran = run("-m", "thinking_tests", "test", "-q", cwd=cli_tree)
    assert ran.code == 0, ran
    assert "test.test_top" not in ran.stdout, ran
    assert ran.counts == (3, 0, 0), ran


@test("--durations N lists the N slowest cases, slowest first")
def durations(failing_tree: Path) -> None:
    ran = run("-m", "thinking_tests", "--durations", "2", cwd=failing_tree)
    assert ran.counts == (1, 2, 0), ran  # without -x all three run
    lines = ran.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "slowest 2 durations" in line)
    rows = lines[start + 1:start + 3]
    assert all(re.fullmatch(r"\s*\d+\.\d{3} s  test\.test_f::\w+", row) for row in rows), ran
    seconds = [float(row.split()[0]) for row in rows]
    assert seconds == sorted(seconds, reverse=True) and seconds[0] >= 0.03, ran
    assert not re.match(r"\s*\d+\.\d{3} s ", lines[start + 3]), ran  # only two


@test("--no-reports writes no report files; --report-dir DIR puts every report in DIR")
def report_flags() -> None:
    root = project({**package("test"), "test/test_a.py": module("@test\ndef a(): pass")}, html=True)
    before = files_below(root)
    none = run("-m", "thinking_tests", "--no-reports", cwd=root)
    assert none.code == 0, none
    assert "report:" not in none.stdout, none
    assert files_below(root) == before, files_below(root) - before
    elsewhere = run("-m", "thinking_tests", "--report-dir", "out/ci", cwd=root)
    assert elsewhere.code == 0, elsewhere
    assert "junit xml report: out/ci/junit.xml" in elsewhere.stdout, elsewhere
    assert (root / "out" / "ci" / "junit.xml").is_file()
    assert (root / "out" / "ci" / "report.html").is_file()
    assert not (root / "reports").exists()


@test("an unknown flag or a bad value is a usage error: exit 4, not argparse's 2",
      params=[(("--bogus",),), (("--durations", "abc"),), (("--backend", "nose"),)],
      ids=["unknown flag", "not a number", "unknown backend"])
def bad_flags(args: tuple[str, ...], cli_tree: Path) -> None:
    ran = run("-m", "thinking_tests", *args, cwd=cli_tree)
    assert ran.code == 4, ran
    assert args[-1] in one_sentence(ran), ran


@test("python -m test.run_all takes the same flags")
def run_all_takes_flags(cli_tree: Path) -> None:
    ran = run("-m", "test.run_all", "-t", "fast", "-k", "not sub", "--list", cwd=cli_tree)
    assert ran.code == 0, ran
    assert listed(ran) == ["test.test_top::top_one"], ran


if __name__ == "__main__":
    run_current_module()
