"""`async def` cases on a fresh event loop each; timeouts that are errors while the run goes on."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, outcome, run_project
from thinking_tests import run_current_module, test

CONFIG = """\
    config.timeout = 0.4  # for every case without its own timeout
"""

SLOW = """\
    import asyncio
    import time

    from journal import note
    from thinking_tests import fixture, test

    LOOPS = []


    @fixture
    def answer():
        return 42


    @fixture
    def tracked():
        yield
        note("tracked torn down")


    @test
    async def first_loop():
        LOOPS.append(asyncio.get_running_loop())
        await asyncio.sleep(0)


    @test
    async def second_loop(answer):
        loop = asyncio.get_running_loop()
        assert loop is not LOOPS[0] and LOOPS[0].is_closed()
        assert answer == 42


    @test
    async def async_fails():
        await asyncio.sleep(0)
        raise ValueError("async boom")


    @test(timeout=0.3)
    def sleeps(tracked):
        time.sleep(30)
        note("sleeps woke up")


    @test(timeout=0.3)
    def swallows():
        # Catching Exception must not outlast the timeout.
        while True:
            try:
                sum(range(100))
            except Exception:
                pass


    @test(timeout=0.3)
    async def awaits_forever():
        await asyncio.sleep(30)
        note("awaits_forever woke up")


    @test
    def global_limit():
        time.sleep(30)
        note("global_limit woke up")


    @test(timeout=5)
    def own_limit_wins():
        time.sleep(0.5)  # longer than config.timeout, shorter than its own


    @test
    def runs_after():
        note("runs_after ran")
"""


@functools.cache
def slow() -> Finished:
    return run_project({"test/test_slow.py": SLOW}, config=CONFIG)


@test("timeouts are errors and the run goes on to the end, long before the sleeps would")
def run_goes_on() -> None:
    finished = slow()
    ran = finished.ran
    assert ran.code == 1, ran
    # passed: first_loop, second_loop, own_limit_wins, runs_after
    assert ran.counts == (4, 5, 0), ran
    assert "runs_after ran" in finished.journal()
    # Each timed-out case was stopped inside its 30 s sleep: none of them got past it.
    woke = [line for line in finished.journal() if line.endswith("woke up")]
    assert not woke, woke


@test(
    "a case past its timeout is an error saying it timed out",
    params=[("sleeps", 0.3), ("swallows", 0.3), ("awaits_forever", 0.3), ("global_limit", 0.4)],
)
def timed_out(name: str, seconds: float) -> None:
    finished = slow()
    error = finished.testcase(name).find("error")
    assert error is not None, finished.ran
    assert error.get("message") == f"case {name} timed out after {seconds:g} s", error.get("message")
    assert finished.outcomes()[f"test.test_slow::{name}"] == "ERROR"


@test("a timed-out case still has its fixtures torn down")
def teardown_after_timeout() -> None:
    assert "tracked torn down" in slow().journal()


@test("each coroutine case runs on a fresh event loop, with fixtures")
def fresh_loops() -> None:
    outcomes = slow().outcomes()
    assert outcomes["test.test_slow::first_loop"] == "PASSED", slow().ran
    assert outcomes["test.test_slow::second_loop"] == "PASSED", slow().ran


@test("a failing coroutine is a failure, with its exception")
def async_failure() -> None:
    failure = slow().testcase("async_fails").find("failure")
    assert failure is not None
    assert failure.get("message") == "ValueError: async boom"
    assert outcome(slow().testcase("own_limit_wins")) == "passed"


if __name__ == "__main__":
    run_current_module()
