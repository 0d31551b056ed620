"""The tools compared: how each is started on its project, and how to read what it ran."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """What a run says it did."""

    ran: int
    failed: int


def _thinking(output: str) -> Tally | None:
    # The last line is the summary: "N passed, N failed, N skipped".
    lines = output.strip().splitlines()
    for line in reversed(lines):
        match = re.fullmatch(r"(?:\w+: )?(\d+) passed, (\d+) failed, (\d+) skipped", line.strip())
        if match:
            passed, failed, skipped = map(int, match.groups())
            return Tally(passed + failed + skipped, failed)
    return None


def _pytest(output: str) -> Tally | None:
    # "4950 passed, 50 failed in 3.21s" or "20 passed in 0.05s"
    for line in reversed(output.strip().splitlines()):
        if re.search(r"\bin [\d.]+s\b", line) and ("passed" in line or "failed" in line):
            counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", line)}
            failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
            return Tally(counts.get("passed", 0) + failed, failed)
    return None


def _collected(output: str) -> Tally | None:
    # `pytest --collect-only -q` ends with "5000 tests collected in 0.71s".
    match = re.search(r"^(\d+) tests? collected", output, re.M)
    return Tally(int(match[1]), 0) if match else None


def _unittest(output: str) -> Tally | None:
    ran = re.search(r"^Ran (\d+) tests? in", output, re.M)
    if not ran:
        return None
    failed = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", output))
    return Tally(int(ran[1]), failed)


def _ward(output: str) -> Tally | None:
    ran = re.search(r"(\d+)\s+Tests? Encountered", output)
    if not ran:
        return None
    failed = re.search(r"(\d+)\s+Failures?", output)
    return Tally(int(ran[1]), int(failed[1]) if failed else 0)


def _bare(output: str) -> Tally | None:
    match = re.search(r"^(\d+) passed, (\d+) failed$", output, re.M)
    return Tally(int(match[1]) + int(match[2]), int(match[2])) if match else None


@dataclass(frozen=True)
class Tool:
    key: str  # the name in tables and in --tools
    style: str  # which generated project it runs (see generate.STYLES)
    args: tuple[str, ...]  # after `python`, run in the project's root
    tally: Callable[[str], Tally | None] | None  # None: the count is not checked
    about: str
    module: str | None = None  # a module that must be importable for the tool to run

    def available(self) -> bool:
        return self.module is None or importlib.util.find_spec(self.module) is not None


BASELINE = "tt-unittest"  # ratios are to this tool

TOOLS: tuple[Tool, ...] = (
    Tool("tt-unittest", "thinking", ("-m", "test.run_all"), _thinking,
         "thinking-tests, unittest engine: python -m test.run_all (JUnit XML + HTML reports, coverage off)"),
    Tool("tt-pytest", "thinking", ("-m", "test.run_all", "--backend", "pytest"), _thinking,
         "thinking-tests, pytest engine: the same project with --backend pytest"),
    Tool("pytest", "pytest",
         ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=reports/junit.xml", "test"),
         _pytest, "python -m pytest -q -p no:cacheprovider --junitxml=reports/junit.xml test"),
    Tool("unittest", "unittest", ("-m", "unittest", "discover", "-q"), _unittest,
         "python -m unittest discover -q (TestCase classes, no reports)"),
    Tool("ward", "ward",
         ("-m", "ward", "test", "--path", "test", "--test-output-style", "dots-global",
          "--progress-style", "none"),
         _ward, "python -m ward test --path test, dots output (no reports)", module="ward"),
    Tool("bare-loop", "bare", ("run_bare.py",), _bare,
         "a script that imports each module and calls each function: the floor"),
)

TOOL_KEYS = tuple(t.key for t in TOOLS)


def expected_code(failing: int) -> int:
    """Every tool compared exits 1 when a case failed and 0 when none did."""
    return 1 if failing else 0


# pytest's collection alone, of @test cases (the plugin makes them items) and of plain
# functions: what thinking-tests adds to collecting the same number of cases.
_COLLECT = ("-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "test")
COLLECTORS: tuple[Tool, ...] = (
    Tool("@test cases", "thinking", _COLLECT, _collected,
         "python -m pytest --collect-only -q -p no:cacheprovider test, on the thinking-tests project"),
    Tool("plain functions", "pytest", _COLLECT, _collected,
         "the same on the pytest project (plain test_ functions)"),
)


# Cases that wait (the `wait` kind), serial against worker processes: what `-n 2` gains.
WAIT_BASE = "tt serial"
WAITERS: tuple[Tool, ...] = (
    Tool(WAIT_BASE, "thinking", ("-m", "test.run_all"), _thinking,
         "thinking-tests, unittest engine, in one process: python -m test.run_all"),
    Tool("tt -n 2", "thinking", ("-m", "test.run_all", "-n", "2"), _thinking,
         "thinking-tests, whole modules in 2 worker processes: python -m test.run_all -n 2"),
    Tool("pytest serial", "pytest",
         ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=reports/junit.xml", "test"),
         _pytest, "python -m pytest -q -p no:cacheprovider --junitxml=reports/junit.xml test"),
    Tool("pytest -n 2", "pytest",
         ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=reports/junit.xml", "-n", "2", "test"),
         _pytest, "the same with pytest-xdist's -n 2", module="xdist"),
)
