"""`python -m thinking_tests init` on an empty repository and on ones that have tests."""

from __future__ import annotations

from pathlib import Path

from test.support import RUN_ALL, project, run
from thinking_tests import run_current_module, test


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "reports" not in p.parts and "__pycache__" not in p.parts
    }


@test("init on an empty repository makes a runnable test package, and changes nothing the second time")
def empty_repository() -> None:
    root = project({}, config=None)
    first = run("-m", "thinking_tests", "init", cwd=root)
    assert first.code == 0, first
    files = tree(root)
    assert set(files) == {
        "__test__.py", "test/__init__.py", "test/run_all.py", "test/test_example.py", ".gitignore"
    }, files
    assert files["test/run_all.py"] == RUN_ALL
    assert "reports/" in files[".gitignore"].splitlines()
    assert "# config.coverage.source = None" in files["__test__.py"]
    second = run("-m", "thinking_tests", "init", cwd=root)
    assert second.code == 0 and "nothing to do" in second.stdout, second
    assert tree(root) == files
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0 and ran.counts == (2, 0, 0), ran


@test("init on a repository with tests adds run_all.py where missing and overwrites nothing")
def repository_with_tests() -> None:
    mine = "from thinking_tests import config\nconfig.coverage.enabled = False  # mine\n"
    root = project(
        {
            "__test__.py": mine,
            ".gitignore": "*.pyc\n",
            "test/__init__.py": "",
            "test/run_all.py": "# my own run_all\nfrom thinking_tests import run_all\nrun_all()\n",
            "test/test_top.py": "from thinking_tests import test\n@test\ndef top(): pass\n",
            "test/sub/__init__.py": "",
            "test/sub/test_deep.py": "from thinking_tests import test\n@test\ndef deep(): pass\n",
            "test/sub/deeper/__init__.py": "",
            "test/sub/deeper/test_deepest.py": "from thinking_tests import test\n@test\ndef deepest(): pass\n",
            "test/fixtures_data/input.txt": "not python\n",
        },
        config=None,
    )
    ran = run("-m", "thinking_tests", "init", cwd=root)
    assert ran.code == 0, ran
    files = tree(root)
    assert files["__test__.py"] == mine
    assert files["test/run_all.py"].startswith("# my own run_all")
    assert files["test/sub/run_all.py"] == RUN_ALL
    assert files["test/sub/deeper/run_all.py"] == RUN_ALL
    assert "test/fixtures_data/__init__.py" not in files, "a data folder is left alone"
    assert files[".gitignore"] == "*.pyc\n# thinking-tests reports\nreports/\n"
    sub = run("-m", "test.sub.run_all", cwd=root)
    assert sub.code == 0 and sub.counts == (2, 0, 0), sub
    assert run("-m", "thinking_tests", "init", cwd=root).stdout.startswith("nothing to do")


@test("init on a pytest suite selects the pytest engine and adds nothing to a folder without __init__.py")
def pytest_suite() -> None:
    root = project(
        {"tests/test_plain.py": "def test_one():\n    assert 1\n\ndef test_two():\n    assert 2\n"},
        config=None,
    )
    ran = run("-m", "thinking_tests", "init", cwd=root)
    assert ran.code == 0 and "pytest engine" in ran.stdout, ran
    config = (root / "__test__.py").read_text()
    assert 'config.backend = "pytest"' in config
    # pytest imports these files by their folder, not as a package: an __init__.py would
    # change their module names, and a run_all.py there could not be run with python -m.
    assert sorted(p.name for p in (root / "tests").iterdir() if p.is_file()) == ["test_plain.py"]
    assert "found 1 test file (pytest-style): 1 in tests" in ran.stdout.splitlines(), ran
    assert "run the tests with: python -m thinking_tests tests" in ran.stdout.splitlines(), ran
    suite = run("-m", "thinking_tests", "tests", "--no-coverage", cwd=root)
    assert suite.code == 0 and suite.counts == (2, 0, 0), suite


if __name__ == "__main__":
    run_current_module()
