"""`python -m bench.parity`: real suites from the package index under their own runner and
under thinking-tests on both engines, the counts side by side, and every case they disagree on."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.cli import _revision
from bench.measure import _DROPPED, _DROPPED_PREFIXES, REPO
from bench.parity_results import (
    Case,
    Tally,
    difference,
    difference_lines,
    junit_cases,
    keyed,
    module_stems,
    pytest_tally,
    recorded_cases,
    thinking_tally,
    unittest_tally,
)
from bench.table import Table

_RECORDER = Path(__file__).resolve().parent / "_unittest_record.py"


@dataclass(frozen=True)
class Suite:
    """A third-party project whose sdist holds its tests."""

    name: str  # on the package index
    version: str  # pinned: the table is about these exact tests
    tests: str  # the test folder, relative to the extracted source tree
    kind: str  # "unittest" or "pytest": the runner its own project uses
    requires: tuple[str, ...] = ()  # what its tests import beyond the package and pytest
    why: str = ""  # what makes it worth checking
    default: bool = True  # False: too slow for every run, only with --only


SUITES = (
    Suite("more-itertools", "11.2.1", "tests", "unittest",
          why="load_tests adds the doctests of more_itertools.more; subTest"),
    Suite("markdown", "3.11.3", "tests", "unittest", ("pyyaml",),
          why="about a thousand TestCase tests in nested packages; subTest"),
    Suite("simplejson", "4.3.0", "simplejson/tests", "unittest",
          why="tests inside the package"),
    Suite("cachetools", "8.0.3", "tests", "pytest",
          why="TestCase classes run by pytest"),
    Suite("isodate", "0.7.2", "tests", "pytest",
          why="filterwarnings = error, a test folder without __init__.py, src layout"),
    Suite("toolz", "1.2.0", "toolz/tests", "pytest",
          why="filterwarnings = error, tests inside the package"),
    Suite("iniconfig", "2.3.1", "testing", "pytest",
          why="a test folder without __init__.py, conftest.py"),
    Suite("pluggy", "1.7.0", "testing", "pytest", ("pytest-benchmark",),
          why="filterwarnings = error in tox.ini, a test folder without __init__.py"),
    Suite("packaging", "26.4", "tests", "pytest", ("pretend", "tomli_w", "hypothesis"),
          why="filterwarnings = error, testpaths, addopts; 64,000 cases, minutes per runner",
          default=False),
)

RUNNERS = ("reference", "tt-unittest", "tt-pytest")

DESCRIPTION = """\
Run real third-party test suites under their own runner and under thinking-tests on both
engines, and print a Markdown table of the counts, then every case on which they disagree.

For each suite of the table below: `pip download --no-binary :all: --no-deps NAME==VERSION`,
the sdist extracted, one venv per suite (`python -m venv`), into it the package itself, its
test requirements, pytest and thinking-tests from --source (`pip install -e`). Then, in the
extracted source tree, each with --timeout:

  reference    python -m unittest discover -s TESTS [-t .]   (unittest suites), or
               python -m pytest TESTS --junitxml=...          (pytest suites)
  tt-unittest  python -m thinking_tests TESTS --no-coverage --report-dir ...
  tt-pytest    python -m thinking_tests TESTS --backend pytest --no-coverage --report-dir ...

Counts come from what each runner prints (`Ran N tests` and `OK`/`FAILED (...)`, pytest's
closing line, thinking-tests' summary and the breakdown above it). Outcomes per case come
from pytest's and thinking-tests' JUnit XML and, for unittest, from a result class that
records each test while `unittest.main` runs as `python -m unittest` does. A row is equal
when the three counts are equal and every case has the same outcome under all three.

Every child runs with PYTHONHASHSEED=0, so parameters taken from a set get the same ids
under every runner. Prepared venvs are kept in --work and reused (thinking-tests is installed editable, so a
rerun tests the checkout as it is then); --fresh rebuilds them. Exit code 0 when every row
is equal, 1 otherwise.
"""


def _suite_list() -> str:
    return "".join(f"  {s.name:<15} {s.version:<8} {s.kind:<9} {s.tests:<17} {s.why}"
                   + ("" if s.default else " (only with --only)") + "\n" for s in SUITES)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.parity", description=DESCRIPTION,
        epilog="suites:\n" + _suite_list(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--only", action="append", metavar="NAME", choices=[s.name for s in SUITES],
                   help="run only this suite (repeatable)")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "thinking-tests-parity",
                   metavar="DIR", help="downloads, source trees, venvs and reports (default: %(default)s)")
    p.add_argument("--source", type=Path, default=REPO, metavar="DIR",
                   help="the thinking-tests checkout to install (default: this one)")
    p.add_argument("--fresh", action="store_true", help="rebuild each suite's source tree and venv")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="kill a runner after this long (default: %(default)s)")
    p.add_argument("--limit", type=int, default=40, metavar="N",
                   help="case ids listed per kind of difference (default: %(default)s; 0: all)")
    return p


# --- preparing a suite -------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    args: list[str]
    code: int  # negative: killed by that signal (a timeout: -9)
    output: str
    timed_out: bool = False
    seconds: float = 0.0


def _env(venv: Path) -> dict[str, str]:
    """The environment of every child: the venv first on PATH, nothing that steers Python,
    pytest, coverage or a surrounding thinking-tests run."""
    drop = _DROPPED | {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(_DROPPED_PREFIXES)}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "80"
    # One string hashing for every runner: parameters taken from a set (isodate's) get
    # their ids in iteration order, which would otherwise differ from process to process.
    env["PYTHONHASHSEED"] = "0"
    return env


def execute(args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float) -> Command:
    """Run `args` in its own process group; on timeout the whole group is killed."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as sink:
        process = subprocess.Popen(list(args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        timed_out = False
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            code = process.wait()
        sink.seek(0)
        output = sink.read().decode("utf-8", "replace")
    return Command(list(args), code, output, timed_out, time.perf_counter() - start)


class PrepareError(Exception):
    pass


def _checked(args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 900.0) -> None:
    done = execute(args, cwd, env, timeout)
    if done.code != 0:
        tail = "\n".join(done.output.rstrip().splitlines()[-20:])
        raise PrepareError(f"`{' '.join(args)}` exited {done.code}:\n{tail}")


def _extract(archive: Path, into: Path) -> Path:
    """Unpack an sdist into `into`; give back its single top folder."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
    else:
        with tarfile.open(archive) as t:
            t.extractall(into, filter="data")
    (top,) = [p for p in into.iterdir() if p.is_dir()]
    return top


def prepare(suite: Suite, work: Path, source: Path, fresh: bool) -> tuple[Path, Path]:
    """The suite's extracted source tree and venv, made unless kept from an earlier run."""
    home = work / suite.name
    ready = home / ".ready"
    if fresh and home.exists():
        shutil.rmtree(home)
    if ready.exists():
        return Path(ready.read_text().strip()), home / "venv"
    home.mkdir(parents=True, exist_ok=True)
    venv = home / "venv"
    _checked([sys.executable, "-m", "venv", str(venv)], home, _env(venv))
    python, env = str(venv / "bin" / "python"), _env(venv)
    downloads = home / "sdist"
    shutil.rmtree(downloads, ignore_errors=True)
    _checked([python, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-binary",
              ":all:", "--no-deps", f"{suite.name}=={suite.version}", "-d", str(downloads)], home, env)
    (archive,) = list(downloads.iterdir())
    shutil.rmtree(home / "src", ignore_errors=True)
    tree = _extract(archive, home / "src")
    _checked([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(tree),
              *suite.requires, "pytest", "-e", str(source)], home, env)
    ready.write_text(str(tree))
    return tree, venv


# --- running it --------------------------------------------------------------------------

@dataclass
class Outcome:
    """One runner on one suite: what it printed and what its report holds."""

    runner: str
    command: Command
    tally: Tally | None
    cases: list[Case] | None  # None: no report to read
    problem: str = ""  # why a count or a report is missing, or why they disagree

    def cell(self) -> str:
        if self.command.timed_out:
            return f"timed out after {self.command.seconds:.0f} s"
        if self.tally is None:
            return f"exit {self.command.code}, no summary"
        return self.tally.text()


def _unittest_args(suite: Suite, tree: Path) -> list[str]:
    args = ["discover", "-s", suite.tests]
    if (tree / suite.tests / "__init__.py").exists():
        args += ["-t", "."]  # module names from the tree's root, as in `python -m unittest`
    return args


def shown_commands(suite: Suite, tree: Path) -> dict[str, str]:
    """The commands as a person types them in the source tree (reports left out)."""
    reference = (f"python -m unittest {' '.join(_unittest_args(suite, tree))}" if suite.kind == "unittest"
                 else f"python -m pytest {suite.tests}")
    return {
        "reference": reference,
        "tt-unittest": f"python -m thinking_tests {suite.tests} --no-coverage",
        "tt-pytest": f"python -m thinking_tests {suite.tests} --backend pytest --no-coverage",
    }


def _read(runner: str, command: Command, tally: Tally | None, report: Path,
          read: Callable[[Path], list[Case]]) -> Outcome:
    problems = []
    if tally is None and not command.timed_out:
        problems.append("no summary in its output")
    cases = None
    if report.exists() and report.stat().st_size:
        try:
            cases = read(report)
        except (OSError, ValueError, SyntaxError) as error:  # ParseError is a SyntaxError
            problems.append(f"its report {report.name} cannot be read: {error}")
    elif not command.timed_out:
        problems.append(f"it wrote no {report.name}")
    if tally is not None and cases is not None and Tally.of(c.outcome for c in cases) != tally:
        # unittest counts each failing subtest; a report may hold fewer or more cases.
        problems.append(f"its printed counts ({tally.text()}) differ from its report "
                        f"({Tally.of(c.outcome for c in cases).text()})")
    return Outcome(runner, command, tally, cases, "; ".join(problems))


def run_suite(suite: Suite, tree: Path, python: str, env: dict[str, str], results: Path,
              timeout: float) -> dict[str, Outcome]:
    """The three runners in the source tree `tree`, their reports written under `results`."""
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir()
    outcomes: dict[str, Outcome] = {}
    if suite.kind == "unittest":
        record = results / "unittest.json"
        done = execute([python, str(_RECORDER), str(record), *_unittest_args(suite, tree)], tree, env, timeout)
        outcomes["reference"] = _read("reference", done, unittest_tally(done.output), record, recorded_cases)
    else:
        xml = results / "pytest.xml"
        done = execute([python, "-m", "pytest", suite.tests, f"--junitxml={xml}"], tree, env, timeout)
        outcomes["reference"] = _read("reference", done, pytest_tally(done.output), xml, junit_cases)
    for runner, extra in (("tt-unittest", []), ("tt-pytest", ["--backend", "pytest"])):
        reports = results / runner
        args = [python, "-m", "thinking_tests", suite.tests, *extra, "--no-coverage",
                "--report-dir", str(reports)]
        done = execute(args, tree, env, timeout)
        outcomes[runner] = _read(runner, done, thinking_tally(done.output), reports / "junit.xml", junit_cases)
    return outcomes


def _pytest_version(venv: Path) -> str:
    done = execute([str(venv / "bin" / "python"), "-c", "import pytest; print(pytest.__version__)"],
                   venv, _env(venv), 60)
    return done.output.strip() if done.code == 0 else "?"


# --- the report --------------------------------------------------------------------------

@dataclass
class Row:
    suite: Suite
    commands: dict[str, str]
    outcomes: dict[str, Outcome]
    stems: dict[str, int]
    pytest: str

    def equal(self) -> bool:
        tallies = [o.tally for o in self.outcomes.values()]
        if any(t is None for t in tallies) or len(set(tallies)) != 1:
            return False
        reference = self.outcomes["reference"].cases
        if reference is None:
            return False
        base = keyed(reference, self.stems)
        return all(o.cases is not None and not difference(base, keyed(o.cases, self.stems))
                   for o in self.outcomes.values())

    def details(self, limit: int) -> list[str]:
        """Markdown lines: each runner's problems and every case it disagrees on."""
        label = {"reference": self.suite.kind, "tt-unittest": "tt unittest engine",
                 "tt-pytest": "tt pytest engine"}
        lines: list[str] = []
        for runner, outcome in self.outcomes.items():
            if outcome.problem or outcome.command.code not in (0, 1):
                lines.append(f"- {label[runner]}: exit {outcome.command.code}"
                             + (f"; {outcome.problem}" if outcome.problem else "")
                             + f" (`{self.commands[runner]}`)")
                if outcome.tally is None or outcome.command.code not in (0, 1):
                    tail = outcome.command.output.rstrip().splitlines()[-12:]
                    lines += ["", "  ```", *(f"  {line}" for line in tail), "  ```", ""]
        reference = self.outcomes["reference"].cases
        if reference is None:
            return lines
        base = keyed(reference, self.stems)
        for runner in RUNNERS[1:]:
            cases = self.outcomes[runner].cases
            if cases is not None:
                lines += difference_lines(label[runner], self.suite.kind,
                                          difference(base, keyed(cases, self.stems)), limit)
        return lines


def table(rows: list[Row]) -> Table:
    result = Table("Parity on real suites", ["suite", "version", "kind", "own runner",
                                              "tt unittest engine", "tt pytest engine", "equal"])
    for row in rows:
        cells = [row.outcomes[r].cell() for r in RUNNERS]
        result.add(row.suite.name, row.suite.version, row.suite.kind, *cells,
                   "yes" if row.equal() else "no")
    result.notes.append("own runner: `python -m unittest discover` for unittest suites, `pytest` for "
                        "pytest suites; counts as each runner printed them (N: total, then outcomes)")
    return result


def report(rows: list[Row], failed: list[tuple[Suite, str]], limit: int, argv: Sequence[str]) -> str:
    versions = sorted({row.pytest for row in rows})
    out = [
        "```",
        f"python -m bench.parity {' '.join(argv)}".rstrip(),
        "```",
        "",
        f"- python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        f"pytest {', '.join(versions) or '?'} in the suites' venvs; thinking-tests {_revision()}",
        "",
        table(rows).markdown(),
    ]
    if failed:
        out.append("### Suites that could not be prepared\n")
        for suite, why in failed:
            out += [f"- {suite.name} {suite.version}:", "", "  ```",
                    *(f"  {line}" for line in why.splitlines()), "  ```", ""]
    unequal = [row for row in rows if not row.equal()]
    if unequal:
        out.append("### Differences\n")
        for row in unequal:
            out += [f"#### {row.suite.name} {row.suite.version}", "", *row.details(limit), ""]
    out.append("### Commands\n")
    out.append("Each suite: `pip download --no-binary :all: --no-deps NAME==VERSION`, the sdist "
               "extracted, then in a fresh venv `pip install ./NAME-VERSION REQUIREMENTS pytest "
               "-e THINKING_TESTS_CHECKOUT`, and in the source tree:\n")
    for row in rows:
        needs = " ".join(row.suite.requires)
        out.append(f"- {row.suite.name} {row.suite.version}"
                   + (f" (requirements: `{needs}`)" if needs else "") + ": "
                   + ", ".join(f"`{row.commands[r]}`" for r in RUNNERS))
    return "\n".join(out) + "\n"


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(arguments)
    suites = [s for s in SUITES if s.name in args.only] if args.only else [s for s in SUITES if s.default]
    work, source = args.work.resolve(), args.source.resolve()
    rows: list[Row] = []
    failed: list[tuple[Suite, str]] = []
    for suite in suites:
        _progress(f"{suite.name} {suite.version}: preparing in {work / suite.name}")
        try:
            tree, venv = prepare(suite, work, source, args.fresh)
        except (PrepareError, ValueError, OSError, tarfile.TarError) as error:
            failed.append((suite, str(error)))
            _progress(f"{suite.name}: could not be prepared")
            continue
        _progress(f"{suite.name} {suite.version}: running")
        outcomes = run_suite(suite, tree, str(venv / "bin" / "python"), _env(venv),
                             venv.parent / "results", args.timeout)
        row = Row(suite, shown_commands(suite, tree), outcomes, dict(module_stems(tree)), _pytest_version(venv))
        rows.append(row)
        _progress(f"{suite.name}: " + " | ".join(f"{r} {o.cell()} ({o.command.seconds:.0f} s)"
                                                  for r, o in outcomes.items()))
    print(report(rows, failed, args.limit, arguments), end="")
    return 0 if rows and not failed and all(row.equal() for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
