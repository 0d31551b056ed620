"""Terminal output: the summary line last, its breakdown above it, and how failures are shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import (
    Ran,
    breakdown,
    failure_blocks,
    module,
    outcomes,
    package,
    project,
    run,
)
from thinking_tests import fixture, run_current_module, test


@fixture(scope="module")
def every_outcome() -> Iterator[Path]:
    yield project({
        **package("test"),
        "test/test_all.py": module(
            """
            from thinking_tests import fixture

            def add(a, b):
                return a + b

            @fixture
            def broken():
                raise OSError("no disk")

            @test
            def passes(): pass

            @test
            def fails():
                print("said before failing")
                assert add(1, 2) == 4

            @test
            def errors(broken): pass

            @test(skip="not here")
            def skips(): pass

            @test(xfail="bug 12")
            def xfails(): assert False

            @test(xfail="bug 13")
            def xpasses(): pass
            """
        ),
    })


@fixture(scope="module")
def every_outcome_run(every_outcome: Path) -> Iterator[Ran]:
    yield run("-m", "test.run_all", "-v", cwd=every_outcome)


@test("the last line is the summary: xpassed counts as passed, errors as failed, xfailed as skipped")
def summary_line(every_outcome_run: Ran) -> None:
    ran = every_outcome_run
    assert ran.code == 1, ran
    assert ran.last_line == "2 passed, 2 failed, 2 skipped", ran
    assert outcomes(ran) == {
        "test.test_all::passes": "PASSED",
        "test.test_all::fails": "FAILED",
        "test.test_all::errors": "ERROR",
        "test.test_all::skips": "SKIPPED",
        "test.test_all::xfails": "XFAILED",
        "test.test_all::xpasses": "XPASSED",
    }, ran


@test("the line above the summary breaks it down and gives the duration; the numbers add up")
def breakdown_line(every_outcome_run: Ran) -> None:
    ran = every_outcome_run
    shown = breakdown(ran)
    passed, failed, skipped = ran.counts
    assert shown.cases == passed + failed + skipped == len(outcomes(ran)) == 6, ran
    assert (shown.failures, shown.errors, shown.skips, shown.xfailed, shown.xpassed) == (1, 1, 1, 1, 1), ran
    assert failed == shown.failures + shown.errors and skipped == shown.skips + shown.xfailed, ran
    assert 0 <= shown.seconds < 30, ran


@test("-v gives the reason of a skip, an xfail, an xpass and an error in parentheses")
def verbose_reasons(every_outcome_run: Ran) -> None:
    lines = every_outcome_run.stdout.splitlines()
    assert any(line.startswith("test.test_all::skips SKIPPED (not here) [") for line in lines), lines
    assert any(line.startswith("test.test_all::xfails XFAILED (bug 12) [") for line in lines), lines
    assert any(line.startswith("test.test_all::xpasses XPASSED (") and "bug 13" in line for line in lines), lines
    assert any(line.startswith("test.test_all::errors ERROR (") and "OSError: no disk" in line
               for line in lines), lines


@test("a failure shows its traceback, the assert's values and the case's captured output")
def failure_details(every_outcome_run: Ran) -> None:
    ran = every_outcome_run
    blocks = failure_blocks(ran)
    assert list(blocks) == ["test.test_all::fails", "test.test_all::errors"], ran
    shown = "\n".join(blocks["test.test_all::fails"])
    assert "Traceback (most recent call last):" in shown, shown
    assert "assert add(1, 2) == 4" in shown, shown  # the source line
    assert "assert 3 == 4" in shown, shown  # the values
    assert "where 3 = add(1, 2)" in shown, shown
    assert "captured stdout" in shown and "said before failing" in shown, shown
    errored = "\n".join(blocks["test.test_all::errors"])
    assert "error in setup" in errored and "OSError: no disk" in errored, errored
    assert 'raise OSError("no disk")' in errored, errored


@test("without -v: one progress line per module, one letter per case")
def progress_letters(every_outcome: Path) -> None:
    ran = run("-m", "test.run_all", cwd=every_outcome)
    assert "test.test_all .FEsxX\n" in ran.stdout, ran
    assert ran.last_line == "2 passed, 2 failed, 2 skipped", ran
    assert "\x1b[" not in ran.output, ran  # NO_COLOR is set: no colour codes


LONG = "y" * 10_000


@test("a failure's header is the case id and one short line, whatever the parameter's size")
def short_failure_header() -> None:
    root = project({
        **package("test"),
        "test/test_long.py": module(
            """
            LONG = "y" * 10_000

            @test(params=[LONG])
            def by_length(s): assert len(s) < 10

            @test(params=[LONG])
            def by_value(s): assert s == "z"

            @test(params=[LONG])
            def by_message(s): assert not s, s

            @test(params=[LONG])
            def by_exception(s): raise ValueError(s)
            """
        ),
    })
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.counts == (0, 4, 0), ran
    blocks = failure_blocks(ran)
    assert sorted(blocks) == [f"test.test_long::{name}[0]"
                              for name in ("by_exception", "by_length", "by_message", "by_value")], ran
    for case_id, lines in blocks.items():
        title, where = lines[0], lines[1]
        assert title.strip("_ ") == case_id, title
        assert len(title) <= 120 and len(where) <= 120, (len(title), len(where), where)
        assert where.startswith("test/test_long.py:"), where
    assert "object at 0x" not in ran.stdout and "Adapter" not in ran.stdout, ran
    # The values stay available below the header, the whole message in the traceback.
    assert f"ValueError: {LONG}" in ran.stdout, "the full message is gone"


if __name__ == "__main__":
    run_current_module()
