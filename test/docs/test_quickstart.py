"""The README's quickstart, verbatim, in a fresh venv on a fresh copy of the repository.

The copy is a `git clone` of the checked-in HEAD: the quickstart is about what is committed,
so uncommitted work is not in it (without git or commits, the working tree is copied). The
commands are read from the README's Quickstart section: the ```bash blocks that install.

Every case here is tagged `slow` (pip resolves from the package index): leave them out with
`-k "not slow"`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from test.docs import README, section_blocks
from test.support import REPO, SUMMARY, Ran
from thinking_tests import fixture, run_current_module, test

SLOW = ["slow"]  # every case of this module


def quickstart_commands() -> list[str]:
    """The command line of each Quickstart bash block that installs, in README order."""
    found = []
    for block in section_blocks("Quickstart", "bash"):
        lines = [
            line
            for line in block.text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if any("pip install" in line for line in lines):
            assert len(lines) == 1, f"{block!r}: one command line, with &&"
            found.append(lines[0])
    return found


@dataclass(frozen=True)
class Fresh:
    """A fresh copy of the repository and a fresh venv to run commands in."""

    repo: Path
    venv: Path

    def env(self) -> dict[str, str]:
        """The environment with the venv activated, and nothing pointing at this checkout."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
            and not key.startswith(("THINKING_TESTS_", "COVERAGE_"))
        }
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), env.get("PATH", "")])
        env["VIRTUAL_ENV"] = str(self.venv)
        env["NO_COLOR"] = "1"
        return env

    def bash(self, command: str, cwd: Path | None = None, timeout: float = 600) -> Ran:
        """`bash -c COMMAND` in the copy (or `cwd`), the venv first on PATH."""
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd or self.repo,
            env=self.env(),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)


def has_commits(repo: Path) -> bool:
    if not shutil.which("git"):
        return False
    top = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", "HEAD"],
        capture_output=True,
        check=False,
    )
    return (
        top.returncode == 0 and Path(top.stdout.strip()).resolve() == repo and head.returncode == 0
    )


@fixture(scope="module")
def fresh() -> Iterator[Fresh]:
    where = Path(tempfile.mkdtemp(prefix="tt-quickstart-"))
    repo = where / "thinking-tests"
    try:
        if has_commits(REPO):
            subprocess.run(
                ["git", "clone", "--quiet", str(REPO), str(repo)], check=True, timeout=300
            )
        else:
            shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns("reports", "__pycache__"))
        venv = where / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        yield Fresh(repo, venv)
    finally:
        shutil.rmtree(where, ignore_errors=True)


def quickstart_text() -> str:
    """The Quickstart section of the README, prose and blocks."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Quickstart\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


@test(
    "the quickstart has its two commands: install and run the calculator, install the dev extras and run ours",
    tags=SLOW,
)
def two_commands() -> None:
    first, second = quickstart_commands()
    assert first.startswith("pip install ") and "cd examples/calculator" in first, first
    assert second.startswith("pip install ") and "python -m test.run_all" in second, second


@test(
    "quickstart 1, verbatim: installs, runs the calculator's tests, leaves their reports",
    tags=SLOW,
    timeout=900,
)
def runs_the_calculator(fresh: Fresh) -> None:
    command = quickstart_commands()[0]
    ran = fresh.bash(command)
    assert ran.code == 0, f"`{command}` exited {ran.code}: {ran!r}"
    said = [s for s in re.findall(r"`([^`\n]+)`", quickstart_text()) if SUMMARY.match(s)]
    assert said == ["67 passed, 0 failed, 2 skipped"], (
        f"the Quickstart names the calculator's summary: {said}"
    )
    assert ran.last_line == said[0], f"the README says the run ends with {said!r}: {ran!r}"
    reports = fresh.repo / "examples" / "calculator" / "reports"
    for name in ("junit.xml", "report.html", "coverage.xml"):
        assert (reports / name).is_file(), f"{name} is not in {reports}: {ran!r}"
    # It ran the installed package, not a copy on the path: import it from elsewhere.
    where = fresh.bash(
        "python -c 'import thinking_tests; print(thinking_tests.__file__)'", cwd=Path("/")
    )
    assert where.code == 0 and where.last_line.startswith(str(fresh.venv)), where


@test(
    "quickstart 2: its install verbatim, then our suite lists its cases and one package runs",
    tags=SLOW,
    timeout=900,
)
def installs_the_dev_extras(fresh: Fresh) -> None:
    command = quickstart_commands()[1]
    install, _, suite = (part.strip() for part in command.partition("&&"))
    assert install.startswith("pip install ") and suite, command
    ran = fresh.bash(install)
    assert ran.code == 0, f"`{install}` exited {ran.code}: {ran!r}"
    # The whole suite would run this module again: list it instead, and run one small package.
    listed = fresh.bash(f"{suite} --list")
    assert listed.code == 0, listed
    count = re.fullmatch(r"(\d+) cases? selected", listed.last_line)
    assert count and int(count[1]) > 100, listed
    unit = fresh.bash("python -m test.unit.run_all")
    assert unit.code == 0, unit
    assert unit.counts[0] > 0 and unit.counts[1] == 0, unit


if __name__ == "__main__":
    run_current_module()
