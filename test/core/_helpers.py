"""Helpers for the tests of declaring and running cases: one real run, read back many ways."""

from __future__ import annotations

import atexit
import re
import shutil
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from test.support import Ran, package, project, run

# Test projects import `note` from here to leave a line in journal.txt: the order of what
# happened across cases, fixtures and modules, which captured output cannot show.
JOURNAL = '''\
from pathlib import Path

FILE = Path(__file__).with_name("journal.txt")


def note(text: str) -> None:
    with FILE.open("a") as journal:
        journal.write(text + "\\n")
'''

_VERBOSE = re.compile(r"^(.+?) (PASSED|FAILED|ERROR|SKIPPED|XFAILED|XPASSED)(?: \(.*\))? \[\d+ ms\]$")


@dataclass(frozen=True)
class Finished:
    """A test project after one run of it."""

    root: Path
    ran: Ran
    seconds: float  # wall-clock time of the subprocess

    def junit(self) -> ET.Element:
        return ET.parse(self.root / "reports" / "junit.xml").getroot()

    def testcase(self, name: str, module: str | None = None) -> ET.Element:
        """The one JUnit testcase called `name` (in `module`, when given)."""
        found = [
            element
            for element in self.junit().iter("testcase")
            if element.get("name") == name and module in (None, element.get("classname"))
        ]
        assert len(found) == 1, f"{len(found)} testcases named {name!r}\n{self.ran!r}"
        return found[0]

    def outcomes(self) -> dict[str, str]:
        """Case id -> outcome, from the lines of a `-v` run, in run order."""
        result: dict[str, str] = {}
        for line in self.ran.stdout.splitlines():
            match = _VERBOSE.match(line)
            if match:
                result[match[1]] = match[2]
        return result

    def journal(self) -> list[str]:
        path = self.root / "journal.txt"
        return path.read_text().splitlines() if path.exists() else []


def run_project(
    files: dict[str, str],
    config: str = "",
    args: tuple[str, ...] = ("-m", "test.run_all", "-v"),
) -> Finished:
    """Write a project with a `test` package, the journal module and `files`; run it once."""
    root = project({**package("test"), "journal.py": JOURNAL, **files}, config=config)
    atexit.register(shutil.rmtree, root, True)
    return rerun(root, args)


def rerun(root: Path, args: tuple[str, ...]) -> Finished:
    """Run an existing project again, from a clean journal and report directory."""
    (root / "journal.txt").unlink(missing_ok=True)
    shutil.rmtree(root / "reports", ignore_errors=True)
    began = time.perf_counter()
    ran = run(*args, cwd=root)
    return Finished(root, ran, time.perf_counter() - began)


def outcome(testcase: ET.Element) -> str:
    """What a JUnit testcase says happened: failure, error, skipped or passed."""
    for tag in ("failure", "error", "skipped"):
        if testcase.find(tag) is not None:
            return tag
    return "passed"


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first line holding `marker`, in `text` as `project` writes it."""
    for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} is not in the text")
