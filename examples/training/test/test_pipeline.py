"""The whole job: `python -m trainer` in a real subprocess, and run_pipeline in-process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from thinking_tests import run_current_module, test

from trainer.pipeline import STAGES, Settings, main, run_pipeline

# The folder holding the trainer package: `python -m trainer` must start there.
PROJECT = Path(__file__).resolve().parents[1]


def run_trainer(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """`python -m trainer ARGS`; a hung job raises TimeoutExpired instead of hanging the run."""
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True, text=True, cwd=PROJECT, timeout=timeout,
    )


@test("python -m trainer runs data, split, train and evaluate, in that order", timeout=60)
def runs_end_to_end(tmp_path: Path) -> None:
    done = run_trainer("--workdir", str(tmp_path), "--epochs", "15", "--examples", "300", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    stages = [line[1 : line.index("]")] for line in done.stdout.splitlines() if line.startswith("[")]
    assert list(dict.fromkeys(stages)) == list(STAGES)
    assert done.stdout.splitlines()[-1].startswith("done in ")

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert list(summary["timings"]) == list(STAGES)
    assert all(seconds >= 0 for seconds in summary["timings"].values())
    assert summary["validation"]["examples"] == 60
    assert summary["validation"]["accuracy"] >= 0.8
    assert summary["resumed_from"] is None
    assert (tmp_path / "data.csv").exists() and (tmp_path / "checkpoints").is_dir()


@test("a second run in the same work directory loads the data and resumes training", timeout=60)
def second_run_resumes(tmp_path: Path) -> None:
    first = run_trainer("--workdir", str(tmp_path), "--epochs", "4", "--patience", "0", "-q")
    assert first.returncode == 0, first.stderr
    second = run_trainer("--workdir", str(tmp_path), "--epochs", "7", "--patience", "0", "-q")
    assert second.returncode == 0, second.stderr
    assert "[data] loaded 500 examples from data.csv" in second.stdout
    assert "[train] resumed from the checkpoint of epoch 4" in second.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["resumed_from"], summary["epochs"]) == (4, 7)


@test("a command line without --workdir is a usage error: exit code 2", timeout=30)
def needs_a_workdir() -> None:
    done = run_trainer("--epochs", "3")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: python -m trainer")
    assert "--workdir" in done.stderr.splitlines()[-1]


@test
def bad_settings_are_one_line_on_stderr(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--workdir", str(tmp_path), "--validation-fraction", "1.5"], out=out, err=err)
    assert code == 1
    assert err.getvalue() == "error: validation_fraction must be between 0 and 1, not 1.5\n"


@test("run_pipeline times every stage and writes its results")
def times_every_stage(tmp_path: Path) -> None:
    out = io.StringIO()
    result = run_pipeline(tmp_path, Settings(epochs=5, examples=200, seed=2), out=out, verbose=False)
    assert list(result.timings) == list(STAGES)
    assert result.training is not None and len(result.training.history) == 5
    assert result.validation is not None and result.validation.examples == 40
    assert "[train] epoch" not in out.getvalue()  # verbose=False: no line per epoch
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics == result.validation.to_dict()


if __name__ == "__main__":
    run_current_module()
