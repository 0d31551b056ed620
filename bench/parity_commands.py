"""The shell commands that reproduce the parity table by hand, printed at the top of its
output so they can be copied into the README as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SuiteSteps:
    """What a person types to run one suite as the table ran it."""

    name: str
    version: str
    sdist: str  # the archive's file name as the index serves it
    tree: str  # the folder the archive unpacks to
    requires: tuple[str, ...]  # installed beside the package and pytest
    runs: tuple[str, ...]  # own runner, default engine, pytest engine; in the source tree


def _unpack(sdist: str) -> str:
    return f"unzip -q {sdist}" if sdist.endswith(".zip") else f"tar xf {sdist}"


def reproduce_lines(steps: Sequence[SuiteSteps], argv: str) -> list[str]:
    """A Markdown section: the one command that makes the table, then each suite by hand."""
    lines = [
        "### Reproduce",
        "",
        f"From the root of a thinking-tests checkout, `{argv}` downloads the suites, "
        "prepares one venv each and prints this table (`--help` says more). By hand:",
        "",
        "```sh",
        'TT="$PWD"  # the root of the thinking-tests checkout',
        "mkdir -p parity && cd parity",
    ]
    for step in steps:
        venv = f"venv-{step.name}"
        install = " ".join([f"./{step.tree}", *step.requires, "pytest", '-e "$TT"'])
        lines += [
            "",
            f"# {step.name} {step.version}",
            f"python -m venv {venv} && . {venv}/bin/activate",
            f"pip download --no-binary :all: --no-deps {step.name}=={step.version}",
            f"{_unpack(step.sdist)} && pip install {install}",
            f"cd {step.tree}",
            *step.runs,
            "cd .. && deactivate",
        ]
    lines += ["```", ""]
    return lines
