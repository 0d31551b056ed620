"""`--affected`: run only the cases a change since the last measured run can affect.

Every run that measures coverage with a context per case (see `coverage_contexts`) ends by
writing a record beside coverage's data file: the sha256 of every Python file of the project
(and of every measured file outside it, and the settings files of the root), and for each
case the files it ran, read from the contexts of the coverage data, its own test module
included. The record sits beside the data because it describes that data: a run that moves
the data file (config.coverage.data_file) moves its record too. It is written only at the end
of a run, so an interrupted or refused run leaves the last complete record as it was.

`--affected` compares the files as they are now with the record, by content, never by
timestamps, and leaves out the recorded cases that ran none of the changed files, unless they
failed or errored in the last run (its journal). Cases the record does not know (new, or
without coverage data) always run. When in doubt it runs everything and says why: a changed
`__test__.py`, conftest.py or settings file, a new or deleted file, or a changed file that no
case ran (module-level code, a helper of the tests).

Imported only by runs that measure coverage or ask for --affected.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.config import CONFIG_FILE_NAMES, CoverageSettings, ReportSettings

if TYPE_CHECKING:
    from coverage import CoverageData

    from thinking_tests.model import CaseResult

VERSION = 1
# Changed, these may change what any case does: every case runs.
EVERYTHING_FILES = frozenset({*CONFIG_FILE_NAMES, "conftest.py"})
SETTINGS_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", ".coveragerc")
# Folders that hold no code of the project: tools' caches, environments, dependencies.
_SKIPPED = frozenset({"__pycache__", "node_modules", "site-packages"})


def data_file(settings: CoverageSettings, reports: ReportSettings, root: Path) -> Path:
    """Where coverage's data file of a run goes (a relative path lands in the reports'
    directory, itself relative to the root)."""
    path = Path(settings.data_file)
    return path if path.is_absolute() else reports.folder(root) / path


def record_path(data: Path) -> Path:
    """The record beside coverage's data file (never named like coverage's parallel data
    files, `.coverage.*`, which coverage would combine)."""
    return data.with_name(f"{data.name}-affected.json")


@dataclass
class Record:
    """What the last measured run knew: file hashes and the files each case ran."""

    start: float
    hashes: dict[str, str]  # absolute path -> sha256 of its bytes
    cases: dict[str, list[str]]  # case id -> the absolute paths of the files it ran

    def to_json(self) -> bytes:
        files = sorted(self.hashes)
        index = {path: number for number, path in enumerate(files)}
        data = {
            "version": VERSION,
            "start": self.start,
            "files": [[path, self.hashes[path]] for path in files],
            # Case -> the numbers of its files in "files": a case runs few of many files.
            "cases": {case: sorted(index[p] for p in paths if p in index) for case, paths in sorted(self.cases.items())},
        }
        return json.dumps(data, separators=(",", ":")).encode("utf-8")

    @classmethod
    def read(cls, path: Path) -> Record | None:
        """The record at `path`; None when there is none, or it cannot be read."""
        try:
            data = json.loads(path.read_bytes())
            if data.get("version") != VERSION:
                return None
            files = [(str(p), str(h)) for p, h in data["files"]]
            cases = {str(case): [files[n][0] for n in numbers] for case, numbers in data["cases"].items()}
            return cls(float(data["start"]), dict(files), cases)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None


def digest(path: str) -> str | None:
    """sha256 of a file's bytes; None when it cannot be read (deleted)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def project_files(root: Path, skip: Iterable[Path] = ()) -> list[str]:
    """Every Python file under `root` and the settings files at it, as absolute paths;
    hidden folders, caches, virtual environments and `skip` (the reports) left out."""
    skipped = {os.path.abspath(p) for p in skip}
    found = [str(root / name) for name in SETTINGS_FILES if (root / name).is_file()]
    for folder, folders, files in os.walk(os.path.abspath(root)):
        folders[:] = [
            name for name in folders
            if not name.startswith(".") and name not in _SKIPPED and not name.endswith(".egg-info")
            and os.path.join(folder, name) not in skipped
            and not os.path.exists(os.path.join(folder, name, "pyvenv.cfg"))
        ]
        found.extend(os.path.join(folder, name) for name in files if name.endswith(".py"))
    return found


def hashes(paths: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in paths:
        value = digest(path)
        if value is not None:
            found[path] = value
    return found


def case_files(data: CoverageData) -> dict[str, set[str]]:
    """Case id -> the measured files it ran, from the contexts of coverage data."""
    files: dict[str, set[str]] = {}
    absolute = cache(os.path.abspath)  # a file's path is made absolute once, not per context
    for path, context in _file_contexts(data):
        case, bar, _ = context.rpartition("|")
        if bar and case:
            files.setdefault(case, set()).add(absolute(path))
    return files


# Which contexts ran lines (or arcs) of which file, in one query of coverage.py's database
# (its schema, version 7): per file through the public API it decodes every line of every
# context, most of the record's cost.
_FILE_CONTEXTS = """
    select distinct file.path, context.context from line_bits
    join file on file.id = line_bits.file_id join context on context.id = line_bits.context_id
    union
    select distinct file.path, context.context from arc
    join file on file.id = arc.file_id join context on context.id = arc.context_id
"""


def _file_contexts(data: CoverageData) -> Iterable[tuple[str, str]]:
    try:
        with data._connect() as db, db.execute(_FILE_CONTEXTS) as rows:  # type: ignore[attr-defined]
            return [(str(path), str(context)) for path, context in rows]
    except Exception:  # noqa: BLE001, S110 - coverage.py's internals differ: its public API, slower
        pass
    pairs: list[tuple[str, str]] = []
    data.set_query_contexts(None)
    for path in data.measured_files():
        seen: set[str] = set()
        for contexts in data.contexts_by_lineno(path).values():
            seen.update(contexts)
        pairs.extend((path, context) for context in seen)
    return pairs


def write_record(
    data: CoverageData, cases: Sequence[CaseResult], root: Path, reports: Path, start: float, path: Path
) -> None:
    """The record of a run that measured coverage with contexts, written atomically. A case
    that failed or errored gets none; one this run did not run keeps its earlier entry when
    none of its files changed since."""
    from thinking_tests.model import Outcome
    from thinking_tests.reports._files import write_atomic

    covered = case_files(data)
    ran = {case.id for case in cases}
    absolute = cache(os.path.abspath)  # a module's path made absolute once, not per case
    for case in cases:
        if case.outcome in (Outcome.FAILED, Outcome.ERROR):
            # No record: it runs every time until it passes, even after runs without it.
            covered.pop(case.id, None)
        elif case.id in covered and case.file:
            covered[case.id].add(absolute(case.file))  # its own module: an edit runs it
    paths = set(project_files(root, [reports]))
    paths.update(p for files in covered.values() for p in files)
    now = hashes(paths)
    previous = Record.read(path)
    entries = {case: sorted(files) for case, files in covered.items()}
    if previous is not None:
        for case, files in previous.cases.items():
            if case not in ran and case not in entries and all(
                previous.hashes.get(p) == now.get(p, digest(p)) for p in files
            ):
                entries[case] = files
                now.update((p, previous.hashes[p]) for p in files if p not in now)
    write_atomic(path, Record(start, now, entries).to_json())


@dataclass
class Affected:
    """What --affected chose: every case (`everything` says why), or the recorded cases
    to leave out."""

    everything: str | None = None
    left_out: set[str] = field(default_factory=set)
    changed: list[str] = field(default_factory=list)
    since: str = ""

    def line(self, run: int | None = None, total: int | None = None) -> str:
        """The one terminal line: how many cases run of how many (when known here; pytest
        collects for itself), why, how many were left out."""
        if self.everything is not None:
            return f"--affected: {self.everything}; running every case"
        why = f"{self._changed()} changed since the run of {self.since}"
        if run is None or total is None:
            left = len(self.left_out)
            return f"--affected: {left} known case{'s' if left != 1 else ''} left out ({why})"
        return f"--affected: {run} of {total} cases run ({why}); {total - run} left out"

    def filter(self) -> str:
        """How the reports' selection tells it."""
        return f"--affected ({self._changed()} changed since the run of {self.since})"

    def _changed(self) -> str:
        files = len(self.changed)
        return f"{files} file{'s' if files != 1 else ''}" if files else "no file"


def choose(record_file: Path, root: Path, reports: Path, failed: set[str]) -> Affected:
    """Compare the project with the record at `record_file`; `failed`: the ids that failed
    or errored in the last run, which always run."""
    record = Record.read(record_file)
    if record is None:
        return Affected(f"no record of an earlier run that measured coverage ({_shown(record_file, root)})")
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.start))
    current = set(project_files(root, [reports]))
    changed: list[str] = []
    for path in sorted(current | set(record.hashes)):
        before = record.hashes.get(path)
        if before is None or digest(path) != before:
            changed.append(path)
    covered: set[str] = set()
    for files in record.cases.values():
        covered.update(files)
    for path in changed:
        name, shown = os.path.basename(path), _shown(Path(path), root)
        why = None
        if path not in record.hashes:
            if _is_test_module(name):
                continue  # its cases are new, so they run; nothing else can have used it yet
            why = f"{shown} is new"
        elif not os.path.exists(path):
            why = f"{shown} was deleted"
        elif name in EVERYTHING_FILES or name in SETTINGS_FILES:
            why = f"{shown} changed"
        elif path not in covered:
            why = f"{shown} changed and no case ran it"
        if why is not None:
            return Affected(f"{why} since the run of {since}", changed=changed, since=since)
    touched = set(changed)
    left_out = {case for case, files in record.cases.items() if not touched.intersection(files)} - failed
    return Affected(None, left_out, changed, since)


def _is_test_module(name: str) -> bool:
    """A file named as pytest's default test modules are (test_*.py, *_test.py)."""
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _shown(path: Path, root: Path) -> str:
    return os.path.relpath(path, root) if str(path).startswith(str(root)) else str(path)


def for_run(root: Path, journal: Path | None) -> Affected:
    """--affected for the run configured now: the record beside coverage's data file, the
    last run's failures from its journal."""
    from thinking_tests.config import config
    from thinking_tests.select import failed_in

    why = "so no run records which files each case ran"
    if not config.coverage.enabled:
        return Affected(f"coverage is off, {why}")
    if not config.coverage.contexts:
        return Affected(f"config.coverage.contexts is off, {why}")
    data = data_file(config.coverage, config.reports, root)
    return choose(record_path(data), root, config.reports.folder(root), failed_in(journal) or set())
