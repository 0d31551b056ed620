"""Retries under pytest: the built-in engine runs a failed case again itself (the case
runner's `retried`); pytest runs each item's stages as its own phases, so there retries are
pytest-rerunfailures' `--reruns` and `flaky` marker, handed over when it is installed. Its
reruns become our failed attempts in the pytest engine's result collector.

Without it, `--reruns` and `config.retries` (asked of this run) are refused in one sentence;
`@test(retries=N)` (declared in code that the unittest engine runs too) is not applied, and one
warning line per run names the cases."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from thinking_tests.usage import UsageError

PLUGIN = "pytest_rerunfailures"
_HIDDEN = ("no:rerunfailures", "no:pytest_rerunfailures")  # -p that keeps pytest from loading it
_NAMED = 3  # cases the warning names before it counts the rest


def installed() -> bool:
    """Whether pytest-rerunfailures can be loaded."""
    return importlib.util.find_spec(PLUGIN) is not None


def hidden(pytest_args: Sequence[str]) -> bool:
    """Whether the arguments keep pytest from loading pytest-rerunfailures (`-p no:rerunfailures`)."""
    return any(
        (arg == "-p" and following in _HIDDEN) or arg in {f"-p{name}" for name in _HIDDEN}
        for arg, following in zip(pytest_args, [*pytest_args[1:], ""])
    )


def to_rerunfailures(retries: int, pytest_args: list[str]) -> list[str]:
    """The pytest engine's arguments with `--reruns` handed to pytest-rerunfailures (unless
    they name it already); one sentence when it is not installed or the arguments hide it."""
    if not installed() or hidden(pytest_args):
        raise UsageError(
            f"retries ({retries}, from --reruns or config.retries) under the pytest engine need "
            "pytest-rerunfailures: pip install pytest-rerunfailures, or run on the unittest engine"
        )
    if any(arg == "--reruns" or arg.startswith("--reruns=") for arg in pytest_args):
        return pytest_args
    return [*pytest_args, "--reruns", str(retries)]


def not_applied(ids: Sequence[str]) -> str:
    """The one warning line for cases whose `@test(retries=N)` pytest cannot apply."""
    named = ", ".join(ids[:_NAMED]) + (f" and {len(ids) - _NAMED} more" if len(ids) > _NAMED else "")
    cases = "case" if len(ids) == 1 else "cases"
    return (
        f"thinking-tests: warning: @test(retries=...) of {len(ids)} {cases} ({named}) not applied: "
        "under pytest, retries need pytest-rerunfailures (pip install pytest-rerunfailures)"
    )
