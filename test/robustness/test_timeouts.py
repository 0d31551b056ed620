"""A case past `@test(timeout=...)` or `config.timeout` is an error saying so, with the stack
where it hung, and the run goes on: in time.sleep, in a loop that swallows `Exception`, on a
lock, and inside a coroutine."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from test.robustness._helpers import (
    Ran,
    concurrently,
    inert,
    junit,
    kind,
    problem,
    project,
    run,
)
from thinking_tests import fixture, run_current_module, test

CONFIG = "config.timeout = 0.5  # for every case without its own\n"

# Each hanging case's line carries a marker, so the traceback can be checked for it; a
# passing case follows each, to show the run went on.
HANGS = '''
import asyncio
import threading
import time

from thinking_tests import test


@test(timeout=0.3)
def sleeps():
    time.sleep(30)  # HANGS-IN-SLEEP


@test
def after_sleeps():
    print("AFTER-SLEEPS")


@test(timeout=0.3)
def swallows():
    while True:
        try:
            time.sleep(0.01)  # HANGS-SWALLOWING
        except Exception:
            pass


@test
def after_swallows():
    print("AFTER-SWALLOWS")


@test(timeout=0.3)
def swallows_busy():
    while True:
        try:
            sum(range(1000))  # HANGS-BUSY
        except Exception:
            continue


@test(timeout=0.3)
def waits_on_a_lock():
    threading.Event().wait()  # HANGS-ON-LOCK


@test(timeout=0.3)
async def awaits():
    await asyncio.sleep(30)  # HANGS-AWAITING


@test
def after_awaits():
    print("AFTER-AWAITS")


async def helper():
    await asyncio.sleep(30)  # HANGS-IN-HELPER


@test(timeout=0.3)
async def awaits_a_helper():
    await helper()  # AWAITS-HELPER


@test(timeout=0.3)
async def blocks_in_a_coroutine():
    time.sleep(30)  # HANGS-BLOCKING-ASYNC


@test
def default_limit():
    time.sleep(30)  # HANGS-BY-DEFAULT


@test(timeout=5)
def own_limit_wins():
    time.sleep(0.7)  # longer than config.timeout, shorter than its own


@test
def last():
    print("LAST")
'''

# case -> (its limit in seconds, the markers its traceback must show)
HUNG = {
    "sleeps": (0.3, ["HANGS-IN-SLEEP"]),
    "swallows": (0.3, ["HANGS-SWALLOWING"]),
    "swallows_busy": (0.3, ["HANGS-BUSY"]),
    "waits_on_a_lock": (0.3, ["HANGS-ON-LOCK"]),
    "awaits": (0.3, ["HANGS-AWAITING"]),
    "awaits_a_helper": (0.3, ["AWAITS-HELPER", "HANGS-IN-HELPER"]),
    "blocks_in_a_coroutine": (0.3, ["HANGS-BLOCKING-ASYNC"]),
    "default_limit": (0.5, ["HANGS-BY-DEFAULT"]),
}
PASSING = ["after_sleeps", "after_swallows", "after_awaits", "own_limit_wins", "last"]


class Hung:
    def __init__(self, args: tuple[str, ...]) -> None:
        self.root = project({"test/test_hangs.py": HANGS}, config=CONFIG)
        self.ran = run(*args, cwd=self.root)
        self.cases = junit(self.root / "reports" / "junit.xml")

    def case(self, name: str) -> ET.Element:
        return self.cases[f"test.test_hangs::{name}"]


@fixture(scope="module")
def both() -> list[Hung]:
    # The runs mostly wait for their timeouts: both engines at once.
    return concurrently(
        lambda: Hung(("-m", "test.run_all", "-v")),
        lambda: Hung(("-m", "thinking_tests", "test", "--backend", "pytest")),
    )


@fixture(scope="module")
def hung(both: list[Hung]) -> Hung:
    return both[0]


@test("every hung case is an error, every other case still runs and passes")
def run_goes_on(hung: Hung) -> None:
    ran = hung.ran
    assert ran.code == 1, ran
    assert ran.counts == (len(PASSING), len(HUNG), 0), ran
    assert "Traceback" not in ran.stderr, ran
    assert {name: kind(hung.case(name)) for name in PASSING} == dict.fromkeys(PASSING, "passed")
    for name in ("after_sleeps", "after_swallows", "after_awaits", "last"):
        printed = name.upper().replace("_", "-") + "\n"
        assert hung.case(name).findtext("system-out") == printed, name
    inert((hung.root / "reports" / "report.html").read_text(encoding="utf-8"))


@test(
    "a case past its time is an error saying so, with the line where it hung",
    params=[(name, *HUNG[name]) for name in HUNG],
    ids=list(HUNG),
)
def timed_out(name: str, seconds: float, markers: list[str], hung: Hung) -> None:
    error = problem(hung.case(name))
    assert error.tag == "error", error.tag
    assert error.get("message") == f"case {name} timed out after {seconds:g} s", error.get("message")
    traceback = error.text or ""
    for marker in markers:
        assert marker in traceback, (marker, traceback)
    assert "timed out" in traceback.splitlines()[-1], traceback
    # The terminal says the same under the case's header, with the same stack.
    block = _block(hung.ran, name)
    assert f"error in run: case {name} timed out after {seconds:g} s" in block, block
    for marker in markers:
        assert marker in block, (marker, block)
    assert f"test.test_hangs::{name} ERROR (case {name} timed out" in hung.ran.stdout


@test("the stack of a hung coroutine ends where it waits, not in the event loop")
def coroutine_stack(hung: Hung) -> None:
    traceback = problem(hung.case("awaits_a_helper")).text or ""
    lines = [line.strip() for line in traceback.splitlines()]
    # The case's line, then its helper's, in calling order.
    helper = next(i for i, line in enumerate(lines) if "HANGS-IN-HELPER" in line)
    case = next(i for i, line in enumerate(lines) if "AWAITS-HELPER" in line)
    assert case < helper, traceback
    assert "selectors.py" not in traceback and "base_events.py" not in traceback, traceback


@test("the pytest engine keeps the timeouts, the stacks and the run going")
def under_pytest(both: list[Hung]) -> None:
    pytest_run = both[1]
    ran = pytest_run.ran
    assert ran.code == 1, ran
    assert ran.counts == (len(PASSING), len(HUNG), 0), ran
    for name, (seconds, markers) in HUNG.items():
        error = problem(pytest_run.case(name))
        assert error.tag == "error", (name, error.tag)
        assert f"timed out after {seconds:g} s" in (error.get("message") or ""), error.get("message")
        for marker in markers:
            assert marker in (error.text or ""), (name, marker, error.text)


def _block(ran: Ran, name: str) -> str:
    """The lines under a case's header in the FAILURES section."""
    text = ran.stdout
    start = text.index(f" test.test_hangs::{name} _")
    following = re.search(r"^_{3,} ", text[start + 1:], re.MULTILINE)
    return text[start: start + 1 + following.start()] if following else text[start:]


if __name__ == "__main__":
    run_current_module()
