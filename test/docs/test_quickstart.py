"""The README's quickstart, verbatim, in a fresh venv on a fresh copy of the repository.

The copy is a `git clone` of the checked-in HEAD: the quickstart is about what is committed,
so uncommitted work is not in it (without git or commits, the working tree is copied). The
commands are read from the README's Quickstart section: the ```bash blocks that install, and
the block that starts a project of one's own.

Installing "from the package index" is checked against an index that holds this checkout's
release: pip is given a folder with its wheel (PIP_FIND_LINKS) besides the real index, which
holds only the 0.0.x predecessor, so the pin is what keeps pip from picking the old release.

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

from test.docs import README, Block, section_blocks
from test.support import REPO, SUMMARY, Ran
from thinking_tests import fixture, run_current_module, test

SLOW = ["slow"]  # every case of this module


QUICKSTART = ("Quickstart", "In your own project", "On this repository")


def quickstart_blocks() -> list[Block]:
    return [b for title in QUICKSTART for b in section_blocks(title, "bash")]


def quickstart_commands() -> list[str]:
    """The command line of each Quickstart bash block that installs, in README order."""
    found = []
    for block in quickstart_blocks():
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


def own_project_lines() -> list[str]:
    """The lines of the Quickstart block that starts one's own project (`init`, then a run)."""
    for block in section_blocks("In your own project", "bash"):
        lines = [line for line in block.text.splitlines() if line.strip()]
        if any("thinking_tests init" in line for line in lines):
            return lines
    raise AssertionError("no Quickstart block runs `python -m thinking_tests init`")


@test(
    "the quickstart installs from the index pinned, then has its two commands on this repository",
    tags=SLOW,
)
def three_commands() -> None:
    index, first, second = quickstart_commands()
    assert index == 'pip install "thinking-tests>=0.1"', index
    assert first.startswith("pip install ") and "(cd examples/calculator &&" in first, first
    assert second.startswith("pip install ") and "python -m test.run_all" in second, second


@test("every example pins this release line, so pip never picks a 0.0.x release for it")
def examples_pin_the_release_line() -> None:
    import tomllib

    for pyproject in sorted((REPO / "examples").glob("*/pyproject.toml")):
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        project = data.get("project", {})
        requirements = [*project.get("dependencies", ())]
        requirements += [r for group in project.get("optional-dependencies", {}).values() for r in group]
        wanted = [r for r in requirements if re.match(r"thinking[-_]tests\b", r)]
        assert wanted == ["thinking-tests>=0.1"], f"{pyproject}: {wanted}"


@test(
    "in one shell, in order: quickstart 1 runs the calculator and comes back to the root, then 2 installs and lists our suite",
    tags=SLOW,
    timeout=900,
)
def both_in_one_shell(fresh: Fresh) -> None:
    _, first, second = quickstart_commands()
    install, _, suite = (part.strip() for part in second.partition("&&"))
    assert install.startswith("pip install ") and suite == "python -m test.run_all", second
    # Our whole suite would run this module again: it lists its cases instead.
    marker = "::after-quickstart-1::"
    ran = fresh.bash(f"{first} && echo {marker} && pwd && {install} && {suite} --list")
    assert ran.code == 0, f"the quickstart exited {ran.code}: {ran!r}"
    lines = ran.stdout.splitlines()
    at = lines.index(marker)
    said = [s for s in re.findall(r"`([^`\n]+)`", quickstart_text()) if SUMMARY.match(s)]
    assert said == ["67 passed, 0 failed, 2 skipped"], (
        f"the Quickstart names the calculator's summary: {said}"
    )
    assert lines[at - 1] == said[0], f"the README says the run ends with {said!r}: {ran!r}"
    assert lines[at + 1] == str(fresh.repo), f"quickstart 1 left the shell in {lines[at + 1]}"
    reports = fresh.repo / "examples" / "calculator" / "reports"
    for name in ("junit.xml", "report.html", "coverage.xml"):
        assert (reports / name).is_file(), f"{name} is not in {reports}: {ran!r}"
    count = re.fullmatch(r"(\d+) cases? selected", ran.last_line)
    assert count and int(count[1]) > 100, ran
    # It ran the installed package, not a copy on the path: import it from elsewhere.
    where = fresh.bash(
        "python -c 'import thinking_tests; print(thinking_tests.__file__)'", cwd=Path("/")
    )
    assert where.code == 0 and where.last_line.startswith(str(fresh.venv)), where
    unit = fresh.bash("python -m test.unit.run_all")
    assert unit.code == 0, unit
    assert unit.counts[0] > 0 and unit.counts[1] == 0, unit


@test(
    "in your own project: the pinned install takes this release line, init and the run work",
    tags=SLOW,
    timeout=900,
)
def own_project(fresh: Fresh) -> None:
    index = quickstart_commands()[0]
    wheels = fresh.repo.parent / "index"
    built = fresh.bash(f"pip wheel --quiet --no-deps --wheel-dir {wheels} {fresh.repo}")
    assert built.code == 0 and list(wheels.glob("thinking_tests-*.whl")), built
    user = Fresh(fresh.repo.parent / "my-project", fresh.repo.parent / "user-venv")
    user.repo.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(user.venv)], check=True, timeout=300)
    (user.repo / "mylib.py").write_text("def double(x):\n    return 2 * x\n", encoding="utf-8")
    lines = " && ".join(line.split("#")[0].strip() for line in own_project_lines())
    version = "python -m thinking_tests --version"
    ran = user.bash(
        f"export PIP_FIND_LINKS={wheels} && {index} && {version} && {lines}", timeout=600
    )
    assert ran.code == 0, f"the quickstart for one's own project exited {ran.code}: {ran!r}"
    release = re.search(r"^thinking-tests (\d+)\.(\d+)\S*$", ran.stdout, re.MULTILINE)
    assert release and (int(release[1]), int(release[2])) >= (0, 1), ran
    assert SUMMARY.match(ran.last_line) and ran.counts[1] == 0 and ran.counts[0] >= 1, ran
    assert (user.repo / "reports" / "junit.xml").is_file(), ran


if __name__ == "__main__":
    run_current_module()
