"""This project's JUnit XML writer against junit-xml on the same 5,000 passing cases, each in a
fresh process, and what junit-xml makes of output holding a lone surrogate (a test's output
can hold one: ours writes it visibly as #xD800). Run `python -m bench.junit_writers`;
junit-xml is no dependency: `pip install junit-xml` to compare against it."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile

OURS = """
import time
from thinking_tests.model import CaseResult, Outcome, RunResult
t = time.perf_counter()
from thinking_tests.reports import junit_xml
imported = time.perf_counter() - t
cases = tuple(CaseResult(id=f"test.m{i // 100}::test_{i}", module=f"test.m{i // 100}", name=f"test_{i}",
              outcome=Outcome.PASSED, duration=0.000012) for i in range(5000))
t = time.perf_counter()
junit_xml.write(RunResult(cases, 0.0, 1.0), PATH)
print(imported, time.perf_counter() - t)
"""

THEIRS = """
import time
t = time.perf_counter()
from junit_xml import TestCase, TestSuite, to_xml_report_string
imported = time.perf_counter() - t
suites = {}
for i in range(5000):
    suites.setdefault(f"test.m{i // 100}", []).append(TestCase(f"test_{i}", f"test.m{i // 100}", 0.000012))
t = time.perf_counter()
text = to_xml_report_string([TestSuite(name, cases) for name, cases in suites.items()])
open(PATH, "w").write(text)
print(imported, time.perf_counter() - t)
"""

HOSTILE = """
from junit_xml import TestCase, TestSuite, to_xml_report_string
try:
    to_xml_report_string([TestSuite("s", [TestCase("a", "s", 1e-07, stdout="a lone surrogate \\ud800")])])
    print("written")
except Exception as error:
    print(f"raises {type(error).__name__}: {error}")
print(to_xml_report_string([TestSuite("s", [TestCase("a", "s", 1e-07)])]).splitlines()[1])
"""


def _median_ms(source: str, runs: int = 7) -> tuple[float, float] | None:
    """Median milliseconds of (importing the writer, writing the report)."""
    times: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        code = source.replace("PATH", repr(f"{folder}/junit.xml"))
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
            if done.returncode != 0:
                return None
            imported, wrote = done.stdout.split()
            times.append((float(imported) * 1000, float(wrote) * 1000))
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def main() -> None:
    ours = _median_ms(OURS)
    assert ours is not None
    print("5,000 passing cases, medians of 7 fresh processes:  import     write")
    print(f"  thinking-tests' JUnit XML writer                 {ours[0]:5.1f} ms  {ours[1]:6.1f} ms")
    theirs = _median_ms(THEIRS)
    if theirs is None:
        print("junit-xml is not installed here: `pip install junit-xml` to compare")
        return
    print(f"  junit-xml                                        {theirs[0]:5.1f} ms  {theirs[1]:6.1f} ms")
    hostile = subprocess.run([sys.executable, "-c", HOSTILE], capture_output=True, text=True, check=False)
    print("junit-xml on output holding a lone surrogate:", hostile.stdout.splitlines()[0] if hostile.stdout else hostile.stderr.strip()[-200:])
    if hostile.stdout:
        print("junit-xml's root element:", hostile.stdout.splitlines()[1].strip())


if __name__ == "__main__":
    main()
