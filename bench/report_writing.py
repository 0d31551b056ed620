"""Report writing alone: a RunResult built in-process, written by each report module; and the
first HTML report of a fresh process, which every run pays for (jinja2's import included)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.generate import CASES_PER_MODULE
from bench.measure import REPO

if TYPE_CHECKING:
    from thinking_tests.model import RunResult


@dataclass(frozen=True)
class ReportTiming:
    report: str
    cases: int
    median: float  # seconds
    size_mib: float  # of the written file
    opened: float | None = None  # seconds headless Chromium takes to load the page and run its script


def _import_from(source: Path) -> None:
    """Reports must come from the checkout (or its snapshot), not from an installed copy."""
    import sys

    sys.path.insert(0, str(source))
    import thinking_tests

    found = Path(thinking_tests.__file__).resolve()
    if source.resolve() not in found.parents:
        raise RuntimeError(f"thinking_tests is imported from {found.parent}, not from {source}")


def build_run(cases: int) -> RunResult:
    """A run of `cases` cases: each printed a line and logged one, 1 % failed with a traceback."""
    from thinking_tests.model import (
        CaseResult,
        ExceptionInfo,
        Outcome,
        Stage,
        StageResult,
    )
    from thinking_tests.model import RunResult as Run

    start = time.time()
    results: list[CaseResult] = []
    for i in range(cases):
        module = f"test.test_m{i // CASES_PER_MODULE:04d}"
        file = f"test/test_m{i // CASES_PER_MODULE:04d}.py"
        failed = i % CASES_PER_MODULE == 0
        info = None
        if failed:
            info = ExceptionInfo(
                "AssertionError",
                f"assert {i} + 1 == {i}",
                "Traceback (most recent call last):\n"
                f'  File "{file}", line {4 * (i % CASES_PER_MODULE) + 5}, in test_{i:05d}\n'
                f"    assert {i} + 1 == {i}\nAssertionError\n",
                f"assert {i + 1} == {i}",
            )
        stages = (
            StageResult(Stage.SETUP, True, 0.00001),
            StageResult(Stage.RUN, not failed, 0.00002, info),
            StageResult(Stage.TEARDOWN, True, 0.00001),
        )
        results.append(
            CaseResult(
                id=f"{module}::test_{i:05d}",
                module=module,
                name=f"test_{i:05d}",
                outcome=Outcome.FAILED if failed else Outcome.PASSED,
                duration=0.00004,
                file=file,
                line=4 * (i % CASES_PER_MODULE) + 4,
                stages=stages,
                stdout=f"case {i} prints a line\n",
                log=f"WARNING test.test_m{i // CASES_PER_MODULE:04d}: case {i} logs a line\n",
                message=f"AssertionError: assert {i} + 1 == {i}" if failed else "",
                start=start,
            )
        )
    return Run(cases=tuple(results), start=start, duration=1.0, command=("bench",))


def time_reports(cases: int, repeat: int, source: Path = REPO) -> list[ReportTiming]:
    """Median seconds of each report's write(), the reports alternated like the tools."""
    _import_from(source)
    from thinking_tests.reports import html, junit_xml

    writers: dict[str, tuple[Callable[..., None], str]] = {
        "JUnit XML": (junit_xml.write, "junit.xml"),
        "HTML": (html.write, "report.html"),
    }
    run = build_run(cases)
    times: dict[str, list[float]] = {name: [] for name in writers}
    sizes: dict[str, float] = {}
    opened: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as directory:
        for _ in range(repeat + 1):  # the first round warms imports and templates
            for name, (write, file) in writers.items():
                path = Path(directory) / file
                began = time.perf_counter()
                write(run, path)
                times[name].append(time.perf_counter() - began)
                sizes[name] = path.stat().st_size / (1024 * 1024)
        browser = chromium()
        if browser is not None:
            opened["HTML"] = time_opening(browser, Path(directory) / "report.html", repeat)
    timings = [
        ReportTiming(name, cases, statistics.median(values[1:]), sizes[name], opened.get(name))
        for name, values in times.items()
    ]
    return [*timings, time_first_html_write(repeat, source)]


# The first HTML report of a process, as a run writes it: the run's own modules imported, then
# one case written; what the report adds to every run (jinja2's import and the compiled
# template's load included).
FIRST_WRITE = """
import sys, time
from pathlib import Path
import unittest, logging
import thinking_tests.session, thinking_tests.engines.unittest_engine
from thinking_tests.model import CaseResult, Outcome, RunResult
from thinking_tests.reports import html
now = time.time()
case = CaseResult(id="test.m::a", module="test.m", name="a", outcome=Outcome.PASSED, duration=1e-5, start=now)
path = Path(sys.argv[1]) / "report.html"
began = time.perf_counter()
html.write(RunResult(cases=(case,), start=now, duration=0.01, command=("bench",)), path)
print(time.perf_counter() - began, path.stat().st_size)
"""


def time_first_html_write(repeat: int, source: Path = REPO) -> ReportTiming:
    """Median seconds of the first html.write of a fresh process, for a run of one case; the
    first process (not counted) fills the user's template cache, as a first run does."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(source)}
    times: list[float] = []
    size = 0
    with tempfile.TemporaryDirectory(prefix="bench-first-") as directory:
        for _ in range(repeat + 1):
            done = subprocess.run([sys.executable, "-c", FIRST_WRITE, directory], capture_output=True,
                                  text=True, env=env, cwd=source, timeout=120, check=True)
            seconds, written = done.stdout.split()
            times.append(float(seconds))
            size = int(written)
    return ReportTiming("HTML, 1st of a process", 1, statistics.median(times[1:]), size / (1024 * 1024))


def chromium() -> str | None:
    """A headless-capable Chromium on PATH, if there is one."""
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def time_opening(browser: str, page: Path, repeat: int) -> float:
    """Median seconds of a headless Chromium that loads `page`, runs its script and prints the
    resulting DOM (`--dump-dom` waits for the load event): the whole browser process, start-up
    included, as a user opening the report would wait for it."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="bench-chromium-") as profile:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri(),
        ]
        times: list[float] = []
        for _ in range(repeat + 1):  # the first start fills the profile
            began = time.perf_counter()
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)
            times.append(time.perf_counter() - began)
            if done.returncode != 0 or b'id="list"' not in done.stdout:
                raise RuntimeError(f"chromium could not open {page}: exit {done.returncode}")
    return statistics.median(times[1:])
