"""What the HTML report says about where the run ran: its Environment section and version.

Read from the interpreter itself (`sys`, `os.uname`) and from the modules the run loaded,
not from `platform` or `importlib.metadata`, which every run would pay to import.
"""

from __future__ import annotations

import os
import sys

from thinking_tests.model import RunResult

# Bound at import: a case may leave os's functions mocked, and the report is written after
# every case ran.
_uname = getattr(os, "uname", None)

PACKAGES: tuple[str, ...] = ("thinking-tests", "pytest", "coverage")

# Modules whose __version__ answers without importlib.metadata.
_VERSION_MODULES = {"thinking-tests": "thinking_tests", "pytest": "pytest", "coverage": "coverage"}

# platform.python_implementation()'s names.
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}


def environment(results: RunResult) -> list[tuple[str, str]]:
    """What a reader needs to reproduce the run; packages that are not loaded are left out."""
    rows = list(_platform())
    for name in PACKAGES:
        version = _package_version(name)
        if version is not None:
            rows.append((name, version))
    if results.command:
        import shlex

        rows.append(("Command", shlex.join(results.command)))
    rows.append(("Backend", results.backend))
    if results.selection.targets:
        rows.append(("Targets", " ".join(results.selection.targets)))
    if results.selection.partial:
        rows.append(("Selection", results.selection.describe()))
    rows.append(("Executable", sys.executable))
    return rows


def own_version() -> str:
    """This package's version, which the report names: its `__version__`, else the installed
    distribution's metadata; "" when neither knows it."""
    version = getattr(sys.modules.get("thinking_tests"), "__version__", None)
    if isinstance(version, str) and version:
        return version
    try:
        from importlib.metadata import version as installed

        return installed("thinking-tests")
    except (ImportError, OSError, ValueError):  # not installed (PackageNotFoundError is an
        # ImportError), or unreadable metadata: the report goes on without it
        return ""


def _package_version(name: str) -> str | None:
    """The version of a package this run loaded; None for one it did not (say, pytest under
    the unittest engine), which the environment section then leaves out."""
    if name == "thinking-tests":
        return own_version() or None
    module = sys.modules.get(_VERSION_MODULES.get(name, ""))
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None


def _platform() -> tuple[tuple[str, str], tuple[str, str]]:
    """("Python", "CPython 3.12.1") and ("Platform", "Linux 6.1.0 (x86_64)")."""
    name = sys.implementation.name
    python = f"{_IMPLEMENTATIONS.get(name, name)} {sys.version.split(maxsplit=1)[0]}"
    if _uname is not None:
        system, _, release, _, machine = _uname()
    else:  # Windows
        import platform

        system, _, release, _, machine, _ = platform.uname()
    return ("Python", python), ("Platform", f"{system} {release} ({machine})")
