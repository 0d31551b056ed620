"""Helpers of the pytest-compatibility tests: temporary projects, real pytest runs, readers.

Every run is a real `python -m ...` subprocess; the plugin is loaded by name (`-p
thinking_tests.pytest_plugin`) because the package need not be installed when tests run.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from test.support import REPO, RUN_ALL, Ran, package, remove_at_exit, run, run_pytest
from test.support import project as _project

__all__ = [
    "EXAMPLE",
    "RUN_ALL",
    "Ran",
    "calculator_copy",
    "junit_messages",
    "junit_outcomes",
    "lines",
    "package",
    "project",
    "pytest_counts",
    "run",
    "run_pytest",
]

EXAMPLE = REPO / "examples" / "calculator"
def project(files: dict[str, str], config: str | None = "") -> Path:
    """test.support.project (coverage off unless `config` turns it on), removed at exit."""
    return _project(files, config=config)


def calculator_copy() -> Path:
    """A copy of examples/calculator without its reports, removed at exit."""
    parent = remove_at_exit(Path(tempfile.mkdtemp(prefix="tt-compat-calculator-")))
    root = parent / "calculator"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("reports", "__pycache__", ".pytest_cache"))
    return root


_COUNT = re.compile(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?|deselected|warnings?)\b")


def pytest_counts(ran: Ran) -> dict[str, int]:
    """The numbers of pytest's summary line, e.g. {"passed": 15, "failed": 1, "xfailed": 1}."""
    for line in reversed(ran.stdout.splitlines()):
        found = _COUNT.findall(line)
        if found and (" in " in line or "no tests ran" in line):
            counts: dict[str, int] = {}
            for number, word in found:
                word = {"error": "errors", "warning": "warnings"}.get(word, word)
                counts[word] = int(number)
            return counts
        if "no tests ran" in line:
            return {}
    raise AssertionError(f"no pytest summary line in the output:\n{ran!r}")


def lines(ran: Ran) -> list[str]:
    return [line.strip() for line in ran.stdout.splitlines() if line.strip()]


def junit_outcomes(path: Path) -> dict[str, str]:
    """`classname::name` -> passed / failure / error / skipped, from a JUnit XML report."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(path).iter("testcase"):
        outcome = "passed"
        for kind in ("failure", "error", "skipped"):
            if case.find(kind) is not None:
                outcome = kind
        identifier = f"{case.get('classname')}::{case.get('name')}"
        assert identifier not in outcomes, f"{identifier} twice in {path}"
        outcomes[identifier] = outcome
    return outcomes


def junit_messages(path: Path) -> dict[str, str]:
    """`classname::name` -> the message (and text) of its failure, error or skip element."""
    messages: dict[str, str] = {}
    for case in ET.parse(path).iter("testcase"):
        for kind in ("failure", "error", "skipped"):
            element = case.find(kind)
            if element is not None:
                messages[f"{case.get('classname')}::{case.get('name')}"] = (
                    f"{element.get('message', '')}\n{element.text or ''}"
                )
    return messages
