"""A module that fails to import is one error case naming the module and the line; the rest runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import (
    Ran,
    failure_blocks,
    junit_cases,
    module,
    outcomes,
    package,
    project,
    run,
)
from thinking_tests import fixture, run_current_module, test

FINE = module("@test\ndef one(): pass\n\n@test\ndef two(): pass")

# module stem -> (source, the line that fails, what the error says)
BROKEN = {
    "missing_module": ("import os\nimport no_such_module_xyz\n", 2,
                       "ModuleNotFoundError: No module named 'no_such_module_xyz'"),
    "missing_name": ("from os import no_such_name\n", 1, "ImportError: cannot import name 'no_such_name'"),
    "syntax_error": ("x = 1\ndef broken(:\n    pass\n", 2, "SyntaxError"),
    "exception": ("x = 1\n\n\nraise RuntimeError('boom at import')\n", 4, "RuntimeError: boom at import"),
    "exit_3": ("import sys\n\nsys.exit(3)\n", 3, "SystemExit: 3"),
    "exit_0": ("import sys\nsys.exit(0)\n", 2, "SystemExit: 0"),
    # Cases declared before the failure belong to a half-imported module: they do not run.
    "cases_before": (module("@test\ndef declared_first(): pass\n\nraise KeyError('late')"), 6,
                     "KeyError: 'late'"),
}


@fixture(scope="module")
def broken_run() -> Iterator[tuple[Path, Ran]]:
    # Every kind of broken module in one project, between two fine ones, run once.
    root = project({
        **package("test"),
        "test/test_a_fine.py": FINE,
        **{f"test/test_b_{stem}.py": source for stem, (source, _, _) in BROKEN.items()},
        "test/test_c_fine.py": FINE,
    })
    yield root, run("-m", "test.run_all", "-v", cwd=root)


@test("a broken module is one error case naming it, its line and its error",
      params=[(stem, *BROKEN[stem][1:]) for stem in BROKEN], ids=list(BROKEN))
def broken_module(stem: str, line: int, error: str, broken_run: tuple[Path, Ran]) -> None:
    root, ran = broken_run
    name = f"test.test_b_{stem}"
    assert outcomes(ran)[f"{name}::<import>"] == "ERROR", ran
    shown = "\n".join(failure_blocks(ran)[f"{name}::<import>"])
    assert f"module {name} failed to import" in shown, shown
    assert f"test/test_b_{stem}.py:{line}" in shown, shown
    assert error in shown, shown
    assert "<frozen importlib" not in shown, shown  # the traceback starts in the user's file
    assert (name, "<import>", "error") in junit_cases(root / "reports" / "junit.xml")


@test("around broken modules the other modules still run, and nothing else does")
def the_rest_runs(broken_run: tuple[Path, Ran]) -> None:
    root, ran = broken_run
    assert ran.code == 1, ran
    assert ran.counts == (4, len(BROKEN), 0), ran
    assert [case_id for case_id, outcome in outcomes(ran).items() if outcome != "ERROR"] == [
        "test.test_a_fine::one", "test.test_a_fine::two", "test.test_c_fine::one", "test.test_c_fine::two",
    ], ran
    assert "declared_first" not in ran.stdout, ran
    assert len(junit_cases(root / "reports" / "junit.xml")) == 4 + len(BROKEN)


@test("a broken package __init__ is one error; sibling packages still run")
def broken_package() -> None:
    root = project({
        **package("test", "test.good", "test.bad"),
        "test/bad/__init__.py": "raise ImportError('the package is broken')\n",
        "test/bad/test_never.py": module("@test\ndef never(): pass"),
        "test/good/test_g.py": FINE,
    })
    ran = run("-m", "test.run_all", "-v", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (2, 1, 0), ran
    assert outcomes(ran)["test.bad::<import>"] == "ERROR", ran
    assert "never" not in ran.stdout, ran
    assert "test/bad/__init__.py:1" in ran.stdout, ran


@test("a broken module is reported whatever -k selects, and when named as the target")
def reported_whatever_selected() -> None:
    root = project({
        **package("test"),
        "test/test_a_fine.py": FINE,
        "test/test_b_broken.py": "import no_such_module_xyz\n",
    })
    selected = run("-m", "test.run_all", "-k", "one", "-v", cwd=root)
    assert selected.code == 1, selected
    assert list(outcomes(selected)) == ["test.test_a_fine::one", "test.test_b_broken::<import>"], selected
    alone = run("-m", "thinking_tests", "test/test_b_broken.py", cwd=root)
    assert alone.code == 1, alone
    assert alone.counts == (0, 1, 0), alone
    assert "module test.test_b_broken failed to import" in alone.stdout, alone


if __name__ == "__main__":
    run_current_module()
