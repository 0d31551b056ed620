"""Without FastAPI the tests must refuse to run, loudly, rather than skip and pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from thinking_tests import run_current_module, test

PROJECT = Path(__file__).resolve().parents[1]

# Loaded by the child Python at start-up: makes `import fastapi` fail as if not installed.
HIDE_FASTAPI = 'import sys\nsys.modules["fastapi"] = None\n'


@test(
    "without fastapi: one line saying what to install, exit code 4",
    params=[("-m", "test.run_all"), ("-m", "test.api.test_settings"), ("-m", "thinking_tests")],
    ids=["run_all", "one-module", "command-line"],
    timeout=60,
)
def refuses_to_run_without_fastapi(option: str, target: str, tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(HIDE_FASTAPI)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tmp_path), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, option, target, "--no-reports", "--no-coverage"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 4, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].endswith("the service tests need fastapi, which is not installed: pip install fastapi uvicorn httpx")


if __name__ == "__main__":
    run_current_module()
