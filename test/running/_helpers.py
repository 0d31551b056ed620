"""Helpers for the running tests: self-cleaning projects and readers of a run's output."""

from __future__ import annotations

import os
import re
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from test.support import RUN_ALL, Ran, one_sentence, package, run
from test.support import project as _project

__all__ = [
    "COUNTER",
    "PLAIN_RETRIES",
    "RUN_ALL",
    "Breakdown",
    "Ran",
    "breakdown",
    "failure_blocks",
    "files_below",
    "junit_cases",
    "listed",
    "module",
    "one_sentence",
    "outcomes",
    "package",
    "project",
    "ran_ids",
    "run",
    "junit_testcases",
    "times_ran",
]

def project(files: dict[str, str], config: str | None = "", html: bool = False) -> Path:
    """test.support.project, removed again when this process ends (hundreds pile up otherwise).

    The HTML report is off unless `html` (it is the slow one, and these tests read JUnit
    XML); a project without a __test__.py (config=None) keeps every default.
    """
    if config is not None and not html:
        config = "config.reports.html = None\n" + config
    return _project(files, config=config)


def module(body: str, tail: str = "run_current_module") -> str:
    """The text of a test module: the imports, `body`, and the `__main__` tail calling `tail()`."""
    head = "from thinking_tests import test, run_current_module, run_current_package\n\n"
    return f'{head}{textwrap.dedent(body).strip()}\n\n\nif __name__ == "__main__":\n    {tail}()\n'


# One line per case with -v: "test.mod::name OUTCOME (reason) [N ms]".
_VERBOSE = re.compile(r"^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAILED|XPASSED)\b")


def ran_ids(ran: Ran) -> list[str]:
    """The ids of the cases a `-v` run ran, in run order."""
    return [m[1] for m in map(_VERBOSE.match, ran.stdout.splitlines()) if m]


def outcomes(ran: Ran) -> dict[str, str]:
    """Case id -> outcome word (PASSED, FAILED, ...) of a `-v` run."""
    return {m[1]: m[2] for m in map(_VERBOSE.match, ran.stdout.splitlines()) if m}


def listed(ran: Ran) -> list[str]:
    """The ids a `--list` run printed; its last line says how many."""
    lines = ran.stdout.rstrip("\n").splitlines()
    assert lines and re.fullmatch(r"\d+ cases? selected", lines[-1]), ran
    assert int(lines[-1].split()[0]) == len(lines) - 1, ran
    return lines[:-1]


@dataclass(frozen=True)
class Breakdown:
    cases: int
    seconds: float
    failures: int
    errors: int
    skips: int
    xfailed: int
    xpassed: int


_BREAKDOWN = re.compile(
    r"^(\d+) cases? in (\d+\.\d+) s(?: \(interrupted\))?: (\d+) failures?, (\d+) errors?, "
    r"(\d+) skips?, (\d+) xfailed, (\d+) xpassed$"
)


def breakdown(ran: Ran) -> Breakdown:
    """The line above the summary: case count, duration and the outcomes broken down."""
    lines = ran.stdout.rstrip("\n").splitlines()
    assert len(lines) >= 2, ran
    match = _BREAKDOWN.match(lines[-2])
    assert match, f"no breakdown above the summary: {lines[-2]!r}\n{ran!r}"
    return Breakdown(
        int(match[1]), float(match[2]), *(int(match[i]) for i in range(3, 8))
    )


def failure_blocks(ran: Ran) -> dict[str, list[str]]:
    """Case id -> the lines shown under its `____ id ____` header in the FAILURES section."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in ran.stdout.splitlines():
        header = re.fullmatch(r"_{3,} (\S+) _{3,}", line)
        if header:
            current = blocks.setdefault(header[1], [line])
            continue
        if current is not None:
            current.append(line)
    return blocks


def junit_cases(path: Path) -> list[tuple[str, str, str]]:
    """(classname, name, outcome) of every testcase of a JUnit XML file, in file order."""
    found: list[tuple[str, str, str]] = []
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        found.append((case.get("classname", ""), case.get("name", ""), kinds[0] if kinds else "passed"))
    return found


def selections(root: Path) -> set[str]:
    """The selections (partial run: ...) the JUnit XML's suites record, by their property."""
    tree = ET.parse(root / "reports" / "junit.xml")
    return {p.get("value") or "" for p in tree.iter("property") if p.get("name") == "thinking-tests.selection"}


def files_below(root: Path) -> set[str]:
    """Every file and directory below root, relative, without Python's bytecode caches."""
    found: set[str] = set()
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(directory, name), root))
    return found


# Projects whose cases count how often they ran (retries): each calls ran("its name"), which
# adds one to the file RAN-<name> in the project's folder and returns the count so far.
COUNTER = '''
from pathlib import Path


def ran(name):
    """How often the case `name` ran, this time included (counted in the file RAN-name)."""
    counts = Path("RAN-" + name)
    times = int(counts.read_text()) + 1 if counts.exists() else 1
    counts.write_text(str(times))
    return times
'''

# A case that passes on its second attempt, and one that opts out of retries.
PLAIN_RETRIES = COUNTER + '''
from thinking_tests import test


@test
def once_broken():
    times = ran("once_broken")
    assert times >= 2


@test(retries=0)
def never_again():
    times = ran("never_again")
    assert times >= 2
'''


def times_ran(root: Path, name: str) -> int:
    """How often the case `name` of a COUNTER project ran."""
    counts = root / f"RAN-{name}"
    return int(counts.read_text()) if counts.exists() else 0


def junit_testcases(root: Path) -> dict[str, ET.Element]:
    """The JUnit XML report's testcases, by name."""
    tree = ET.parse(root / "reports" / "junit.xml")
    return {case.get("name", ""): case for case in tree.iter("testcase")}
