"""Helpers of the `init` tests: run init on a project, run the command it printed, and
run plain pytest or unittest on the same project to compare."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from test.pytest_compat._helpers import project, pytest_counts, run_pytest
from test.support import Ran, run

__all__ = ["Initialised", "files_of", "initialise", "project", "pytest_run", "run_printed", "unittest_run"]


@dataclass(frozen=True)
class Initialised:
    root: Path
    ran: Ran
    found: str  # the "found N test files ..." line
    command: list[str]  # the printed command's arguments after `python`


def files_of(root: Path) -> set[str]:
    """Every file of the project, relative, without caches and reports."""
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not {"reports", "__pycache__", ".pytest_cache"} & set(p.parts)
    }


def initialise(root: Path) -> Initialised:
    """`python -m thinking_tests init` in the project; the lines it printed, parsed."""
    ran = run("-m", "thinking_tests", "init", cwd=root)
    assert ran.code == 0, ran
    found = [line for line in ran.stdout.splitlines() if line.startswith("found ")]
    commands = [
        line.removeprefix("run the tests with: ")
        for line in ran.stdout.splitlines()
        if line.startswith("run the tests with: ")
    ]
    assert len(found) == 1 and len(commands) == 1, ran
    words = shlex.split(commands[0])
    assert words[0] == "python", ran
    return Initialised(root, ran, found[0], words[1:])


def run_printed(root: Path, done: Initialised) -> Ran:
    """The printed command, in the project, without coverage so it stays quick."""
    return run(*done.command, "--no-coverage", cwd=root)


def pytest_run(root: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of plain `pytest` in the project, as our summary counts them."""
    counts = pytest_counts(run_pytest("-q", "-p", "no:cacheprovider", cwd=root))
    failed = counts.get("failed", 0) + counts.get("errors", 0)
    skipped = counts.get("skipped", 0) + counts.get("xfailed", 0)
    return counts.get("passed", 0) + counts.get("xpassed", 0), failed, skipped


def unittest_run(root: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of `python -m unittest discover` in the project."""
    ran = run("-m", "unittest", "discover", cwd=root)
    total = re.search(r"^Ran (\d+) tests?", ran.stderr, re.MULTILINE)
    assert total, ran
    last = ran.stderr.strip().splitlines()[-1]  # "OK (skipped=1)", "FAILED (failures=1, ...)"
    numbers = {k.strip(): int(v) for k, v in re.findall(r"([a-z ]+)=(\d+)", last)}
    failed = numbers.get("failures", 0) + numbers.get("errors", 0)
    skipped = numbers.get("skipped", 0) + numbers.get("expected failures", 0)
    return int(total[1]) - failed - skipped, failed, skipped
