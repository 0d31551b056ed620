"""`python -m thinking_tests init`: make a repository a thinking-tests one.

Writes what is missing and nothing else: a `__test__.py` with every setting (commented, at
its default), a `run_all.py` in every test package, a first test package with an example
when there is none, and `reports/` in `.gitignore`. Running it twice changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from thinking_tests.config import CONFIG_FILE_NAMES

RUN_ALL = 'from thinking_tests import run_all\n\nif __name__ == "__main__":\n    run_all()\n'

CONFIG = '''"""thinking-tests settings of this repository: imported before any test module.

Every setting is shown at its default; uncomment to change one.
"""

from thinking_tests import config

# config.backend = "unittest"              # or "pytest"
# config.timeout = None                    # seconds for every case without its own timeout
# config.capture = True                    # capture stdout, stderr and logging per case
# config.aspects.append(my_aspect)         # aspects around every case
# config.pytest_args = []                  # passed to pytest under the pytest engine

# config.reports.directory = "reports"     # every relative report path resolves under it
# config.reports.junit_xml = "junit.xml"   # None turns a report off
# config.reports.html = "report.html"
# config.reports.journal = "journal.jsonl"
# config.reports.max_output = 1024 * 1024  # characters of output kept per case

# config.coverage.enabled = True
# config.coverage.source = None            # e.g. ["mypackage"]; None measures what is not installed
# config.coverage.branch = False
# config.coverage.include = None
# config.coverage.omit = None
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


def _test_packages(root: Path) -> list[Path]:
    """Folders named test or tests, and packages holding a run_all.py, at the root."""
    found: list[Path] = []
    for entry in sorted(root.iterdir()):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        if entry.name in ("test", "tests") or (entry / "run_all.py").is_file():
            found.append(entry)
    return found


def _has_pytest_functions(packages: list[Path]) -> bool:
    """Whether test modules hold plain pytest functions (`def test_...` without @test)."""
    import re

    plain = re.compile(r"^(async )?def test_\w*\(", re.MULTILINE)
    for package in packages:
        for path in package.rglob("test_*.py"):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if plain.search(text) and "thinking_tests" not in text:
                return True
    return False


def _write_new(path: Path, text: str, done: list[str], root: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    done.append(f"wrote {path.relative_to(root).as_posix()}")


def init(root: Path) -> int:
    root = root.resolve()
    if not root.is_dir():
        print(f"thinking-tests: {root} is not a directory")
        return 4
    done: list[str] = []
    packages = _test_packages(root)
    if not any((root / name).exists() for name in CONFIG_FILE_NAMES):
        text = CONFIG
        if _has_pytest_functions(packages):
            # Plain `def test_...` functions run under the pytest engine (unittest runs only
            # @test cases and TestCase classes).
            text = text.replace(
                '# config.backend = "unittest"              # or "pytest"',
                'config.backend = "pytest"                # the tests here are pytest functions',
            )
            done.append("found pytest test functions: __test__.py selects the pytest engine")
        _write_new(root / "__test__.py", text, done, root)
    if not packages:
        packages = [root / "test"]
        _write_new(root / "test" / "test_example.py", EXAMPLE, done, root)
    for package in packages:
        for directory, subdirectories, files in os.walk(package):
            subdirectories[:] = sorted(
                d for d in subdirectories if not d.startswith((".", "__")) and d.isidentifier()
            )
            here = Path(directory)
            has_python = any(f.endswith(".py") for f in files) or here == package
            if not has_python and not (here / "__init__.py").exists():
                continue  # data folders stay as they are
            _write_new(here / "__init__.py", "", done, root)
            _write_new(here / "run_all.py", RUN_ALL, done, root)
    _ignore_reports(root, done)
    for line in done or ["nothing to do: this repository is set up already"]:
        print(line)
    if done:
        names = " ".join(p.name for p in packages)
        print(f"run the tests with: python -m {packages[0].name}.run_all   (test packages: {names})")
    return 0


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
