"""Starting a run every natural way, and a fixture-name typo, point at the user's project.

Bare `pytest` (the console script) loads a `__test__.py` that imports from the project's
`test` package as `python -m pytest` does; when CPython's own `test` package is found
instead, the run stops with one sentence saying so and what to do. A parameter that is no
known fixture is an error at the case's file and line, with the closest names and the list
of fixtures there are, on both engines and under plain pytest, with no frames of ours.

The runs here must not find this checkout's own `test` package, so they get thinking_tests
alone on PYTHONPATH (a folder holding a link to the package), not the checkout's root.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from test.pytest_compat._helpers import (
    RUN_ALL,
    Ran,
    junit_messages,
    project,
    pytest_counts,
    run,
    run_pytest,
)
from test.support import REPO, env
from thinking_tests import run_current_module, test

STDLIB_TEST = os.path.join(os.path.abspath(sysconfig.get_paths()["stdlib"]), "test")
TRAINING = REPO / "examples" / "training"


def _package_only_path() -> str:
    """A folder whose one entry links to this checkout's thinking_tests package."""
    folder = Path(tempfile.mkdtemp(prefix="tt-package-only-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "thinking_tests").symlink_to(REPO / "thinking_tests", target_is_directory=True)
    return str(folder)


_PATH = _package_only_path()


def _env() -> dict[str, str]:
    result = env()
    result["PYTHONPATH"] = _PATH
    return result


def _console_script(name: str) -> str:
    """The console script installed beside this interpreter (the venv's `pytest`)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    raise AssertionError(f"no {name} console script beside {sys.executable}: install pytest")


def _run(*command: str, cwd: Path) -> Ran:
    done = subprocess.run(
        list(command), cwd=cwd, env=_env(), capture_output=True, text=True, errors="replace", timeout=300,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def bare_pytest(*args: str, cwd: Path) -> Ran:
    """`pytest ARGS` as a user types it: the console script, which does not put the working
    directory on sys.path."""
    return _run(_console_script("pytest"), "-p", "thinking_tests.pytest_plugin", "-p", "no:cacheprovider", *args, cwd=cwd)


def module_pytest(*args: str, cwd: Path) -> Ran:
    return _run(sys.executable, "-m", "pytest", "-p", "thinking_tests.pytest_plugin", "-p", "no:cacheprovider", *args, cwd=cwd)


def python(*args: str, cwd: Path) -> Ran:
    return _run(sys.executable, *args, cwd=cwd)


# --- item: bare pytest equals python -m pytest ---------------------------------------------

ASPECT_CONFIG = """\
from test.aspects import journal
config.aspects.append(journal)
"""

ASPECTS = '''\
from pathlib import Path
from thinking_tests import aspect, Stage

@aspect
def journal(stage, case):
    yield
    if stage is Stage.RUN:
        with open(Path(__file__).parent.parent / "aspect.log", "a") as log:
            log.write(case.id + "\\n")
'''


def aspect_project(package: str = "test", init: bool = True) -> Path:
    """A project whose __test__.py takes a global aspect from its test package."""
    files = {
        f"{package}/aspects.py": ASPECTS,
        f"{package}/run_all.py": RUN_ALL,
        f"{package}/test_adds.py": "from thinking_tests import test\n\n@test\ndef adds():\n    assert 1 + 1 == 2\n",
        "notes/readme.txt": "not a package\n",
    }
    if init:
        files[f"{package}/__init__.py"] = ""
    return project(files, config=ASPECT_CONFIG)


def _aspect_log(root: Path) -> list[str]:
    log = root / "aspect.log"
    return log.read_text().split() if log.exists() else []


@test("bare pytest loads a __test__.py importing from the project's test package, as python -m pytest does")
def bare_pytest_loads_config() -> None:
    for start in (bare_pytest, module_pytest):
        root = aspect_project()
        ran = start("-q", cwd=root)
        assert ran.code == 0, ran
        assert "1 passed" in ran.stdout, ran
        assert _aspect_log(root) == ["test.test_adds::adds"], ran  # the project's aspect ran


@test("bare pytest from a folder below the root (not a package) still loads __test__.py")
def bare_pytest_below_root() -> None:
    root = aspect_project()
    ran = bare_pytest("-q", cwd=root / "notes")
    assert ran.code == 5, ran  # nothing to collect there, and no error
    assert "thinking-tests:" not in ran.output, ran
    ran = bare_pytest("-q", "../test", cwd=root / "notes")
    assert ran.code == 0 and _aspect_log(root) == ["test.test_adds::adds"], ran


@test("examples/training: bare pytest runs what python -m pytest runs")
def training_example() -> None:
    parent = Path(tempfile.mkdtemp(prefix="tt-training-"))
    atexit.register(shutil.rmtree, parent, True)
    root = parent / "training"
    shutil.copytree(TRAINING, root, ignore=shutil.ignore_patterns("reports", "__pycache__", ".pytest_cache"))
    bare = bare_pytest("-q", "--no-tt-reports", cwd=root)
    assert bare.code == 0, bare
    module = module_pytest("-q", "--no-tt-reports", cwd=root)
    assert module.code == 0, module
    counts = pytest_counts(bare)
    assert counts == pytest_counts(module) and counts.get("passed", 0) > 0, (bare, module)


def _no_traceback(ran: Ran) -> None:
    assert "Traceback" not in ran.output, ran


@test("a test folder without __init__.py loses to CPython's test package: one sentence says so, on every runner")
def shadowed_by_stdlib_namespace() -> None:
    root = aspect_project(init=False)
    folder = root / "test"
    sentence = (
        f"{root / '__test__.py'}:1 raised ModuleNotFoundError: No module named 'test.aspects'; "
        f"`test` resolved to the standard library's package at {STDLIB_TEST}, not to this "
        f"project's folder {folder}, which has no __init__.py: add {folder / '__init__.py'} "
        f"(a folder without one loses to any package of its name)"
    )
    # __test__.py's first lines are the base settings of test.support.project.
    line = (root / "__test__.py").read_text().splitlines().index("from test.aspects import journal") + 1
    sentence = sentence.replace("__test__.py:1 ", f"__test__.py:{line} ")
    for ran, code in (
        (bare_pytest("-q", cwd=root), 4),
        (module_pytest("-q", cwd=root), 4),
        (python("-m", "thinking_tests", "test/test_adds.py", cwd=root), 4),
    ):
        assert ran.code == code, ran
        assert sentence in ran.output, ran
        assert ran.output.count("standard library's package") == 1, ran
        _no_traceback(ran)


@test("a project whose tests are in `tests` but whose __test__.py imports `test`: the sentence asks")
def shadowed_without_test_package() -> None:
    root = aspect_project(package="tests")
    ending = (
        f"`test` resolved to the standard library's package at {STDLIB_TEST}, not to this "
        f"project's: {root} has no `test` package (is it named `tests`?)"
    )
    for ran in (
        bare_pytest("-q", cwd=root),
        python("-m", "thinking_tests", cwd=root),
        python("-m", "tests.run_all", cwd=root),
    ):
        assert ran.code == 4, ran
        assert ran.output.rstrip().endswith(ending), ran
        _no_traceback(ran)


@test("CPython's test package imported before __test__.py ran: the sentence says so and what to do")
def shadowed_by_earlier_import() -> None:
    root = aspect_project()
    starter = "import sys; del sys.path[0]; import test; import pytest; sys.exit(pytest.main(['-q', '-p', 'thinking_tests.pytest_plugin']))"
    ran = python("-c", starter, cwd=root)
    assert ran.code == 4, ran
    assert (
        f"`test` resolved to the standard library's package at {STDLIB_TEST}, not to this project's "
        f"at {root / 'test'} (it was imported before __test__.py ran): run `python -m pytest` "
        f"from {root}, or name the project's package `tests`"
    ) in ran.output, ran
    _no_traceback(ran)


# --- item: errors point at the user's code ---------------------------------------------------

DB_MODULE = """\
from thinking_tests import fixture, test

@fixture(scope="module")
def database():
    return {"rows": 3}

@fixture
def connection(setings):
    return setings

@test
def counts_rows(databse):
    assert databse["rows"] == 3

@test
def connects(connection):
    pass

@test
def fine(database):
    assert database["rows"] == 3
"""

CONFTEST = """\
import pytest

@pytest.fixture
def settings():
    return {}
"""


def _line(text: str, marker: str) -> int:
    """The line of the decorator above `marker`: where a case or fixture is declared."""
    return text.splitlines().index(marker)  # 0-based index of the def = 1-based line above it


def typo_project() -> Path:
    return project({"test/__init__.py": "", "test/test_db.py": DB_MODULE, "conftest.py": CONFTEST})


CASE = _line(DB_MODULE, "def counts_rows(databse):")
FIXTURE = _line(DB_MODULE, "def connection(setings):")
CASE_SENTENCE = (
    f"test/test_db.py:{CASE}: case counts_rows asks for 'databse', which is neither a "
    f"parameter nor a known fixture; did you mean 'database'?"
)


def _fixture_sentence(suggestion: str) -> str:
    return (
        f"test/test_db.py:{FIXTURE}: fixture 'connection' asks for 'setings', which is neither a "
        f"parameter nor a known fixture{suggestion}"
    )


def _ours_only(ran: Ran) -> None:
    """Nothing of this package's internals shown: no frames, no stand-in function."""
    package = str(REPO / "thinking_tests")
    assert package not in ran.output and "thinking_tests/" not in ran.output, ran
    assert "def call(" not in ran.output and "never called" not in ran.output, ran
    _no_traceback(ran)


@test("unittest engine: a fixture typo names the case's file and line, suggests, lists, shows no frames")
def typo_unittest_engine() -> None:
    root = typo_project()
    ran = run("-m", "thinking_tests", cwd=root)
    assert ran.code == 1 and ran.counts == (1, 2, 0), ran
    assert CASE_SENTENCE + "\n" in ran.stdout, ran
    # No conftest under the unittest engine: nothing close to 'setings' among ours.
    assert _fixture_sentence("\n") in ran.stdout, ran
    assert "thinking-tests fixtures: connection, database, monkeypatch, recwarn, tmp_path\n" in ran.stdout, ran
    assert "pytest fixtures" not in ran.stdout, ran
    _ours_only(ran)
    messages = junit_messages(root / "reports" / "junit.xml")
    assert CASE_SENTENCE in messages["test.test_db::counts_rows"], messages


def _pytest_lists(ran: Ran) -> None:
    listed = [l for l in ran.stdout.splitlines() if "fixtures: " in l]
    assert any(l.endswith("thinking-tests fixtures: connection, database") for l in listed), ran
    pytest_lists = [l.partition("pytest fixtures: ")[2].split(", ") for l in listed if "pytest fixtures: " in l]
    assert pytest_lists, ran
    for names in pytest_lists:  # pytest's own and the conftest's, never ours twice
        assert {"tmp_path", "monkeypatch", "settings"} <= set(names), ran
        assert "database" not in names, ran


@test("pytest engine: the same sentence at the case's line, with pytest's fixtures listed too")
def typo_pytest_engine() -> None:
    root = typo_project()
    ran = run("-m", "thinking_tests", "--backend", "pytest", cwd=root)
    assert ran.code == 1 and ran.counts == (1, 2, 0), ran
    assert CASE_SENTENCE in ran.stdout, ran
    assert _fixture_sentence("; did you mean 'settings'?") in ran.stdout, ran
    _pytest_lists(ran)
    _ours_only(ran)
    messages = junit_messages(root / "reports" / "junit.xml")
    assert f"error in setup: FixtureLookupError: {CASE_SENTENCE}" in messages["test.test_db::counts_rows"], messages


@test("plain pytest: the error is at the case's file and line, not at the plugin's stand-in")
def typo_plain_pytest() -> None:
    root = typo_project()
    ran = run_pytest(cwd=root)
    assert ran.code == 1, ran
    assert "1 passed, 2 errors" in ran.stdout, ran
    assert f"E       {CASE_SENTENCE}\n" in ran.stdout, ran
    assert f"\n{root / 'test' / 'test_db.py'}:{CASE}\n" in ran.stdout, ran
    assert f"E       {_fixture_sentence('; did you mean')}" in ran.stdout, ran
    assert f"\n{root / 'test' / 'test_db.py'}:{FIXTURE}\n" in ran.stdout, ran
    _pytest_lists(ran)
    _ours_only(ran)


@test("plain pytest with xdist: the reports carry the sentence the workers' text holds")
def typo_xdist() -> None:
    root = typo_project()
    ran = run_pytest("-n", "2", cwd=root)
    assert ran.code == 1, ran
    messages = junit_messages(root / "reports" / "junit.xml")
    assert f"error in setup: FixtureLookupError: {CASE_SENTENCE}" in messages["test.test_db::counts_rows"], messages


if __name__ == "__main__":
    run_current_module()
