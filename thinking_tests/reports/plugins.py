"""Reports of other packages: found through the entry-point group `thinking_tests.reports`,
which is scanned only when `config.reports.plugins` names a report (the built-in reports
never need it)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thinking_tests.reports import BUILT_IN, GROUP

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from thinking_tests.model import RunResult


class UnknownReport(LookupError):
    """A report plug-in that is not installed, or cannot be loaded: one sentence."""


@functools.cache
def _entry_points() -> dict[str, "EntryPoint"]:
    """The group's entry points by name, scanned once per process, and only when asked."""
    from importlib.metadata import entry_points

    return {entry.name: entry for entry in entry_points(group=GROUP)}


def installed() -> list[str]:
    """The names of every report there is: the built-in ones and those of installed packages."""
    return sorted({*BUILT_IN, *_entry_points()})


def find(name: str) -> "EntryPoint":
    """The entry point of the report plug-in `name`, or UnknownReport listing what there is."""
    entry = _entry_points().get(name)
    if entry is None:
        raise UnknownReport(
            f"config.reports.plugins names the report {name!r}, which no installed package "
            f"provides (installed reports: {', '.join(installed())})"
        )
    return entry


def load(name: str) -> Callable[..., None]:
    """The writer of the report plug-in `name`, imported; UnknownReport says why not."""
    entry = find(name)
    try:
        write = entry.load()
    except Exception as error:
        raise UnknownReport(
            f"the report plug-in {name!r} ({entry.value}) cannot be loaded: "
            f"{type(error).__name__}: {error}"
        ) from None
    if not callable(write):
        raise UnknownReport(f"the report plug-in {name!r} ({entry.value}) is not a write(results, path) callable")
    return write  # type: ignore[no-any-return]


class PluginFailed(ValueError):
    """A report plug-in raised: its report is one that could not be written (the others are)."""


def plugin_writer(name: str, max_output: int) -> Callable[["RunResult", Path], None]:
    """A writer that loads the plug-in `name` when first called, makes the report's folder,
    gives the plug-in `max_output` if it takes that keyword, and turns whatever it raises
    into an OSError or ValueError: the run says it could not write that report, and goes on
    with the others."""
    loaded: list[Callable[..., None]] = []

    def write(results: "RunResult", path: Path) -> None:
        try:
            if not loaded:
                loaded.append(load(name))
            plugin = loaded[0]
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # as the built-in reports do
            if _takes_max_output(plugin):
                plugin(results, path, max_output=max_output)
            else:
                plugin(results, path)
        except (OSError, ValueError):
            raise
        except UnknownReport as error:
            raise PluginFailed(str(error)) from None
        except Exception as error:
            raise PluginFailed(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__) from error

    return write


def _takes_max_output(write: Callable[..., Any]) -> bool:
    import inspect

    try:
        parameters = inspect.signature(write).parameters.values()
    except (TypeError, ValueError):  # a builtin or an object without a signature
        return False
    return any(
        p.name == "max_output" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) or p.kind is p.VAR_KEYWORD
        for p in parameters
    )
