"""`current()`: the case and stage running now, wherever the code asking runs."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, run_project
from thinking_tests import run_current_module, test

NOW = """\
    from journal import note
    from thinking_tests import Stage, aspect, current, fixture, setup, teardown, test

    note(f"at import: {current()}")


    def where(label):
        now = current()
        note(f"{label}: {now.case.id} {now.stage}")


    @fixture
    def observed():
        where("fixture")
        yield
        where("fixture teardown")


    @aspect
    def asking(stage, case):
        now = current()
        note(f"aspect: {now.case is case} {now.stage is stage}")
        yield


    with setup(lambda: where("setup")), teardown(lambda: where("teardown")):

        @test("watched closely", tags=["t1"], params=[(7,)], ids=["seven"])
        def watched(value, observed):
            where("run")
            now = current()
            assert now.stage is Stage.RUN
            assert now.case.name == "watched[seven]" and now.case.module == "test.test_now"
            assert now.case.args == (7,) and now.case.tags == ("t1",)
            assert now.case.description == "watched closely"


    @test
    async def in_coroutine():
        where("async run")


    @test(aspects=[asking])
    def in_aspect():
        pass


    @test
    def plain():
        assert current().case.name == "plain" and current().stage is Stage.RUN
"""

CASE = "test.test_now::watched[seven]"


@functools.cache
def now() -> Finished:
    return run_project({"test/test_now.py": NOW})


@test("every case passes: current() answers inside each stage")
def all_pass() -> None:
    ran = now().ran
    assert ran.code == 0, ran
    assert ran.counts == (4, 0, 0), ran


@test("the case and stage, in fixtures, setups, the body, teardowns and a coroutine")
def stages() -> None:
    assert now().journal() == [
        "at import: None",
        f"fixture: {CASE} setup",
        f"setup: {CASE} setup",
        f"run: {CASE} run",
        f"teardown: {CASE} teardown",
        f"fixture teardown: {CASE} teardown",
        "async run: test.test_now::in_coroutine run",
        "aspect: True True",
        "aspect: True True",
        "aspect: True True",
    ], now().ran


if __name__ == "__main__":
    run_current_module()
