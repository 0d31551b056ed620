"""Every natural way to start a run works, or is refused (exit 4) with one sentence saying
what is wrong: `python -m run_all` inside the test package, `python test/test_x.py`, pytest
node ids as targets (from any folder, relative or absolute), dotted `pkg.module::name`, and
`--version`."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import RUN_ALL, junit_cases, listed, module, one_sentence, project, ran_ids, run
from test.support import REPO
from thinking_tests import fixture, run_current_module, test

# Every test module imports the project's own package `calc`, which only the repository
# root makes importable.
FILES = {
    "calc/__init__.py": "def add(a, b):\n    return a + b\n",
    "test/__init__.py": "",
    "test/run_all.py": RUN_ALL,
    "test/test_m.py": module(
        """
        import unittest

        from calc import add

        @test(params=[(1, 2), (2, 4), (3, 6)])
        def checks(value, double):
            assert add(value, value) == double

        @test
        def alone():
            assert add(1, 1) == 2

        class Cls(unittest.TestCase):
            def test_a(self):
                self.assertEqual(add(0, 0), 0)

            def test_b(self):
                pass

        class TestGroup:
            def test_one(self):
                pass

            def test_two(self):
                pass

        def test_plain():
            pass
        """
    ),
    "test/sub/__init__.py": "",
    "test/sub/run_all.py": RUN_ALL,
    "test/sub/test_s.py": module("from calc import add\n\n@test\ndef sub_case():\n    assert add(2, 2) == 4"),
    "loose/test_only.py": "def test_only():\n    pass\n",
    "notes.txt": "not a test\n",
}

MODULE_IDS = [
    "test.test_m::checks[0]",
    "test.test_m::checks[1]",
    "test.test_m::checks[2]",
    "test.test_m::alone",
    "test.test_m::Cls::test_a",
    "test.test_m::Cls::test_b",
    "test.test_m::TestGroup::test_one",
    "test.test_m::TestGroup::test_two",
    "test.test_m::test_plain",
]
SUB_IDS = ["test.sub.test_s::sub_case"]


@fixture(scope="module")
def root() -> Iterator[Path]:
    yield project(FILES)


def _reported(root: Path) -> list[str]:
    """The case ids of the run's JUnit XML report, in the reports folder of the root."""
    return [f"{classname}::{name}" for classname, name, _ in junit_cases(root / "reports" / "junit.xml")]


@test("python -m run_all inside the test package runs the whole package; reports go to the root")
def run_all_inside_the_package(root: Path) -> None:
    ran = run("-m", "run_all", "-v", cwd=root / "test")
    assert ran.code == 0, ran
    assert sorted(ran_ids(ran)) == sorted(MODULE_IDS + SUB_IDS), ran
    assert ran.counts == (10, 0, 0), ran
    assert sorted(_reported(root)) == sorted(MODULE_IDS + SUB_IDS), ran
    assert not (root / "test" / "reports").exists()


@test("python -m run_all inside a subpackage runs that subpackage only")
def run_all_inside_a_subpackage(root: Path) -> None:
    ran = run("-m", "run_all", "-v", cwd=root / "test" / "sub")
    assert ran.code == 0, ran
    assert ran_ids(ran) == SUB_IDS, ran
    assert _reported(root) == SUB_IDS, ran


@test(
    "a test module started as a file, or by its short name inside its package, runs its own "
    "cases under their real ids and imports the project's own package",
    params=[
        ("", ("test/test_m.py",), MODULE_IDS),
        ("", ("test/sub/test_s.py",), SUB_IDS),
        ("test", ("test_m.py",), MODULE_IDS),
        ("test", ("-m", "test_m"), MODULE_IDS),
        ("test", ("-m", "sub.test_s"), SUB_IDS),
        ("test/sub", ("-m", "test_s"), SUB_IDS),
    ],
    ids=["file", "file-in-subpackage", "file-inside", "short-name", "short-dotted-name", "short-name-in-subpackage"],
)
def module_as_file(folder: str, command: tuple[str, ...], expected: list[str]) -> None:
    root = project(FILES)
    ran = run(*command, "-v", cwd=root / folder)
    assert ran.code == 0, ran
    assert ran_ids(ran) == expected, ran
    assert _reported(root) == expected, ran


@test("with coverage on, a test module started as a file runs again with coverage under its real name")
def module_as_file_with_coverage() -> None:
    root = project(FILES, config='config.coverage.enabled = True\nconfig.coverage.source = ["calc"]\n')
    ran = run("-m", "test_m", "-v", cwd=root / "test")
    assert ran.code == 0, ran
    assert ran_ids(ran) == MODULE_IDS, ran
    assert (root / "reports" / "coverage.xml").is_file(), ran


# (folder to run from, target, the pytest target that selects the same cases or None, ids)
NODE_IDS: list[tuple[str, str, str | None, list[str]]] = [
    ("", "test/test_m.py::checks", "test/test_m.py::checks", MODULE_IDS[0:3]),
    ("", "test/test_m.py::checks[1]", "test/test_m.py::checks[1]", MODULE_IDS[1:2]),
    ("", "test/test_m.py::alone", "test/test_m.py::alone", MODULE_IDS[3:4]),
    ("", "test/test_m.py::Cls", "test/test_m.py::Cls", MODULE_IDS[4:6]),
    ("", "test/test_m.py::Cls::test_b", "test/test_m.py::Cls::test_b", MODULE_IDS[5:6]),
    ("", "test/test_m.py::TestGroup::test_one", "test/test_m.py::TestGroup::test_one", MODULE_IDS[6:7]),
    ("", "test/test_m.py::test_plain", "test/test_m.py::test_plain", MODULE_IDS[8:9]),
    ("", "{root}/test/test_m.py::checks[2]", "{root}/test/test_m.py::checks[2]", MODULE_IDS[2:3]),
    ("test", "test_m.py::alone", "test_m.py::alone", MODULE_IDS[3:4]),
    ("test", "sub/test_s.py::sub_case", "sub/test_s.py::sub_case", SUB_IDS),
    ("test/sub", "../test_m.py::checks[0]", "../test_m.py::checks[0]", MODULE_IDS[0:1]),
    ("loose", "test_only.py::test_only", "test_only.py::test_only", ["test_only::test_only"]),
    ("", "test.test_m::alone", None, MODULE_IDS[3:4]),
    ("", "test.test_m::checks[1]", None, MODULE_IDS[1:2]),
    ("", "test.test_m::Cls::test_a", None, MODULE_IDS[4:5]),
    ("", "test.sub.test_s::sub_case", None, SUB_IDS),
    ("test", "test.test_m::TestGroup", None, MODULE_IDS[6:8]),
]


def _after_module(identifier: str) -> str:
    return identifier.split("::", 1)[1]


@test(
    "a node id or module::name target runs exactly the cases it names, on both engines, as "
    "pytest selects them",
    params=NODE_IDS,
    ids=[f"{folder or '.'}:{target}" for folder, target, _, _ in NODE_IDS],
)
def node_id_targets(folder: str, target: str, pytest_target: str | None, expected: list[str], root: Path) -> None:
    cwd = root / folder
    listing = run("-m", "thinking_tests", target.format(root=root), "--list", cwd=cwd)
    assert listing.code == 0, listing
    assert listed(listing) == expected, listing
    for backend in ("unittest", "pytest"):
        ran = run("-m", "thinking_tests", target.format(root=root), "-v", "--backend", backend, cwd=cwd)
        assert ran.code == 0, ran
        assert ran_ids(ran) == expected, ran
        assert _reported(root) == expected, ran
    if pytest_target is None:  # pytest takes no dotted module names
        return
    plain = run(
        "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--no-tt-reports",
        pytest_target.format(root=root), cwd=cwd,
    )
    assert plain.code == 0, plain
    selected = [line for line in plain.stdout.splitlines() if "::" in line]
    assert [_after_module(i) for i in selected] == [_after_module(i) for i in expected], plain


# (target, the one sentence)
REFUSED = [
    ("test/nothere.py::alone", "node id test/nothere.py::alone: no file or folder test/nothere.py"),
    ("test/nothere.py", "no file or folder test/nothere.py"),
    (
        "test.nothere::alone",
        "node id test.nothere::alone: no module or package named 'test.nothere', and no file or "
        "folder of that name",
    ),
    ("test.nothere", "no module or package named 'test.nothere', and no file or folder of that name"),
    (
        "test::alone",
        "'test::alone' is not a node id: test is a package, not a module (give a module's file or "
        "name, then ::, then a case)",
    ),
    (
        "test.sub::sub_case",
        "'test.sub::sub_case' is not a node id: test.sub is a package, not a module (give a "
        "module's file or name, then ::, then a case)",
    ),
    (
        "loose::test_only",
        "'loose::test_only' is not a node id: loose is a folder, not a module (give a module's "
        "file or name, then ::, then a case)",
    ),
    (
        "test/test_m.py::",
        "'test/test_m.py::' is not a node id: give a module's file or name, then ::, then a case, "
        "as in test/test_x.py::name",
    ),
    (
        "test/test_m.py::Cls::",
        "'test/test_m.py::Cls::' is not a node id: give a module's file or name, then ::, then a "
        "case, as in test/test_x.py::name",
    ),
    (
        "test/test_m.py:alone",
        "no file test/test_m.py:alone: a node id puts :: between the module and its case, as in "
        "test/test_m.py::alone",
    ),
    (
        "test/test_m.py:12",
        "no file test/test_m.py:12: a node id puts :: between the module and its case, as in "
        "test/test_m.py::NAME",
    ),
    ("notes.txt::x", "node id notes.txt::x: notes.txt is not a Python file"),
]


@test(
    "a target that names no module is refused with one sentence that takes it as a path or as "
    "a module name, never both",
    params=REFUSED,
    ids=[target for target, _ in REFUSED],
)
def refused_targets(target: str, sentence: str, root: Path) -> None:
    ran = run("-m", "thinking_tests", target, cwd=root)
    assert ran.code == 4, ran
    assert one_sentence(ran) == f"thinking-tests: {sentence}", ran


def _project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as file:
        return str(tomllib.load(file)["project"]["version"])


@test("--version prints the version pyproject.toml gives, which is also thinking_tests.__version__")
def version() -> None:
    import thinking_tests

    expected = _project_version()
    assert thinking_tests.__version__ == expected
    ran = run("-m", "thinking_tests", "--version", cwd=REPO)
    assert ran.code == 0, ran
    assert ran.stdout == f"thinking-tests {expected}\n", ran
    assert ran.stderr == "", ran


# A process in which the installed metadata is missing, or is another release's.
_FAKE_METADATA = """\
import importlib.metadata, sys
def version(name):
    if {installed!r} is None:
        raise importlib.metadata.PackageNotFoundError(name)
    return {installed!r}
importlib.metadata.version = version
from thinking_tests.cli import main
sys.exit(main(["--version"]))
"""


@test(
    "--version falls back to thinking_tests.__version__ when not installed, or when the "
    "metadata found is another release's; it keeps a local suffix of this one",
    params=[(None, "{v}"), ("0.0.4", "{v}"), ("{v}+local", "{v}+local")],
    ids=["not-installed", "old-release-installed", "local-build"],
)
def version_fallback(installed: str | None, shown: str) -> None:
    current = _project_version()
    metadata = None if installed is None else installed.format(v=current)
    ran = run("-c", _FAKE_METADATA.format(installed=metadata), cwd=REPO)
    assert ran.code == 0, ran
    assert ran.stdout == f"thinking-tests {shown.format(v=current)}\n", ran


@test("a plain run never imports importlib.metadata, which only --version needs")
def no_metadata_on_a_plain_run() -> None:
    root = project({
        "test/__init__.py": "",
        "test/test_meta.py": module(
            """
            import sys

            @test
            def metadata_not_imported():
                assert "importlib.metadata" not in sys.modules
            """
        ),
    })
    for command in (("-m", "thinking_tests", "test"), ("-m", "test.test_meta")):
        ran = run(*command, cwd=root)
        assert ran.code == 0, ran
        assert ran.counts == (1, 0, 0), ran


if __name__ == "__main__":
    run_current_module()
