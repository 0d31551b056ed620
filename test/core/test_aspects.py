"""Aspects: global (`config.aspects`), per block, per case; their order; what they observe."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, outcome, run_project
from thinking_tests import run_current_module, test

RECORDER = """\
    from contextlib import contextmanager

    from journal import note
    from thinking_tests import aspect


    def recorder(label):
        @aspect
        def record(stage, case):
            note(f"{label}> {stage} {case.name}")
            try:
                yield
            except BaseException as error:
                note(f"{label} saw {type(error).__name__}: {error} in {stage}")
                raise
            note(f"{label}< {stage}")

        return record


    class Counting:
        # An aspect needs no decorator: any object with around(stage, case) will do.
        def __init__(self):
            self.stages = 0

        @contextmanager
        def around(self, stage, case):
            self.stages += 1
            yield
            note(f"counting {case.name} {stage} {self.stages}")
"""

CONFIG = """\
    from recorder import recorder

    config.aspects.append(recorder("global1"))
    config.aspects.append(recorder("global2"))
"""

CASES = """\
    from journal import note
    from recorder import Counting, recorder
    from thinking_tests import aspect, test


    with aspect(recorder("block_outer")):
        with aspect(recorder("block_inner")):

            @test(aspects=[recorder("own1"), recorder("own2")])
            def layered():
                note("body")


    @test(aspects=[recorder("watch")])
    def fails_in_run():
        raise ValueError("bad value")


    def refuse():
        raise RuntimeError("no setup today")


    @test(aspects=[recorder("watch")], setup=refuse)
    def fails_in_setup():
        note("fails_in_setup body")


    def break_down():
        raise OSError("teardown broke")


    @test(aspects=[recorder("watch")], teardown=break_down)
    def fails_in_teardown():
        pass


    @aspect
    def forgiving(stage, case):
        # Like any context manager, an aspect may suppress what the stage raised.
        try:
            yield
        except AssertionError:
            note(f"forgave {case.name}")


    @test(aspects=[forgiving])
    def forgiven():
        assert False, "forgiven by its aspect"


    @test(aspects=[Counting()])
    def counted():
        pass
"""

ORDER = ["global1", "global2", "block_outer", "block_inner", "own1", "own2"]


def around(stage: str, case: str, labels: list[str], middle: list[str]) -> list[str]:
    """What nested recorders write around one stage: outermost first in, last out."""
    return (
        [f"{label}> {stage} {case}" for label in labels]
        + middle
        + [f"{label}< {stage}" for label in reversed(labels)]
    )


@functools.cache
def aspects() -> Finished:
    return run_project(
        {"recorder.py": RECORDER, "test/test_wrapped.py": CASES}, config=CONFIG
    )


def stretch(journal: list[str], case: str) -> list[str]:
    """The journal lines written while `case` ran: from its first entry to the next case's."""
    first = journal.index(f"global1> setup {case}")
    later = [i for i, line in enumerate(journal) if line.startswith("global1> setup ") and i > first]
    return journal[first : later[0] if later else len(journal)]


@test("global aspects outermost, then blocks from the outer one, then the case's own in order")
def order() -> None:
    finished = aspects()
    assert finished.ran.code == 1, finished.ran
    expected = (
        around("setup", "layered", ORDER, [])
        + around("run", "layered", ORDER, ["body"])
        + around("teardown", "layered", ORDER, [])
    )
    assert stretch(finished.journal(), "layered") == expected, finished.ran


@test(
    "an aspect observes the exception of a failing stage, which then passes on outward",
    params=[
        ("fails_in_run", "run", "ValueError: bad value", "failure"),
        ("fails_in_setup", "setup", "RuntimeError: no setup today", "error"),
        ("fails_in_teardown", "teardown", "OSError: teardown broke", "error"),
    ],
    ids=["run", "setup", "teardown"],
)
def observes(case: str, stage: str, error: str, junit: str) -> None:
    finished = aspects()
    journal = stretch(finished.journal(), case)
    seen = [line for line in journal if " saw " in line]
    # The innermost aspect sees it first; each one lets it pass on to the next outward.
    expected = [f"{label} saw {error} in {stage}" for label in ("watch", "global2", "global1")]
    assert seen == expected, journal
    assert outcome(finished.testcase(case)) == junit


@test("after a failed setup neither the run stage nor the body happens; teardown does")
def failed_setup_stages() -> None:
    journal = stretch(aspects().journal(), "fails_in_setup")
    assert not any(line.startswith("watch> run") for line in journal)
    assert "fails_in_setup body" not in journal
    assert "watch> teardown fails_in_setup" in journal


@test("an aspect may suppress the stage's exception: the case passes")
def suppressed() -> None:
    finished = aspects()
    assert finished.outcomes()["test.test_wrapped::forgiven"] == "PASSED", finished.ran
    assert "forgave forgiven" in finished.journal()


@test("any object with around(stage, case) is an aspect, kept across cases")
def object_aspect() -> None:
    journal = aspects().journal()
    counted = [line for line in journal if line.startswith("counting ")]
    assert counted == ["counting counted setup 1", "counting counted run 2", "counting counted teardown 3"]


@test("the counts of the run")
def counts() -> None:
    ran = aspects().ran
    # passed: layered, forgiven, counted; failed: the three failing stages
    assert ran.counts == (3, 3, 0), ran


if __name__ == "__main__":
    run_current_module()
