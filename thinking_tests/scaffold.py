"""`python -m thinking_tests init`: make a repository a thinking-tests one.

It first finds every test the repository has, where plain `pytest` would find it (see
`layout`), plus thinking-tests' own test packages. Then it writes what is missing and nothing
else: a `__test__.py` with every setting (commented, at its default; the pytest engine chosen
when the tests are pytest-style), a `run_all.py` in every test package that `python -m` can
run from the root, a first test package with an example only when there is no test at all,
and `reports/` in `.gitignore`. It prints what it found and the command that runs all of it.
Running it twice changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from thinking_tests.config import CONFIG_FILE_NAMES
from thinking_tests.layout import Found, find_tests, pytest_style, start_paths, unittest_files
from thinking_tests.pytest_config import DEFAULT_FILES

RUN_ALL = 'from thinking_tests import run_all\n\nif __name__ == "__main__":\n    run_all()\n'

CONFIG = '''"""thinking-tests settings of this repository: imported before any test module.

Every setting is shown at its default; uncomment to change one.
"""

from thinking_tests import config

# config.backend = "unittest"              # or "pytest"
# config.timeout = None                    # seconds for every case without its own timeout
# config.capture = "fd"                    # or "sys", "no": how stdout and stderr are captured
# config.aspects.append(my_aspect)         # aspects around every case
# config.pytest_args = []                  # passed to pytest under the pytest engine

# config.reports.directory = "reports"     # every relative report path resolves under it
# config.reports.junit_xml = "junit.xml"   # None turns a report off
# config.reports.html = "report.html"
# config.reports.journal = "journal.jsonl"
# config.reports.max_output = 1024 * 1024  # characters of output kept per case

# config.coverage.enabled = True
# config.coverage.source = None            # e.g. ["mypackage"]; None measures what is not installed, but the tests
# config.coverage.branch = False
# config.coverage.include = None
# config.coverage.omit = None              # [] measures the tests too
# config.coverage.fail_under = None        # e.g. 90: a lower total fails the run
# config.coverage.subprocess = True        # measure Python subprocesses of tests
# config.coverage.data_file = ".coverage"
# config.coverage.xml = "coverage.xml"
# config.coverage.html = "coverage-html"
'''

EXAMPLE = '''from thinking_tests import run_current_module, test


@test
def adds():
    assert 1 + 1 == 2


@test("strings join", tags=["fast"])
def joins():
    assert "-".join(["a", "b"]) == "a-b"


if __name__ == "__main__":
    run_current_module()
'''


def _is_package(directory: Path) -> bool:
    return (directory / "__init__.py").is_file()


def _testish(directory: Path) -> bool:
    name = directory.name.lower()
    return name.startswith("test") or name.endswith(("tests", "_test"))


def _declaring_modules(root: Path) -> list[Path]:
    """Modules of the root's test packages (thinking-tests' convention) that use it: they
    hold cases whatever their file names, which pytest's python_files may not match."""
    from thinking_tests.targets import test_packages

    found: list[Path] = []
    for target in test_packages(str(root)):
        for file in _package_files(Path(target.path)):
            try:
                if "thinking_tests" in file.read_text(encoding="utf-8", errors="replace"):
                    found.append(file)
            except OSError:
                continue
    return found


def _package_files(directory: Path) -> set[Path]:
    """Every module a package target runs: below it through packages, as `run_all` imports."""
    from thinking_tests.discover import walk_package

    files: set[Path] = set()
    stack = [directory]
    while stack:
        here = stack.pop()
        for _, file, is_package in walk_package("p", str(here)):
            if is_package:
                stack.append(Path(file).parent)
            else:
                files.add(Path(file).resolve())
    return files


def _runs(path: Path) -> set[Path]:
    """The module files `python -m thinking_tests PATH` runs."""
    from thinking_tests.targets import resolve
    from thinking_tests.usage import UsageError

    try:
        targets = resolve(str(path))
    except UsageError:
        return set()
    files: set[Path] = set()
    for target in targets:
        if target.kind == "module":
            files.add(Path(target.path).resolve())
        else:
            files.update(_package_files(Path(target.path)))
    return files


def _candidate(root: Path, directory: Path) -> Path:
    """The folder to name for the tests in `directory`: the highest test-named package above
    it (tests/unit -> tests, pkg/tests/unit -> pkg/tests), else the folder itself."""
    best = directory
    here = directory
    while _is_package(here) and here != root:
        if _testish(here):
            best = here
        here = here.parent
    return best


def targets(root: Path, tests: set[Path], excluded: set[Path]) -> list[Path]:
    """The fewest paths that, given to `python -m thinking_tests`, run exactly `tests`.

    A folder is named when what it runs holds no test twice and nothing pytest would leave
    out (an ignored file, a `test_*.py` outside a custom python_files); otherwise its test
    files are named one by one.
    """
    def shallow_first(path: Path) -> tuple[int, str]:
        return len(path.parts), str(path)

    candidates = sorted({_candidate(root, f.parent) for f in tests}, key=shallow_first)
    chosen: list[Path] = []
    covered: set[Path] = set()
    for candidate in candidates:
        runs = _runs(candidate)
        mine = runs & tests
        if not mine - covered:
            continue
        extra = {f for f in runs - tests if any(f.match(p) for p in DEFAULT_FILES)}
        if mine & covered or runs & excluded or extra:
            continue  # its files are named one by one below
        chosen.append(candidate)
        covered |= mine
    chosen.extend(tests - covered)
    return sorted(chosen)


def _shown(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else "."


def _where(root: Path, files: set[Path]) -> str:
    """How many files in which folders: "3 in tests, 1 in tests/unit"."""
    by_folder: dict[str, int] = {}
    for file in sorted(files, key=lambda f: f.parent.parts):
        folder = _shown(root, file.parent)
        by_folder[folder] = by_folder.get(folder, 0) + 1
    shown = [f"{count} in {folder}" for folder, count in list(by_folder.items())[:6]]
    if len(by_folder) > 6:
        shown.append(f"{sum(list(by_folder.values())[6:])} in {len(by_folder) - 6} more folders")
    return ", ".join(shown)


def _summary(root: Path, found: Found, tests: set[Path], doctests: set[Path], pytest_tests: bool) -> str:
    """One or two lines: how many test files in which folders, and where the doctests are."""
    notes = ["pytest-style"] if pytest_tests else []
    if found.settings.testpaths and found.settings.source:
        notes.append(f"testpaths of {found.settings.source}")
    about = f" ({', '.join(notes)})" if notes else ""
    plural = "s" if len(tests) != 1 else ""
    line = f"found {len(tests)} test file{plural}{about}: {_where(root, tests)}"
    if doctests:
        modules = "module" if len(doctests) == 1 else "modules"
        line += f"\nand doctests in {len(doctests)} {modules}: {_where(root, doctests)}"
    return line


def _command(root: Path, chosen: list[Path], backend: str | None) -> str:
    if len(chosen) == 1 and _is_package(chosen[0]) and (chosen[0] / "run_all.py").is_file():
        from thinking_tests.registry import name_from_path, package_root

        init_file = str(chosen[0] / "__init__.py")
        if Path(package_root(init_file)) == root and backend is None:
            return f"python -m {name_from_path(init_file)}.run_all"
    paths = " ".join(_shown(root, p) for p in chosen)
    flag = f" --backend {backend}" if backend else ""
    return f"python -m thinking_tests {paths}{flag}"


_PYTEST_BACKEND = re.compile(r"^\s*config\.backend\s*=\s*[\"']pytest[\"']", re.MULTILINE)


def _configured_pytest(root: Path) -> bool | None:
    """Whether the existing settings file selects the pytest engine; None: there is none."""
    for name in CONFIG_FILE_NAMES:
        path = root / name
        if path.is_file():
            return bool(_PYTEST_BACKEND.search(path.read_text(encoding="utf-8", errors="replace")))
    return None


def _sample_folder(root: Path, found: Found) -> Path:
    """Where the example goes in a repository without tests: its one plain testpath, else
    an existing tests/ folder, else test/."""
    paths = found.settings.testpaths
    if len(paths) == 1 and not any(c in paths[0] for c in "*?[") and not os.path.isabs(paths[0]):
        return root / paths[0]
    return root / "tests" if (root / "tests").is_dir() else root / "test"


def _write_new(path: Path, text: str, done: list[str], root: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    done.append(f"wrote {path.relative_to(root).as_posix()}")


def _found(root: Path) -> tuple[Found, set[Path]]:
    found = find_tests(root)
    starts = start_paths(root, found.settings)
    unittests = {f for f in unittest_files(root) if any(f.is_relative_to(s) for s in starts)}
    return found, {*found.files, *_declaring_modules(root), *unittests}


def init(root: Path) -> int:
    root = root.resolve()
    if not root.is_dir():
        print(f"thinking-tests: {root} is not a directory")
        return 4
    done: list[str] = []
    found, tests = _found(root)
    if not tests:
        # No test anywhere: a first test package with an example.
        folder = _sample_folder(root, found)
        _write_new(folder / "test_example.py", EXAMPLE, done, root)
        _write_new(folder / "__init__.py", "", done, root)
        # A python_files setting may not match the example's name: it is run all the same.
        found, tests = _found(root)
        tests = tests or {(folder / "test_example.py").resolve()}
    # Under --doctest-modules pytest runs the examples of every module too: only the pytest
    # engine does, and the command must name where they are.
    doctests = set(found.doctests) - tests
    pytest_tests = bool(doctests) or pytest_style(root, tuple(sorted(tests)))
    configured = _configured_pytest(root)
    if configured is None:
        text = CONFIG
        if pytest_tests:
            # Plain `def test_...` functions, pytest classes and conftest fixtures need pytest.
            text = text.replace(
                '# config.backend = "unittest"              # or "pytest"',
                'config.backend = "pytest"                # the tests here are pytest-style',
            )
            done.append("the tests are pytest-style: __test__.py selects the pytest engine")
        _write_new(root / "__test__.py", text, done, root)
    chosen = targets(root, tests | doctests, set(found.excluded))
    for target in chosen:
        # Only test packages get one: a library with tests beside its code stays as it is.
        if target.is_dir() and _is_package(target) and _testish(target) and _runnable_from(root, target):
            _write_run_alls(target, done, root)
    _ignore_reports(root, done)
    for line in done or ["nothing to do: this repository is set up already"]:
        print(line)
    print(_summary(root, found, tests, doctests, pytest_tests))
    backend = "pytest" if pytest_tests and configured is False else None
    print(f"run the tests with: {_command(root, chosen, backend)}")
    if Path.cwd().resolve() != root:
        print(f"  (from {root})")
    return 0


def _runnable_from(root: Path, package: Path) -> bool:
    """Whether `python -m package.run_all` works from the root: every folder up is a package."""
    from thinking_tests.registry import package_root

    return Path(package_root(str(package / "__init__.py"))) == root


def _write_run_alls(package: Path, done: list[str], root: Path) -> None:
    """A run_all.py in the package and in every package below it (folders with __init__.py)."""
    for directory, subdirectories, _ in os.walk(package):
        subdirectories[:] = sorted(
            d for d in subdirectories
            if d.isidentifier() and _is_package(Path(directory) / d)
        )
        _write_new(Path(directory) / "run_all.py", RUN_ALL, done, root)


def _ignore_reports(root: Path, done: list[str]) -> None:
    gitignore = root / ".gitignore"
    text = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if any(line.strip().strip("/") == "reports" for line in text.splitlines()):
        return
    with open(gitignore, "a", encoding="utf-8") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        handle.write("# thinking-tests reports\nreports/\n")
    done.append("added reports/ to .gitignore")
