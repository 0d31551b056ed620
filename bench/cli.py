"""`python -m bench`: generate the same work for every tool, run the tools alternated, print tables."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.generate import EXTRA_KINDS, KIND_HELP, KINDS, declared_cases, failing_cases, generate
from bench.measure import REPO, Launcher, Run, child_env, snapshot
from bench.table import Table, mib, ratio, seconds
from bench.tools import (
    BASELINE,
    COLLECTORS,
    TOOL_KEYS,
    TOOLS,
    WAIT_BASE,
    WAITERS,
    Tally,
    Tool,
    expected_code,
)

DESCRIPTION = """\
Benchmark thinking-tests against pytest, unittest, ward and a bare loop on the same work.

For every work kind and size, one project per test style is generated into a temporary
directory: thinking-tests (@test functions, test/run_all.py, a __test__.py with coverage off
and the default JUnit XML + HTML reports on), pytest (plain test_ functions,
@pytest.mark.parametrize), unittest (TestCase classes with the same bodies), ward (if it is
importable) and a bare loop (a script that imports each module and calls each function).
Cases are spread over modules of 100 cases each.

Each tool runs once to warm up (bytecode caches, pytest's rewritten asserts), then the tools
run alternated, A B C A B C ..., --repeat times, so drift hits all of them alike. Every run is
a subprocess of this interpreter with this checkout first on PYTHONPATH; its wall time is
measured around it and its own peak RSS comes from os.wait4. A run whose exit code or count
of cases is not what its kind expects is reported, and that tool is not timed further there.

Printed: a table per kind and size (median wall time, microseconds per case, median peak RSS,
ratio to thinking-tests on its unittest engine), start-up with one case, pytest's collection
of @test cases against plain functions, coverage on (a context per case, and none) against
off for thinking-tests, and report writing alone (JUnit XML and HTML of a run built
in-process, and the time headless Chromium takes to open the HTML report when a `chromium`
is on PATH). The exit code is 0 when every run did what was expected, 1 otherwise.
"""

EPILOG = "work kinds:\n" + "".join(f"  {k:<8} {v}\n" for k, v in KIND_HELP.items()) + (
    "\ntools:\n" + "".join(f"  {t.key:<11} {t.about}\n" for t in TOOLS)
    + "\nexamples:\n"
    "  python -m bench                                   sizes 1,1000,5000, every kind, 5 runs\n"
    "  python -m bench --sizes 1,1000,5000,20000 --kinds trivial --markdown bench.md\n"
    "  python -m bench --generate work --sizes 5000 --kinds trivial   (for profiling)\n"
)


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be positive integers")
    return values


def _choices(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        values = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [v for v in values if v not in allowed]
        if unknown or not values:
            raise argparse.ArgumentTypeError(
                f"{', '.join(unknown) or text!r}: choose from {', '.join(allowed)}"
            )
        return values

    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--sizes", type=_int_list, default=[1, 1000, 5000], metavar="N,N,...",
                   help="numbers of cases per project (default: 1,1000,5000; the full set is "
                   "1,1000,5000,20000); with 1 among them, µs/case leaves out start-up")
    p.add_argument("--repeat", type=int, default=5, metavar="K",
                   help="measured runs per tool, after one warm-up run; medians are reported (default: 5)")
    p.add_argument("--kinds", type=_choices(KINDS + EXTRA_KINDS), default=list(KINDS), metavar="KIND,...",
                   help=f"work kinds (default: {','.join(KINDS)}; also {','.join(EXTRA_KINDS)}, "
                   "measured by its own comparison)")
    p.add_argument("--wait-cases", type=int, default=400, metavar="N",
                   help="cases of the wait kind, half sleeping and half computing (default: 400)")
    p.add_argument("--tools", type=_choices(TOOL_KEYS), default=list(TOOL_KEYS), metavar="TOOL,...",
                   help=f"tools to compare (default: all of {','.join(TOOL_KEYS)}; ward only if importable)")
    p.add_argument("--collect-size", type=int, default=5000, metavar="N",
                   help="cases of the pytest collection comparison, @test cases against plain "
                   "functions (default: 5000; 0 skips it)")
    p.add_argument("--coverage-size", type=int, default=5000, metavar="N",
                   help="cases of the coverage on/off comparison (default: 5000; 0 skips it)")
    p.add_argument("--report-cases", type=int, default=20000, metavar="N",
                   help="cases of the in-process report-writing timing (default: 20000; 0 skips it)")
    p.add_argument("--markdown", type=Path, metavar="PATH",
                   help="also write the tables as Markdown to PATH")
    p.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                   help="kill a child run after this long; it is then reported (default: 900)")
    p.add_argument("--generate", type=Path, metavar="DIR",
                   help="only write the projects of --kinds and --sizes into DIR/KIND/SIZE/STYLE, "
                   "run nothing")
    p.add_argument("--keep", action="store_true", help="keep the generated projects and say where")
    return p


@dataclass
class Cell:
    """One tool on one project: its measured runs, or what went wrong."""

    tool: str
    runs: list[Run] = field(default_factory=list)
    error: str | None = None

    @property
    def wall(self) -> float | None:
        return statistics.median(r.wall for r in self.runs) if self.runs and not self.error else None

    @property
    def rss(self) -> float | None:
        return statistics.median(r.rss_mib for r in self.runs) if self.runs and not self.error else None


@dataclass(frozen=True)
class Expect:
    cases: int
    failing: int
    marker: str = ""  # a line of the output must start with it


    def problem(self, tool: Tool, run: Run) -> str | None:
        """Why this run is not what its kind expects, or None."""
        code = expected_code(self.failing)
        if run.code != code:
            return f"exit code {run.code}, expected {code}"
        if self.marker and not any(line.startswith(self.marker) for line in run.output.splitlines()):
            return f"its output has no line starting with {self.marker!r}"
        if tool.tally is None:
            return None
        tally = tool.tally(run.output)
        if tally is None:
            return "its output does not say how many cases ran"
        if tally != Tally(self.cases, self.failing):
            return (f"ran {tally.ran} cases with {tally.failed} failing, "
                    f"expected {self.cases} with {self.failing} failing")
        return None


# The interpreter alone: the floor of every start-up.
INTERPRETER = Tool("python -c pass", "bare", ("-c", "pass"), None, "the interpreter starting and exiting")


@dataclass(frozen=True)
class Entry:
    """A row to measure: a tool on a project."""

    name: str
    tool: Tool
    root: Path
    expect: Expect


class Bench:
    """Generates the projects, measures the tools on them, and keeps what went wrong."""

    def __init__(self, args: argparse.Namespace, tools: list[Tool], work: Path, launcher: Launcher) -> None:
        self.args = args
        self.tools = tools
        self.work = work
        self.launcher = launcher
        self.problems: list[str] = []

    def project(self, style: str, kind: str, size: int, coverage: bool = False, contexts: bool = True) -> Path:
        suffix = ("-coverage" if contexts else "-coverage-no-contexts") if coverage else ""
        root = self.work / kind / str(size) / f"{style}{suffix}"
        if not root.exists():
            generate(root, style, kind, size, coverage=coverage, contexts=contexts)
        return root

    def measure(self, label: str, entries: list[Entry]) -> dict[str, Cell]:
        """Warm every entry up once, then run them alternated --repeat times."""
        cells = {entry.name: Cell(entry.name) for entry in entries}
        for round_ in range(self.args.repeat + 1):
            for entry in entries:
                cell = cells[entry.name]
                if cell.error:
                    continue
                run = self.launcher.run(list(entry.tool.args), entry.root, self.args.timeout)
                problem = entry.expect.problem(entry.tool, run)
                if problem:
                    cell.error = problem
                    tail = run.output.rstrip().splitlines()[-15:]
                    self.problems.append(
                        f"{label}, {entry.name}: {problem}\n    python {' '.join(entry.tool.args)}\n"
                        + "".join(f"    | {line}\n" for line in tail)
                    )
                    _progress(f"{label}: {entry.name} did not run as expected: {problem}")
                elif round_ > 0:  # round 0 is the warm-up
                    cell.runs.append(run)
        for cell in cells.values():
            if cell.wall is not None:
                _progress(f"{label}: {cell.tool:<14} {cell.wall:8.3f} s  {cell.rss:7.1f} MiB")
        return cells

    def kind_size(self, kind: str, size: int) -> dict[str, Cell]:
        expect = Expect(declared_cases(kind, size), failing_cases(kind, size))
        entries = [Entry(t.key, t, self.project(t.style, kind, size), expect) for t in self.tools]
        cells = self.measure(f"{kind} {size}", entries)
        if not self.args.keep:
            shutil.rmtree(self.work / kind / str(size), ignore_errors=True)
        return cells

    def waiting(self, size: int) -> dict[str, Cell]:
        """Cases that wait, in one process and in two workers, thinking-tests and pytest."""
        expect = Expect(declared_cases("wait", size), 0)
        entries = [
            Entry(tool.key, tool, self.project(tool.style, "wait", size), expect)
            for tool in WAITERS if tool.available()
        ]
        return self.measure(f"wait {size}", entries)

    def startup(self) -> dict[str, Cell]:
        one = Expect(1, 0)
        entries = [Entry(INTERPRETER.key, INTERPRETER, self.project("bare", "trivial", 1), one)]
        entries += [Entry(t.key, t, self.project(t.style, "trivial", 1), one) for t in self.tools]
        return self.measure("start-up", entries)

    def collection(self, size: int) -> dict[str, Cell]:
        entries = [
            Entry(tool.key, tool, self.project(tool.style, "trivial", size), Expect(size, 0))
            for tool in COLLECTORS
        ]
        return self.measure(f"pytest collection {size}", entries)

    def coverage(self, size: int) -> dict[str, Cell]:
        tool = next(t for t in TOOLS if t.key == BASELINE)
        entries = [
            Entry("coverage off", tool, self.project("thinking", "trivial", size), Expect(size, 0)),
            Entry("coverage on, no contexts", tool,
                  self.project("thinking", "trivial", size, coverage=True, contexts=False),
                  Expect(size, 0, marker="coverage: ")),  # coverage really measured and reported
            Entry("coverage on", tool, self.project("thinking", "trivial", size, coverage=True),
                  Expect(size, 0, marker="coverage: ")),
        ]
        return self.measure(f"coverage {size}", entries)


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _main_table(results: dict[tuple[str, int], dict[str, Cell]], tools: list[Tool]) -> Table:
    table = Table(
        "Wall time, per case and peak RSS (medians)",
        ["kind", "size", "tool", "wall s", "µs/case", "peak RSS MiB", f"× {BASELINE}"],
        right={1, 3, 4, 5, 6},
    )
    used_base = used_plain = False
    for (kind, size), cells in results.items():
        base = cells.get(BASELINE)
        for tool in tools:
            cell = cells[tool.key]
            if cell.wall is None:
                table.add(kind, str(size), tool.key, "error", "—", "—", "—")
                continue
            one = results.get((kind, 1), {}).get(tool.key)
            if size == 1:
                per_case = "—"
            elif one is not None and one.wall is not None:
                per_case, used_base = f"{(cell.wall - one.wall) / size * 1e6:.0f}", True
            else:
                per_case, used_plain = f"{cell.wall / size * 1e6:.0f}", True
            share = cell.wall / base.wall if base is not None and base.wall else None
            table.add(kind, str(size), tool.key, seconds(cell.wall), per_case, mib(cell.rss or 0.0),
                      ratio(share))
    if used_base:
        table.notes.append("µs/case = (wall − wall of the same tool at size 1) / N: "
                           "the cost of a case without start-up")
    if used_plain:
        table.notes.append("µs/case = wall / N where size 1 was not measured: start-up included")
    table.notes.append(f"× {BASELINE}: wall time relative to thinking-tests on its unittest engine")
    return table


def _ratio_table(title: str, first: str, cells: dict[str, Cell], base: str,
                 label: Callable[[str], str] = str) -> Table:
    """One row per cell: wall time, peak RSS and the ratio to the `base` cell."""
    table = Table(title, [first, "wall s", "peak RSS MiB", f"× {label(base)}"], right={1, 2, 3})
    reference = cells.get(base)
    for name, cell in cells.items():
        if cell.wall is None:
            table.add(label(name), "error", "—", "—")
            continue
        share = cell.wall / reference.wall if reference is not None and reference.wall else None
        table.add(label(name), seconds(cell.wall), mib(cell.rss or 0.0), ratio(share))
    return table


def _startup_table(cells: dict[str, Cell]) -> Table:
    return _ratio_table("Start-up: one trivial case (medians)", "tool", cells, BASELINE)


def _collection_table(cells: dict[str, Cell], size: int) -> Table:
    table = _ratio_table(f"pytest collection alone: {size} trivial cases (medians)", "collected",
                         cells, "plain functions")
    table.notes.append("python -m pytest --collect-only -q -p no:cacheprovider test, with the "
                       "thinking-tests plugin loaded in both")
    return table


def _coverage_table(cells: dict[str, Cell], size: int) -> Table:
    table = _ratio_table(f"Coverage: thinking-tests (unittest engine), {size} trivial cases (medians)",
                         "coverage", cells, "coverage off", lambda name: name.removeprefix("coverage "))
    table.notes.append("on: config.coverage.enabled = True, source = the test package; "
                       "XML and HTML coverage reports written; a coverage context per case "
                       "(config.coverage.contexts, the default) unless 'no contexts'")
    plain, contexts = cells.get("coverage on, no contexts"), cells.get("coverage on")
    if plain is not None and contexts is not None and plain.wall and contexts.wall:
        table.notes.append(f"contexts cost {(contexts.wall / plain.wall - 1) * 100:+.1f} % "
                           "of the run with coverage on and no contexts")
    return table


def _wait_table(cells: dict[str, Cell], size: int) -> Table:
    from bench.generate import WAIT_SECONDS

    table = _ratio_table(
        f"Cases that wait: {size} cases in {size // 50} modules, half sleeping "
        f"{WAIT_SECONDS * 1000:.0f} ms, half computing {WAIT_SECONDS * 1000:.0f} ms (medians)",
        "tool", cells, WAIT_BASE,
    )
    for parallel, serial in (("tt -n 2", WAIT_BASE), ("pytest -n 2", "pytest serial")):
        fast, slow = cells.get(parallel), cells.get(serial)
        if fast is not None and slow is not None and fast.wall and slow.wall:
            table.notes.append(f"{parallel}: {slow.wall / fast.wall:.2f} × faster than {serial}")
    fast, other = cells.get("tt -n 2"), cells.get("pytest -n 2")
    if fast is not None and other is not None and fast.wall and other.wall:
        table.notes.append(f"tt -n 2 against pytest -n 2: {other.wall / fast.wall:.2f} × as fast")
    if "pytest -n 2" not in cells:
        table.notes.append("pytest -n 2: pytest-xdist is not installed, not measured")
    return table


def _report_table(cases: int, repeat: int, source: Path) -> Table:
    from bench.report_writing import time_reports

    table = Table(f"Report writing alone: a run of {cases} cases built in-process (median of {repeat})",
                  ["report", "cases", "write s", "µs/case", "file MiB", "open in Chromium s"],
                  right={1, 2, 3, 4, 5})
    timings = time_reports(cases, repeat, source)
    for timing in timings:
        table.add(timing.report, str(timing.cases), seconds(timing.median),
                  f"{timing.median / timing.cases * 1e6:.1f}", mib(timing.size_mib),
                  "—" if timing.opened is None else seconds(timing.opened))
    table.notes.append("each case printed a line and logged one; 1 % failed with a traceback")
    if all(timing.opened is None for timing in timings):
        table.notes.append("open in Chromium: no chromium on PATH, not measured")
    else:
        table.notes.append("open in Chromium: headless Chromium started, page loaded and its script "
                           "run (--dump-dom), the whole process, median")
    return table


@dataclass(frozen=True)
class Header:
    command: str
    facts: list[str]
    tools: list[tuple[str, str]]  # (key, what it runs)

    def text(self) -> str:
        lines = [f"command: {self.command}", *self.facts, "tools:"]
        lines += [f"  {key:<11} {about}" for key, about in self.tools]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        items = [*self.facts, *(f"`{key}`: {about}" for key, about in self.tools)]
        return f"```\n{self.command}\n```\n\n" + "".join(f"- {item}\n" for item in items)


def _revision() -> str:
    """The checkout's commit, and whether the package differs from it (read-only git)."""
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=True).stdout.strip()
        changes = subprocess.run(["git", "status", "--porcelain", "--", "thinking_tests", "templates"],
                                 cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "the checkout (no git revision)"
    return f"commit {commit}{' with local changes' if changes else ''}"


def _pytest_plugins() -> str:
    from importlib.metadata import entry_points

    names = sorted({f"{e.dist.name} {e.dist.version}" if e.dist else e.name
                    for e in entry_points(group="pytest11")})
    return ", ".join(names) or "none"


def _header(
    argv: Sequence[str], tools: list[Tool], skipped: list[tuple[str, str]], repeat: int, revision: str
) -> Header:
    return Header(
        command=f"python -m bench {' '.join(argv)}".rstrip(),
        facts=[
            f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs; pytest {_version('pytest')}, ward {_version('ward')}, "
            f"coverage {_version('coverage')}",
            f"thinking-tests: {revision}, copied when the run started",
            f"pytest plugins installed (loaded by pytest and tt-pytest): {_pytest_plugins()}",
            f"each tool: 1 warm-up run, then {repeat} measured run{'s' if repeat != 1 else ''}, "
            "tools alternated; medians",
        ],
        tools=[(t.key, t.about) for t in tools] + skipped,
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(arguments)
    if args.repeat < 1:
        parser().error("--repeat must be at least 1")
    if args.generate is not None:
        for kind in args.kinds:
            for size in args.sizes:
                for style in sorted({t.style for t in TOOLS if t.key in args.tools}):
                    generate(args.generate / kind / str(size) / style, style, kind, size)
        print(f"projects written under {args.generate}/KIND/SIZE/STYLE")
        return 0
    tools: list[Tool] = []
    skipped: list[tuple[str, str]] = []
    for tool in TOOLS:
        if tool.key not in args.tools:
            continue
        if tool.available():
            tools.append(tool)
        else:
            skipped.append((tool.key, f"skipped: {tool.module} is not importable by this interpreter "
                            f"(pip install {tool.module}, or a separate environment if it conflicts)"))

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        revision = _revision()
        source = snapshot(work)
        with Launcher(child_env(source)) as launcher:
            bench = Bench(args, tools, work, launcher)
            kinds = [k for k in args.kinds if k not in EXTRA_KINDS]
            results = {(k, s): bench.kind_size(k, s) for k in kinds for s in args.sizes}
            waiting = bench.waiting(args.wait_cases) if "wait" in args.kinds else None
            startup = bench.startup()
            collection = bench.collection(args.collect_size) if args.collect_size > 0 else None
            coverage = bench.coverage(args.coverage_size) if args.coverage_size > 0 else None
        tables = [_main_table(results, tools)] if results else []
        tables.append(_startup_table(startup))
        if waiting is not None:
            tables.append(_wait_table(waiting, args.wait_cases))
        if collection is not None:
            tables.append(_collection_table(collection, args.collect_size))
        if coverage is not None:
            tables.append(_coverage_table(coverage, args.coverage_size))
        if args.report_cases > 0:
            tables.append(_report_table(args.report_cases, args.repeat, source))
    finally:
        if args.keep:
            _progress(f"generated projects kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    header = _header(arguments, tools, skipped, args.repeat, revision)
    print(header.text())
    print("\n".join(t.text() for t in tables))
    if bench.problems:
        print("runs that did not do what was expected (not timed):")
        print("".join(bench.problems))
    if args.markdown is not None:
        text = header.markdown() + "\n" + "\n".join(t.markdown() for t in tables)
        args.markdown.write_text(text, encoding="utf-8")
    return 1 if bench.problems else 0
