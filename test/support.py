"""Helpers for this project's own tests: real projects on disk, real subprocess runs."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The schema CI servers validate JUnit XML against, shipped with the tests.
JENKINS_XSD = REPO / "test" / "schemas" / "jenkins-junit-10.xsd"
RUN_ALL = 'from thinking_tests import run_all\n\nif __name__ == "__main__":\n    run_all()\n'
# The contract's summary line, after an optional word (`tests:`, `coverage-failed:`).
SUMMARY = re.compile(r"^(?:\w[\w-]*: )?(\d+) passed, (\d+) failed, (\d+) skipped$")


@dataclass(frozen=True)
class Ran:
    """A finished subprocess: its exit code, output, and the summary line's numbers."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def last_line(self) -> str:
        lines = self.stdout.rstrip("\n").splitlines()
        return lines[-1] if lines else ""

    @property
    def counts(self) -> tuple[int, int, int]:
        """(passed, failed, skipped) from the last line, which must be the summary."""
        match = SUMMARY.match(self.last_line)
        assert match, f"last line is not a summary: {self.last_line!r}\n{self.output}"
        return int(match[1]), int(match[2]), int(match[3])

    def __repr__(self) -> str:  # shown when an assert about a run fails
        return f"<exit {self.code}>\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


_MADE: list[Path] = []


def remove_at_exit(path: Path) -> Path:
    """`path`, removed when this process ends (hundreds of projects pile up otherwise)."""
    _MADE.append(path)
    return path


@atexit.register
def _remove_made() -> None:
    for path in _MADE:
        shutil.rmtree(path, ignore_errors=True)


def project(files: dict[str, str], config: str | None = "") -> Path:
    """A temporary project, removed at exit: paths relative to its root -> file text (dedented).

    `config` is the text of its __test__.py; None writes none. Coverage is off unless the
    config turns it on, so runs stay quick; an empty string gives just that.
    """
    root = remove_at_exit(Path(tempfile.mkdtemp(prefix="tt-project-")))
    if config is not None:
        base = "from thinking_tests import config\nconfig.coverage.enabled = False\n"
        files = {"__test__.py": base + textwrap.dedent(config), **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def package(*names: str) -> dict[str, str]:
    """Files that make each dotted name a package with its own run_all.py."""
    files: dict[str, str] = {}
    for name in names:
        folder = name.replace(".", "/")
        files[f"{folder}/__init__.py"] = ""
        files[f"{folder}/run_all.py"] = RUN_ALL
    return files


def env() -> dict[str, str]:
    """The environment for a run: this checkout's thinking_tests first on the path."""
    result = dict(os.environ)
    result["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), result.get("PYTHONPATH")) if p
    )
    result.pop("THINKING_TESTS_REEXEC", None)
    # Output buffered as users have it, whatever the shell running the tests set.
    result.pop("PYTHONUNBUFFERED", None)
    result["NO_COLOR"] = "1"
    return result


def run(*args: str, cwd: Path, timeout: float = 120, stdin: str | None = None) -> Ran:
    """`python ARGS...` in `cwd`, e.g. run("-m", "test.run_all", cwd=root)."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        input=stdin,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def chromium() -> str:
    """The headless browser the HTML report's browser tests open it in; the test is skipped,
    saying how to install one, where there is none (CI installs Debian's chromium)."""
    import shutil
    import unittest

    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise unittest.SkipTest(
        "headless Chromium is not installed: install it with `apt-get install chromium` "
        "(Debian, Ubuntu), `dnf install chromium` (Fedora) or `brew install --cask chromium` "
        "(macOS), or put a `chromium` executable on PATH"
    )


def run_pytest(*args: str, cwd: Path, timeout: float = 180) -> Ran:
    """`python -m pytest` with this checkout's plugin loaded by name."""
    return run("-m", "pytest", "-p", "thinking_tests.pytest_plugin", *args, cwd=cwd, timeout=timeout)


def one_sentence(ran: Ran) -> str:
    """The only line a refused run printed: one `thinking-tests: ...` sentence, no traceback."""
    lines = [line for line in ran.output.splitlines() if line.strip()]
    # argparse's own refusals print the usage first; the sentence is still the last line.
    while lines and lines[0].startswith(("usage:", " ")):
        lines.pop(0)
    assert len(lines) == 1, f"expected one sentence, got {len(lines)} lines: {ran!r}"
    assert lines[0].startswith("thinking-tests: "), ran
    assert "Traceback" not in ran.output, ran
    return lines[0]
