"""Script mode: `python test/run_all.py` runs the project's tests, never CPython's `test` package."""

from __future__ import annotations

import sysconfig
from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import module, one_sentence, package, project, ran_ids, run
from thinking_tests import fixture, run_current_module, test

# CPython's own regression tests live here; a run must never import them.
CPYTHON_TEST = str(Path(sysconfig.get_paths()["stdlib"]) / "test")

PROJECT_CASES = [
    "test.sub.test_inner::inner_case",
    "test.test_outer::alpha",
    "test.test_outer::beta",
    "test.test_outer::imports_this_project",
]


@fixture(scope="module")
def scripted() -> Iterator[Path]:
    yield project({
        **package("test", "test.sub"),
        "test/marker.py": "WHERE = 'this project'\n",
        "test/test_outer.py": module(
            """
            import os
            import test as test_package
            from test.marker import WHERE

            @test
            def alpha(): pass

            @test
            def beta(): pass

            @test("`import test` finds this project's package")
            def imports_this_project():
                assert WHERE == "this project"
                assert os.path.dirname(test_package.__file__) == os.path.dirname(os.path.abspath(__file__))
            """
        ),
        "test/sub/test_inner.py": module("@test\ndef inner_case(): pass"),
    })


@test("python test/run_all.py runs the project's cases and nothing of CPython's")
def runs_the_projects_tests(scripted: Path) -> None:
    # CPython's own suite would show as other ids, or hang past run()'s own time limit.
    ran = run("test/run_all.py", "-v", cwd=scripted)
    assert ran.code == 0, ran
    assert ran_ids(ran) == PROJECT_CASES, ran
    assert ran.counts == (4, 0, 0), ran
    assert CPYTHON_TEST not in ran.output, ran


@test("python test/sub/run_all.py runs only that subpackage")
def runs_a_subpackage(scripted: Path) -> None:
    ran = run("test/sub/run_all.py", "-v", cwd=scripted)
    assert ran.code == 0, ran
    assert ran_ids(ran) == ["test.sub.test_inner::inner_case"], ran


@test("script mode takes the flags too")
def takes_flags(scripted: Path) -> None:
    ran = run("test/run_all.py", "-k", "alpha or inner", "-v", cwd=scripted)
    assert ran.code == 0, ran
    assert ran_ids(ran) == ["test.sub.test_inner::inner_case", "test.test_outer::alpha"], ran


@test("python run_all.py from inside test/ runs the project's tests; reports go to the root")
def runs_from_inside_the_package(scripted: Path) -> None:
    ran = run("run_all.py", cwd=scripted / "test")
    assert ran.code == 0, ran
    assert ran.counts == (4, 0, 0), ran
    assert (scripted / "reports" / "junit.xml").is_file()
    assert not (scripted / "test" / "reports").exists()


@test("with CPython's `test` already imported, script mode refuses with one sentence")
def refuses_a_foreign_test_package(scripted: Path) -> None:
    code = (
        "import runpy, sys, sysconfig\n"
        "sys.path.insert(0, sysconfig.get_paths()['stdlib'])\n"
        "import test\n"
        "assert 'lib' in test.__file__, test.__file__\n"
        "sys.path.pop(0)\n"
        "runpy.run_path('test/run_all.py', run_name='__main__')\n"
    )
    ran = run("-c", code, cwd=scripted)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "'test'" in sentence and "python -m test.run_all" in sentence, sentence


if __name__ == "__main__":
    run_current_module()
