"""Helpers for the engine tests: engines installed into a folder of their own, and runs
that see it (importlib.metadata finds a dist-info on any sys.path entry)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from test.support import REPO, Ran, env

EXAMPLE = REPO / "examples" / "engine"


def install_example() -> Path:
    """examples/engine installed with pip into a new folder (no index, no network: its build
    backend, hatchling, is one of the dev extras); the caller removes the folder."""
    site = Path(tempfile.mkdtemp(prefix="tt-engine-site-"))
    build = Path(tempfile.mkdtemp(prefix="tt-engine-src-"))
    # Built from a copy: pip may leave build files beside the sources.
    source = build / "engine"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--disable-pip-version-check", "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    shutil.rmtree(build, ignore_errors=True)
    assert done.returncode == 0, f"pip could not install {EXAMPLE}:\n{done.stdout}\n{done.stderr}"
    return site


def fake_distribution(name: str, entry_points: dict[str, str], files: dict[str, str]) -> Path:
    """A folder holding one distribution's dist-info (with these engine entry points) and
    `files`, as an installer would leave it; the caller removes the folder."""
    site = Path(tempfile.mkdtemp(prefix="tt-engine-fake-"))
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[thinking_tests.engines]\n{lines}")
    for relative, text in files.items():
        (site / relative).write_text(textwrap.dedent(text))
    return site


def run_with(site: Path | None, *args: str, cwd: Path, timeout: float = 120) -> Ran:
    """`python ARGS...` in `cwd`, as test.support.run, with `site` on the path as well."""
    environment = env()
    if site is not None:
        environment["PYTHONPATH"] = os.pathsep.join((str(site), environment["PYTHONPATH"]))
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=environment, capture_output=True,
        text=True, errors="replace", timeout=timeout,
    )
    return Ran(done.returncode, done.stdout, done.stderr)
