"""`init` finds the tests of every common layout, and the command it prints runs all of them.

Each test writes a repository to disk, runs `python -m thinking_tests init`, runs the command
init printed, and compares its counts with plain `pytest` (or `python -m unittest discover`)
on the same repository.
"""

from __future__ import annotations

from test.scaffold._helpers import (
    Initialised,
    files_of,
    initialise,
    project,
    pytest_run,
    run_printed,
    unittest_run,
)
from thinking_tests import run_current_module, test

# A pytest module of 1 + 2 * N cases: a fixture from conftest, a parametrized function, a class.
PYTEST_MODULE = """\
import pytest

@pytest.mark.parametrize("n", range({n}))
def test_square(n, base):
    assert n * n >= base

class TestWords:
    @pytest.mark.parametrize("n", range({n}))
    def test_len(self, n):
        assert len("x" * n) == n

def test_skipped():
    pytest.skip("not here")
"""
CONFTEST = "import pytest\n\n@pytest.fixture\ndef base():\n    return 0\n"
FAILING = "def test_broken():\n    assert 1 == 2\n"


def pytest_module(n: int) -> str:
    return PYTEST_MODULE.format(n=n)


def same_as_pytest(
    files: dict[str, str], command: list[str] | None = None
) -> tuple[set[str], Initialised]:
    """Init the repository, run what it printed, compare with pytest: the files init wrote,
    and what it printed."""
    root = project(files, config=None)
    before = files_of(root)
    done = initialise(root)
    if command is not None:
        assert done.command == command, done.ran
    expected = pytest_run(root)
    assert sum(expected) > 0
    ran = run_printed(root, done)
    assert ran.counts == expected, (expected, ran)
    assert ran.code == (1 if expected[1] else 0), ran
    written = files_of(root) - before
    assert not any(name.endswith("test_example.py") for name in written), done.ran
    again = initialise(root)
    assert again.ran.stdout.startswith("nothing to do") and again.command == done.command, again.ran
    assert files_of(root) - before == written
    return written, done


@test("root tests/ without __init__.py: found, named as a folder, nothing added to it")
def root_tests_folder() -> None:
    written, _ = same_as_pytest(
        {
            "tests/conftest.py": CONFTEST,
            "tests/test_one.py": pytest_module(30),
            "tests/test_two.py": pytest_module(30),
            "tests/helpers.py": "def helper():\n    return 1\n",
            # Folders pytest never enters: their failing tests must not run either.
            "node_modules/lib/test_bad.py": FAILING,
            "build/test_bad.py": FAILING,
            ".tox/py311/test_bad.py": FAILING,
            ".venv/pyvenv.cfg": "home = /usr\n",
            ".venv/lib/test_bad.py": FAILING,
            "env2/pyvenv.cfg": "home = /usr\n",
            "env2/test_bad.py": FAILING,
        },
        command=["-m", "thinking_tests", "tests"],
    )
    assert written == {"__test__.py", ".gitignore"}, written


@test("pkg/tests/ without __init__.py, with a subfolder and a failing test: every case runs")
def package_tests_folder() -> None:
    files = {
        "pkg/__init__.py": "def double(x):\n    return 2 * x\n",
        "pkg/tests/conftest.py": CONFTEST,
        "pkg/tests/test_double.py": "from pkg import double\n\ndef test_double():\n    assert double(2) == 4\n",
        "pkg/tests/unit/test_more.py": pytest_module(40),
        "pkg/tests/unit/test_less.py": pytest_module(49),
        "pkg/tests/test_failing.py": FAILING,
    }
    written, done = same_as_pytest(files)
    assert written == {"__test__.py", ".gitignore"}, written
    assert done.found == "found 4 test files (pytest-style): 2 in pkg/tests, 2 in pkg/tests/unit", done.ran


@test("src/pkg/tests/ with __init__.py: one package target, no run_all.py inside the library")
def src_layout_package() -> None:
    written, _ = same_as_pytest(
        {
            "src/pkg/__init__.py": "",
            "src/pkg/core.py": "def double(x):\n    return 2 * x\n",
            "src/pkg/tests/__init__.py": "",
            "src/pkg/tests/conftest.py": CONFTEST,
            "src/pkg/tests/test_core.py": "from pkg.core import double\n\ndef test_double():\n    assert double(3) == 6\n",
            "src/pkg/tests/unit/__init__.py": "",
            "src/pkg/tests/unit/test_unit.py": pytest_module(10),
        },
        command=["-m", "thinking_tests", "src/pkg/tests"],
    )
    assert written == {"__test__.py", ".gitignore"}, written


@test("pkg/tests/ with __init__.py under an importable package: run_all.py there, run with python -m")
def package_tests_package() -> None:
    written, _ = same_as_pytest(
        {
            "pkg/__init__.py": "",
            "pkg/tests/__init__.py": "",
            "pkg/tests/test_a.py": pytest_module(5),
            "pkg/tests/deep/__init__.py": "",
            "pkg/tests/deep/test_b.py": pytest_module(5),
            "pkg/tests/data/input.txt": "not python\n",
        },
        command=["-m", "pkg.tests.run_all"],
    )
    assert written == {
        "__test__.py", ".gitignore", "pkg/tests/run_all.py", "pkg/tests/deep/run_all.py"
    }, written


@test("testpaths pointing elsewhere: only the tests pytest collects are found and run")
def testpaths_elsewhere() -> None:
    written, done = same_as_pytest(
        {
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["checks/integration"]\n',
            "checks/integration/test_flow.py": pytest_module(7),
            "checks/integration/conftest.py": CONFTEST,
            # Outside testpaths: plain pytest at the root never runs it.
            "tests/test_outside.py": FAILING,
        },
        command=["-m", "thinking_tests", "checks/integration"],
    )
    assert written == {"__test__.py", ".gitignore"}, written
    assert done.found == "found 1 test file (pytest-style, testpaths of pyproject.toml): 1 in checks/integration", done.ran


@test("python_files of setup.cfg and *_test.py files beside the code: named so each runs once")
def custom_file_names() -> None:
    _, done = same_as_pytest(
        {
            "setup.cfg": "[tool:pytest]\npython_files = check_*.py *_test.py\n",
            "checks/check_one.py": pytest_module(4),
            "checks/conftest.py": CONFTEST,
            # Matches the default names but not the configured ones: pytest leaves it alone.
            "checks/test_not_collected.py": FAILING,
            "lib/__init__.py": "def half(x):\n    return x / 2\n",
            "lib/half_test.py": "from lib import half\n\ndef test_half():\n    assert half(4) == 2\n",
        }
    )
    assert done.command == ["-m", "thinking_tests", "checks/check_one.py", "lib"], done.ran
    assert not (done.root / "lib" / "run_all.py").exists(), "the library is no test package"


@test("--doctest-modules in addopts: the modules holding examples are named too, on the pytest engine")
def doctest_modules() -> None:
    _, done = same_as_pytest(
        {
            "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--doctest-modules"\n',
            "mylib/__init__.py": "",
            "mylib/core.py": 'def double(x):\n    """\n    >>> double(2)\n    4\n    """\n    return 2 * x\n',
            "mylib/plain.py": "VALUE = 1\n",
            "tests/test_core.py": "from mylib.core import double\n\ndef test_double():\n    assert double(1) == 2\n",
        },
    )
    assert done.command[-1] == "tests" and done.command[2].startswith("mylib"), done.ran
    assert "and doctests in 1 module: 1 in mylib" in done.ran.stdout.splitlines(), done.ran


@test("a unittest suite: the unittest engine, run_all.py in its package, the same counts as unittest")
def unittest_suite() -> None:
    root = project(
        {
            "tests/__init__.py": "",
            "tests/test_numbers.py": """\
                import unittest

                class Numbers(unittest.TestCase):
                    def test_add(self):
                        self.assertEqual(1 + 1, 2)

                    def test_sub(self):
                        self.assertEqual(2 - 1, 1)

                    @unittest.skip("later")
                    def test_later(self):
                        pass
                """,
            "tests/more/__init__.py": "",
            "tests/more/test_words.py": """\
                import unittest

                class Words(unittest.TestCase):
                    def test_upper(self):
                        self.assertEqual("a".upper(), "A")
                """,
        },
        config=None,
    )
    done = initialise(root)
    assert done.command == ["-m", "tests.run_all"], done.ran
    assert 'config.backend = "pytest"' not in (root / "__test__.py").read_text(), done.ran
    assert (root / "tests" / "more" / "run_all.py").is_file()
    expected = unittest_run(root)
    assert expected == (3, 0, 1), expected
    ran = run_printed(root, done)
    assert ran.code == 0 and ran.counts == expected, ran
    assert pytest_run(root) == expected


@test("Django-style app/tests.py, which pytest's file names miss: found, and run as unittest runs it")
def app_tests_module() -> None:
    root = project(
        {
            "shop/__init__.py": "",
            "shop/prices.py": "def total(items):\n    return sum(items)\n",
            "shop/tests.py": """\
                import unittest

                from shop.prices import total

                class Totals(unittest.TestCase):
                    def test_empty(self):
                        self.assertEqual(total([]), 0)

                    def test_wrong(self):
                        self.assertEqual(total([1]), 2)
                """,
        },
        config=None,
    )
    before = files_of(root)
    done = initialise(root)
    assert files_of(root) - before == {"__test__.py", ".gitignore"}, done.ran
    assert done.found == "found 1 test file: 1 in shop", done.ran
    expected = unittest_run(root)
    assert expected == (1, 1, 0), expected
    ran = run_printed(root, done)
    assert ran.code == 1 and ran.counts == expected, ran


@test("an empty repository gets the sample package, and the printed command runs it as pytest does")
def empty_repository() -> None:
    root = project({"README.md": "nothing yet\n"}, config=None)
    done = initialise(root)
    assert done.command == ["-m", "test.run_all"], done.ran
    assert (root / "test" / "test_example.py").is_file()
    assert "found 1 test file: 1 in test" == done.found, done.ran
    ran = run_printed(root, done)
    assert ran.code == 0 and ran.counts == (2, 0, 0) == pytest_run(root), ran


@test("a settings file that keeps the unittest engine: the printed command asks for pytest")
def existing_settings() -> None:
    mine = "from thinking_tests import config\n"
    root = project(
        {"__test__.py": mine, "tests/conftest.py": CONFTEST, "tests/test_plain.py": pytest_module(3)},
        config=None,
    )
    done = initialise(root)
    assert (root / "__test__.py").read_text() == mine
    assert done.command == ["-m", "thinking_tests", "tests", "--backend", "pytest"], done.ran
    ran = run_printed(root, done)
    assert ran.counts == pytest_run(root) == (6, 0, 1), ran


if __name__ == "__main__":
    run_current_module()
