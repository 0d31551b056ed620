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
    Difference,
    Tally,
    difference,
    difference_lines,
    junit_cases,
    keyed,
    module_stems,
    only_needs_pytest,
    pytest_tally,
    recorded_cases,
    thinking_tally,
    unittest_closing,
    unittest_ran,
    unittest_tally,
)
from bench.parity_commands import SuiteSteps, reproduce_lines
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
    Suite("pathspec", "1.1.1", "tests", "unittest",
          why="skipTest inside subTest, which unittest and pytest judge differently", default=False),
    Suite("pyflakes", "4.1.0", "pyflakes/test", "unittest",
          why="a TestCase base class in a helper module; skips and expected failures"),
    Suite("pycparser", "3.12", "tests", "unittest",
          why="subTest in loops over C snippets; tests that run the examples as subprocesses"),
    Suite("pyasn1", "0.6.5", "tests", "unittest",
          why="test packages three deep, a shared TestCase base class, subTest"),
    Suite("cachetools", "8.0.3", "tests", "pytest",
          why="TestCase classes run by pytest"),
    Suite("toolz", "1.2.0", "toolz/tests", "pytest",
          why="filterwarnings = error, tests inside the package"),
    Suite("h11", "0.16.0", "h11/tests", "pytest",
          why="plain test functions and parametrize inside the package; a local HTTP server"),
    Suite("wsproto", "1.3.2", "tests", "pytest",
          why="parametrize stacked and over enums, a helper module imported relatively"),
    Suite("hyperframe", "6.1.0", "tests", "pytest",
          why="test classes without TestCase; one test takes pytest's capsys"),
    Suite("tabulate", "0.10.0", "test", "pytest", ("wcwidth",),
          why="a test folder without __init__.py importing its helper module by name; pytest.skip() in tests"),
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
records each test while `unittest.main` runs as `python -m unittest` does (unittest prints
a count per failing or skipped subtest; the row then counts tests, and says so). A row is
equal when the three counts are equal and every case has the same outcome under all three.
A pytest suite whose tests take fixtures or hooks of its conftest.py is equal on the pytest
engine only: under the default engine those tests are, by design, errors that say to run
with --backend pytest; its row says how many.

Prepared venvs are kept in --work and reused (thinking-tests is installed editable, so a
rerun tests the checkout as it is then); --fresh rebuilds them. Exit code 0 when every row
is equal or differs only by tests that need pytest, 1 otherwise.
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
    note: str = ""  # how the count shown was arrived at, when not as printed

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
          read: Callable[[Path], list[Case]], tests_run: int | None = None) -> Outcome:
    """`tests_run`: how many tests unittest said it ran; when its report holds that many
    tests, their outcomes give the count (unittest prints one per failing or skipped subtest)."""
    problems = []
    note = ""
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
    if (tally is not None and cases is not None and Tally.of(c.outcome for c in cases) != tally
            and tests_run == len(cases)):
        note = (f"unittest printed `{unittest_closing(command.output)}`, a count per failing or "
                "skipped subtest; here each test counts once, with its worst outcome")
        tally = Tally.of(c.outcome for c in cases)
    if tally is not None and cases is not None and Tally.of(c.outcome for c in cases) != tally:
        problems.append(f"its printed counts ({tally.text()}) differ from its report "
                        f"({Tally.of(c.outcome for c in cases).text()})")
    return Outcome(runner, command, tally, cases, "; ".join(problems), note)


def run_suite(suite: Suite, tree: Path, python: str, env: dict[str, str], results: Path,
              timeout: float) -> dict[str, Outcome]:
    """The three runners in the source tree `tree`, their reports written under `results`."""
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir()
    outcomes: dict[str, Outcome] = {}
    if suite.kind == "unittest":
        record = results / "unittest.json"
        done = execute([python, str(_RECORDER), str(record), *_unittest_args(suite, tree)], tree, env, timeout)
        outcomes["reference"] = _read("reference", done, unittest_tally(done.output), record, recorded_cases,
                                      unittest_ran(done.output))
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


def _own_results(home: Path) -> Path:
    """A folder for this run's reports: two parity runs at once (sharing the venvs) must not
    write into one report folder, which thinking-tests refuses and the reports would mix."""
    return Path(tempfile.mkdtemp(prefix=f"results-{os.getpid()}-", dir=home))


def _keep_as_latest(mine: Path) -> None:
    """This run's reports become `results` beside them (to look at after a run), replacing an
    earlier run's."""
    latest = mine.parent / "results"
    shutil.rmtree(latest, ignore_errors=True)
    try:
        mine.rename(latest)
    except OSError:  # another run put its own there meanwhile: this one's stays where it is
        pass


def _pytest_version(venv: Path) -> str:
    done = execute([str(venv / "bin" / "python"), "-c", "import pytest; print(pytest.__version__)"],
                   venv, _env(venv), 60)
    return done.output.strip() if done.code == 0 else "?"


# --- the report --------------------------------------------------------------------------

LABELS = {"tt-unittest": "tt unittest engine", "tt-pytest": "tt pytest engine"}


@dataclass
class Row:
    suite: Suite
    commands: dict[str, str]
    outcomes: dict[str, Outcome]
    stems: dict[str, int]
    pytest: str
    sdist: str = ""  # the archive's file name
    tree: str = ""  # the folder it unpacked to

    def _difference(self, runner: str) -> Difference | None:
        """How `runner`'s cases differ from the reference's; None when a report is missing."""
        reference, cases = self.outcomes["reference"].cases, self.outcomes[runner].cases
        if reference is None or cases is None:
            return None
        return difference(keyed(reference, self.stems), keyed(cases, self.stems))

    def agrees(self, runner: str) -> bool:
        """The same count and every case with the same outcome as under the suite's own runner."""
        tally = self.outcomes["reference"].tally
        diff = self._difference(runner)
        return tally is not None and self.outcomes[runner].tally == tally and diff is not None and not diff

    def equal(self) -> bool:
        return all(self.agrees(runner) for runner in RUNNERS[1:])

    def needing_pytest(self) -> int:
        """How many cases are, by design, errors under the default engine because they need
        pytest, when that is the row's only difference (the pytest engine agreeing); else 0."""
        reference, default = self.outcomes["reference"], self.outcomes["tt-unittest"]
        diff = self._difference("tt-unittest")
        if (not self.agrees("tt-pytest") or diff is None or not only_needs_pytest(diff)
                or reference.tally is None or default.tally is None or default.problem
                or default.tally.total != reference.tally.total):
            return 0
        return len(diff.changed)

    def verdict(self) -> str:
        if self.equal():
            return "yes"
        needing = self.needing_pytest()
        if needing:
            total = self.outcomes["reference"].tally.total  # type: ignore[union-attr]  # set when needing
            return f"pytest engine: yes; default engine: {needing} of {total} need pytest (by design)"
        return "no"

    def accepted(self) -> bool:
        """Equal, or different only by tests that need pytest and say so."""
        return self.equal() or self.needing_pytest() > 0

    def steps(self) -> SuiteSteps:
        return SuiteSteps(self.suite.name, self.suite.version, self.sdist, self.tree, self.suite.requires,
                          tuple(self.commands[r] for r in RUNNERS))

    def details(self, limit: int) -> list[str]:
        """Markdown lines: each runner's problems and every case it disagrees on."""
        label = {"reference": self.suite.kind, **LABELS}
        lines: list[str] = []
        needing = self.needing_pytest()
        if needing:
            lines.append(f"- by design: {needing} of these cases take a fixture that only pytest provides "
                         "(one of pytest's own, such as capsys, or one declared with `@pytest.fixture` in "
                         "the module or a conftest.py); the default engine reports each as an error that "
                         "says to run with `--backend pytest`, which runs them")
        for runner, outcome in self.outcomes.items():
            if outcome.problem or outcome.command.code not in (0, 1):
                lines.append(f"- {label[runner]}: exit {outcome.command.code}"
                             + (f"; {outcome.problem}" if outcome.problem else "")
                             + f" (`{self.commands[runner]}`)")
                if outcome.tally is None or outcome.command.code not in (0, 1):
                    tail = outcome.command.output.rstrip().splitlines()[-12:]
                    lines += ["", "  ```", *(f"  {line}" for line in tail), "  ```", ""]
        for runner in RUNNERS[1:]:
            diff = self._difference(runner)
            if diff is not None:
                lines += difference_lines(label[runner], self.suite.kind, diff, limit)
        return lines


def table(rows: list[Row]) -> Table:
    result = Table("Parity on real suites", ["suite", "version", "kind", "own runner",
                                              "tt unittest engine", "tt pytest engine", "equal"])
    for row in rows:
        cells = [row.outcomes[r].cell() for r in RUNNERS]
        result.add(row.suite.name, row.suite.version, row.suite.kind, *cells, row.verdict())
    result.notes.append("own runner: `python -m unittest discover` for unittest suites, `pytest` for "
                        "pytest suites; counts as each runner printed them (N: total, then outcomes)")
    result.notes += [f"{row.suite.name}: {o.note}" for row in rows for o in row.outcomes.values() if o.note]
    if any(row.needing_pytest() for row in rows):
        result.notes.append("need pytest: a test that takes a fixture only pytest provides (one of pytest's "
                            "own, such as capsys, or one declared with `@pytest.fixture` in its module or a "
                            "conftest.py) is, by design, an error under the default engine that says to run "
                            "with `--backend pytest`; the pytest engine runs it, and every other case of the "
                            "row is equal under all three")
    return result


def report(rows: list[Row], failed: list[tuple[Suite, str]], limit: int, argv: Sequence[str]) -> str:
    versions = sorted({row.pytest for row in rows})
    command = f"python -m bench.parity {' '.join(argv)}".rstrip()
    out = [
        "```",
        command,
        "```",
        "",
        f"- python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        f"pytest {', '.join(versions) or '?'} in the suites' venvs; thinking-tests {_revision()}",
        "",
        *reproduce_lines([row.steps() for row in rows], command),
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
    return "\n".join(out).rstrip("\n") + "\n"


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
        results = _own_results(venv.parent)
        outcomes = run_suite(suite, tree, str(venv / "bin" / "python"), _env(venv), results, args.timeout)
        _keep_as_latest(results)
        (archive,) = list((venv.parent / "sdist").iterdir())
        row = Row(suite, shown_commands(suite, tree), outcomes, dict(module_stems(tree)), _pytest_version(venv),
                  archive.name, tree.name)
        rows.append(row)
        _progress(f"{suite.name}: " + " | ".join(f"{r} {o.cell()} ({o.command.seconds:.0f} s)"
                                                  for r, o in outcomes.items()))
    print(report(rows, failed, args.limit, arguments), end="")
    return 0 if rows and not failed and all(row.accepted() for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
