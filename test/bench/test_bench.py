"""The benchmark: it runs as a real subprocess and prints every table, and each tool gets
the same work. Nothing here looks at timings."""

from __future__ import annotations

import importlib.util
import re
import shutil
import tempfile
from pathlib import Path

from test.support import REPO, Ran, run
from thinking_tests import run_current_module, test

TOOLS = ["tt-unittest", "tt-pytest", "pytest", "unittest", "bare-loop"]  # ward left out: optional
KINDS = ["trivial", "print", "params", "failing"]
STYLES = ["thinking", "pytest", "unittest", "ward", "bare"]
RATIO = re.compile(r"^(?:\d+\.\d\d×|—)$")


def _rows(stdout: str, title: str) -> list[list[str]]:
    """The rows of the table under `title`, split on runs of two or more spaces."""
    lines = stdout.splitlines()
    start = lines.index(title)
    assert lines[start + 1] == "" and set(lines[start + 3]) <= {"-", " "}, stdout
    rows: list[list[str]] = []
    for line in lines[start + 4:]:
        if not line.strip() or line.startswith("  "):
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


@test
def smoke_run_prints_every_tool_with_its_ratio() -> None:
    ran = run(
        "-m", "bench", "--sizes", "1,20", "--repeat", "1", "--kinds", "trivial,failing",
        "--tools", ",".join(TOOLS), "--coverage-size", "20", "--report-cases", "100",
        "--collect-size", "20",
        cwd=REPO, timeout=900,
    )
    assert ran.code == 0, ran
    header = next(line for line in ran.stdout.splitlines() if line.startswith("kind "))
    assert re.split(r"\s{2,}", header) == [
        "kind", "size", "tool", "wall s", "µs/case", "peak RSS MiB", "× tt-unittest"
    ], ran
    rows = _rows(ran.stdout, "Wall time, per case and peak RSS (medians)")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (kind, size, tool) for kind in ("trivial", "failing") for size in ("1", "20") for tool in TOOLS
    ], ran
    for row in rows:
        assert len(row) == 7 and RATIO.match(row[6]), row
        assert re.fullmatch(r"\d+\.\d{3}", row[3]) and re.fullmatch(r"\d+\.\d", row[5]), row
    assert all(r[6] == "1.00×" for r in rows if r[2] == "tt-unittest"), ran

    startup = _rows(ran.stdout, "Start-up: one trivial case (medians)")
    assert [r[0] for r in startup] == ["python -c pass", *TOOLS], ran
    assert all(RATIO.match(r[3]) for r in startup), ran
    collection = _rows(ran.stdout, "pytest collection alone: 20 trivial cases (medians)")
    assert [r[0] for r in collection] == ["@test cases", "plain functions"], ran
    assert collection[1][3] == "1.00×" and RATIO.match(collection[0][3]), collection
    coverage = _rows(ran.stdout, "Coverage: thinking-tests (unittest engine), 20 trivial cases (medians)")
    assert [r[0] for r in coverage] == ["off", "on, no contexts", "on"], ran
    assert re.search(r"^  contexts cost [+-]\d+\.\d % of the run with coverage on and no contexts$", ran.stdout, re.M), ran
    reports = _rows(ran.stdout, "Report writing alone: a run of 100 cases built in-process (median of 1)")
    assert [r[0] for r in reports] == ["JUnit XML", "HTML", "HTML, 1st of a process"], ran
    assert reports[0][5] == "—", reports  # only the HTML report is opened in a browser
    # Opened in Chromium when it is installed; said so when it is not.
    opened = re.fullmatch(r"\d+\.\d{3}", reports[1][5])
    assert opened or "no chromium on PATH" in ran.stdout, reports
    assert "did not do what was expected" not in ran.stdout, ran


def _listed(ran: Ran, pattern: str) -> int:
    assert ran.code == 0, ran
    match = re.search(pattern, ran.output, re.M)
    assert match, ran
    return int(match[1])


def _count(style: str, root: Path) -> int:
    """How many cases the tool of this style collects in its project, as the tool says."""
    if style == "thinking":
        return _listed(run("-m", "test.run_all", "--list", cwd=root), r"^(\d+) cases? selected$")
    if style == "pytest":
        ran = run("-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "test", cwd=root)
        return _listed(ran, r"^(\d+) tests? collected")
    if style == "unittest":
        code = "import unittest; print(unittest.defaultTestLoader.discover('.').countTestCases())"
        return _listed(run("-c", code, cwd=root), r"^(\d+)$")
    if style == "ward":
        ran = run("-m", "ward", "test", "--path", "test", "--dry-run", cwd=root)
        return _listed(ran, r"(\d+)\s+Tests Encountered")
    ran = run("run_bare.py", "--list", cwd=root)
    assert ran.code == 0, ran
    return len(ran.stdout.splitlines())


@test
def every_tool_gets_the_same_number_of_cases() -> None:
    # 250 cases: three modules, the last one partly filled, and a short parametrized group.
    work = Path(tempfile.mkdtemp(prefix="bench-generated-"))
    try:
        ran = run("-m", "bench", "--generate", str(work), "--sizes", "20,250", cwd=REPO)
        assert ran.code == 0, ran
        styles = [s for s in STYLES if s != "ward" or importlib.util.find_spec("ward")]
        for kind in KINDS:
            for size in (20, 250):
                counts = {style: _count(style, work / kind / str(size) / style) for style in styles}
                assert counts == {style: size for style in styles}, (kind, size, counts)
                package = work / kind / str(size) / "pytest" / "test"
                modules = sorted(p.name for p in package.glob("test_*.py"))
                assert len(modules) == -(-size // 100), modules
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run_current_module()
