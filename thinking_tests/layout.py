"""Where a repository's tests are, found as plain `pytest` run at its root would find them.

Nothing is imported: the settings come from the root's pytest configuration file (`testpaths`,
`python_files`, `norecursedirs`, `--ignore` in `addopts`) and from literal `collect_ignore`
lists in conftest.py files; folders pytest never enters (hidden ones, virtual environments,
`node_modules`, `build`, ...) are skipped the same way.
"""

from __future__ import annotations

import ast
import fnmatch
import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path

from thinking_tests.pytest_config import PytestSettings, enters, read_settings


@dataclass(frozen=True)
class Found:
    """A repository's test files, and the files pytest's own rules exclude from collection."""

    settings: PytestSettings
    files: tuple[Path, ...]
    excluded: tuple[Path, ...]  # would match python_files but are ignored by a rule
    doctests: tuple[Path, ...] = ()  # other modules holding doctests, under --doctest-modules


def _collect_ignore(conftest: Path) -> tuple[list[Path], list[str]]:
    """Literal `collect_ignore` / `collect_ignore_glob` lists of a conftest.py, as paths."""
    paths: list[Path] = []
    patterns: list[str] = []
    try:
        tree = ast.parse(conftest.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return paths, patterns
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        names = {t.id for t in node.targets if isinstance(t, ast.Name)}
        if not names & {"collect_ignore", "collect_ignore_glob"}:
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue  # computed at import time: not known without importing
        if not isinstance(value, (list, tuple)):
            continue
        for item in value:
            if isinstance(item, str):
                if "collect_ignore" in names:
                    paths.append((conftest.parent / item).resolve())
                else:
                    patterns.append(str(conftest.parent / item))
    return paths, patterns


def start_paths(root: Path, settings: PytestSettings) -> list[Path]:
    """Where plain `pytest` at the root starts: its testpaths (globbed), else the root."""
    found: list[Path] = []
    for entry in settings.testpaths:
        pattern = entry if os.path.isabs(entry) else str(root / entry)
        found.extend(Path(p) for p in sorted(glob.glob(pattern, recursive=True)))
    return [p.resolve() for p in found if p.exists()] or [root]


def find_tests(root: Path) -> Found:
    """Every file plain `pytest` run at `root` would collect as a test module."""
    root = root.resolve()
    settings = read_settings(str(root), upward=False)
    ignored = {(root / p).resolve() for p in settings.ignore}
    ignored_globs = [p if os.path.isabs(p) else str(root / p) for p in settings.ignore_glob]
    files: list[Path] = []
    excluded: list[Path] = []
    doctests: list[Path] = []

    def is_ignored(path: Path) -> bool:
        return path in ignored or any(fnmatch.fnmatch(str(path), g) for g in ignored_globs)

    def test_module(path: Path) -> bool:
        return path.suffix == ".py" and settings.is_test_file(str(path))

    for start in start_paths(root, settings):
        if start.is_file():
            if start.suffix == ".py":
                files.append(start)
            continue
        for directory, subdirectories, names in os.walk(start):
            here = Path(directory)
            if "conftest.py" in names:
                paths, patterns = _collect_ignore(here / "conftest.py")
                ignored.update(paths)
                ignored_globs.extend(patterns)
            subdirectories[:] = sorted(
                d for d in subdirectories
                if enters(str(here / d), settings.norecursedirs) and not is_ignored(here / d)
            )
            for name in sorted(names):
                path = here / name
                if test_module(path):
                    (excluded if is_ignored(path) else files).append(path)
                elif settings.doctest_modules and _has_doctest(path) and not is_ignored(path):
                    doctests.append(path)
    unique = tuple(dict.fromkeys(files))
    return Found(
        settings,
        unique,
        tuple(p for p in dict.fromkeys(excluded) if p not in unique),
        tuple(p for p in dict.fromkeys(doctests) if p not in unique),
    )


def _has_doctest(path: Path) -> bool:
    """A module pytest's --doctest-modules would find examples in (setup.py and conftest.py
    it leaves alone)."""
    if path.suffix != ".py" or path.name in ("setup.py", "conftest.py", "__main__.py"):
        return False
    try:
        return ">>>" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def unittest_files(root: Path) -> list[Path]:
    """The modules `python -m unittest discover` finds at the root: `test*.py` files in
    packages reachable from it (Django's `app/tests.py` among them) that define TestCases."""
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(root.resolve()):
        here = Path(directory)
        subdirectories[:] = sorted(
            d for d in subdirectories if d.isidentifier() and (here / d / "__init__.py").is_file()
        )
        for name in sorted(names):
            if fnmatch.fnmatch(name, "test*.py") and name[:-3].isidentifier():
                try:
                    text = (here / name).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if "TestCase" in text:
                    found.append(here / name)
    return found


_PYTEST_STYLE = re.compile(
    r"^(?:(?:async\s+)?def\s+test\w*\s*\(|class\s+Test\w*\s*(?:\(\s*(?:object\s*)?\))?\s*:|@pytest\.)",
    re.MULTILINE,
)


def pytest_style(root: Path, files: tuple[Path, ...]) -> bool:
    """Whether the tests need pytest to run as written: plain `test_*` functions, `Test*`
    classes that are no TestCase, pytest marks, or fixtures in a conftest.py."""
    folders = {root.resolve(), *(f.parent for f in files)}
    if any((folder / "conftest.py").is_file() for folder in folders):
        return True
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "thinking_tests" in text:
            continue  # @test cases: runs on either engine
        if _PYTEST_STYLE.search(text):
            return True
    return False
