"""A module that fails to import is one error case naming the module and the line; the rest runs."""

from __future__ import annotations

from test.running._helpers import (
    failure_blocks,
    junit_cases,
    module,
    outcomes,
    package,
    project,
    run,
)
from thinking_tests import run_current_module, test

FINE = module("@test\ndef one(): pass\n\n@test\ndef two(): pass")

BROKEN = [
    ("import os\nimport no_such_module_xyz\n", 2, "ModuleNotFoundError: No module named 'no_such_module_xyz'"),
    ("from os import no_such_name\n", 1, "ImportError: cannot import name 'no_such_name'"),
    ("x = 1\ndef broken(:\n    pass\n", 2, "SyntaxError"),
    ("x = 1\n\n\nraise RuntimeError('boom at import')\n", 4, "RuntimeError: boom at import"),
    ("import sys\n\nsys.exit(3)\n", 3, "SystemExit: 3"),
    ("import sys\nsys.exit(0)\n", 2, "SystemExit: 0"),
    # Cases declared before the failure belong to a half-imported module: they do not run.
    (module("@test\ndef declared_first(): pass\n\nraise KeyError('late')"), 6, "KeyError: 'late'"),
]
BROKEN_IDS = ["missing module", "missing name", "syntax error", "exception", "sys.exit(3)",
              "sys.exit(0)", "cases before the failure"]


@test("a broken module is one error naming it and its line; the other modules still run",
      params=BROKEN, ids=BROKEN_IDS)
def broken_module(source: str, line: int, error: str) -> None:
    root = project({
        **package("test"),
        "test/test_a_fine.py": FINE,
        "test/test_b_broken.py": source,
        "test/test_c_fine.py": FINE,
    })
    ran = run("-m", "test.run_all", "-v", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (4, 1, 0), ran
    assert outcomes(ran) == {
        "test.test_a_fine::one": "PASSED",
        "test.test_a_fine::two": "PASSED",
        "test.test_b_broken::<import>": "ERROR",
        "test.test_c_fine::one": "PASSED",
        "test.test_c_fine::two": "PASSED",
    }, ran
    shown = "\n".join(failure_blocks(ran)["test.test_b_broken::<import>"])
    assert "module test.test_b_broken failed to import" in shown, shown
    assert f"test/test_b_broken.py:{line}" in shown, shown
    assert error in shown, shown
    assert "<frozen importlib" not in shown, shown  # the traceback starts in the user's file
    cases = junit_cases(root / "reports" / "junit.xml")
    assert ("test.test_b_broken", "<import>", "error") in cases, cases
    assert len(cases) == 5, cases


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
