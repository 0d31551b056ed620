"""Retries under pytest: the built-in engine runs a failed case again itself (the case
runner's `retried`); pytest runs each item's stages as its own phases, so there retries are
pytest-rerunfailures' `--reruns` and `flaky` marker, handed over when it is installed."""

from __future__ import annotations

import importlib.util

from thinking_tests.usage import UsageError

PLUGIN = "pytest_rerunfailures"


def installed() -> bool:
    """Whether pytest-rerunfailures can be loaded."""
    return importlib.util.find_spec(PLUGIN) is not None


def to_rerunfailures(retries: int, pytest_args: list[str]) -> list[str]:
    """The pytest engine's arguments with `--reruns` handed to pytest-rerunfailures (unless
    they name it already); one sentence when it is not installed."""
    if not installed():
        raise UsageError(
            f"retries ({retries}, from --reruns or config.retries) under the pytest engine need "
            "pytest-rerunfailures: pip install pytest-rerunfailures, or run on the unittest engine"
        )
    if any(arg == "--reruns" or arg.startswith("--reruns=") for arg in pytest_args):
        return pytest_args
    return [*pytest_args, "--reruns", str(retries)]
