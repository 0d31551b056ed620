"""`with setup(fn), teardown(fn):` and `with aspect(obj):` blocks, and `@test(setup=, teardown=)`."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, outcome, run_project
from thinking_tests import run_current_module, test

BLOCKS = """\
    from journal import note
    from thinking_tests import aspect, setup, teardown, test


    def noting(text):
        return lambda: note(text)


    with setup(noting("outer setup")), teardown(noting("outer teardown")):

        @test
        def in_outer():
            note("in_outer runs")

        with setup(noting("inner setup")), teardown(noting("inner teardown")):

            @test(setup=noting("own setup"), teardown=noting("own teardown"))
            def in_inner():
                note("in_inner runs")

            @test
            def fails_inside():
                note("fails_inside runs")
                assert False


    @test
    def outside():
        note("outside runs")


    def refuse():
        note("refusing setup")
        raise RuntimeError("no server")


    with setup(refuse), teardown(noting("teardown after a refused setup")):

        @test
        def never_runs():
            note("never_runs runs")


    @aspect
    def marked(stage, case):
        note(f"marked {stage} {case.name}")
        yield


    with aspect(marked):

        @test
        def marked_case():
            note("marked_case runs")


    @test
    def unmarked_case():
        note("unmarked_case runs")


    with teardown(noting("a teardown with no setup")):

        @test
        def torn_down():
            note("torn_down runs")


    @test(teardown=noting("its own teardown alone"))
    def own_teardown_alone():
        note("own_teardown_alone runs")
"""

EXPECTED = [
    "outer setup", "in_outer runs", "outer teardown",
    "outer setup", "inner setup", "own setup", "in_inner runs",
    "own teardown", "inner teardown", "outer teardown",
    "outer setup", "inner setup", "fails_inside runs", "inner teardown", "outer teardown",
    "outside runs",
    "refusing setup",
    "marked setup marked_case", "marked run marked_case", "marked_case runs",
    "marked teardown marked_case",
    "unmarked_case runs",
    "torn_down runs", "a teardown with no setup",
    "own_teardown_alone runs", "its own teardown alone",
]


@functools.cache
def blocks() -> Finished:
    return run_project({"test/test_blocks.py": BLOCKS})


@test("setups run outer block first, teardowns inner first, only for cases inside")
def order() -> None:
    finished = blocks()
    assert finished.journal() == EXPECTED, finished.ran


@test("the counts: a failing case and a refused setup")
def counts() -> None:
    ran = blocks().ran
    assert ran.code == 1, ran
    assert ran.counts == (7, 2, 0), ran


@test("a failing case still gets its block teardowns")
def teardown_after_failure() -> None:
    finished = blocks()
    assert outcome(finished.testcase("fails_inside")) == "failure"
    journal = finished.journal()
    start = journal.index("fails_inside runs")
    assert journal[start + 1 : start + 3] == ["inner teardown", "outer teardown"]


@test("a setup that raises is an error in setup; the body and the teardowns do not run")
def refused_setup() -> None:
    finished = blocks()
    error = finished.testcase("never_runs").find("error")
    assert error is not None, finished.ran
    assert error.get("message") == "error in setup: RuntimeError: no server"
    journal = finished.journal()
    assert "never_runs runs" not in journal
    assert "teardown after a refused setup" not in journal


@test("an aspect block wraps each stage of the cases inside it, and no others")
def aspect_block() -> None:
    journal = blocks().journal()
    marked = [line for line in journal if line.startswith("marked ")]
    assert marked == [
        "marked setup marked_case", "marked run marked_case", "marked teardown marked_case",
    ]


if __name__ == "__main__":
    run_current_module()
