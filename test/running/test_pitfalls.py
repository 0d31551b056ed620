"""The pitfalls of thinking-tests 0.0.4, one test each, so none comes back."""

from __future__ import annotations

import sysconfig
from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import (
    RUN_ALL,
    failure_blocks,
    files_below,
    junit_cases,
    module,
    package,
    project,
    ran_ids,
    run,
)
from thinking_tests import fixture, run_current_module, test


@fixture(scope="module")
def failing() -> Iterator[Path]:
    yield project({
        **package("test"),
        "test/test_f.py": module("@test\ndef good(): pass\n\n@test\ndef bad(): assert 2 + 2 == 5"),
    }, html=True)


@test(
    "0.0.4 exited 0 when tests failed: every way of running now exits 1",
    params=[
        (("-m", "test.run_all"),),
        (("test/run_all.py",),),
        (("-m", "test.test_f"),),
        (("-m", "thinking_tests"),),
        (("-m", "thinking_tests", "test/test_f.py"),),
    ],
    ids=["run_all", "script", "one module", "cli", "cli file"],
)
def failures_exit_1(args: tuple[str, ...], failing: Path) -> None:
    ran = run(*args, cwd=failing)
    assert ran.code == 1, ran
    assert ran.counts == (1, 1, 0), ran


@test("0.0.4's script mode imported CPython's own `test` package")
def script_mode_imports_the_projects_test() -> None:
    root = project({
        **package("test"),
        "test/test_where.py": module(
            """
            import os
            import test as test_package

            @test
            def is_this_project():
                here = os.path.dirname(os.path.abspath(__file__))
                assert os.path.dirname(os.path.abspath(test_package.__file__)) == here
            """
        ),
    })
    ran = run("test/run_all.py", "-v", cwd=root)
    assert ran.code == 0, ran
    assert ran_ids(ran) == ["test.test_where::is_this_project"], ran
    assert str(Path(sysconfig.get_paths()["stdlib"]) / "test") not in ran.output, ran


@test("0.0.4's run_current_package() ran only the package's direct children")
def run_current_package_goes_deep() -> None:
    root = project({
        **package("test", "test.a", "test.a.b", "test.a.b.c"),
        "test/a/test_entry.py": module("@test\ndef child(): pass", tail="run_current_package"),
        "test/a/b/test_grand.py": module("@test\ndef grandchild(): pass"),
        "test/a/b/c/test_great.py": module("@test\ndef great_grandchild(): pass"),
    })
    ran = run("-m", "test.a.test_entry", "-v", cwd=root)
    assert ran.code == 0, ran
    assert ran_ids(ran) == [
        "test.a.b.c.test_great::great_grandchild",
        "test.a.b.test_grand::grandchild",
        "test.a.test_entry::child",
    ], ran


@test("0.0.4 ran cases in alphabetical order: now in source order, modules by name")
def source_order() -> None:
    root = project({
        **package("test"),
        "test/test_b.py": module(
            "@test\ndef zeta(): pass\n\n@test\ndef alpha(): pass\n\n"
            "@test(params=[3, 1, 2])\ndef mid(n): pass\n\n@test\ndef beta(): pass"
        ),
        "test/test_a.py": module("@test\ndef last_name(): pass"),
    })
    ran = run("-m", "test.run_all", "-v", cwd=root)
    assert ran_ids(ran) == [
        "test.test_a::last_name",
        "test.test_b::zeta",
        "test.test_b::alpha",
        "test.test_b::mid[0]",
        "test.test_b::mid[1]",
        "test.test_b::mid[2]",
        "test.test_b::beta",
    ], ran


@test("0.0.4 reported a module run on its own as __main__")
def no_main_ids(failing: Path) -> None:
    ran = run("-m", "test.test_f", "-v", cwd=failing)
    assert ran_ids(ran) == ["test.test_f::good", "test.test_f::bad"], ran
    assert "__main__" not in ran.output, ran
    assert [case[0] for case in junit_cases(failing / "reports" / "junit.xml")] == ["test.test_f"] * 2
    assert "__main__" not in (failing / "reports" / "report.html").read_text()


@test("0.0.4 crashed on a test module without cases")
def module_without_cases() -> None:
    root = project({
        **package("test"),
        "test/test_empty.py": "# nothing declared yet\n\nif __name__ == '__main__':\n"
                              "    from thinking_tests import run_current_module\n    run_current_module()\n",
        "test/test_full.py": module("@test\ndef a(): pass"),
    })
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    assert ran.counts == (1, 0, 0), ran
    alone = run("-m", "test.test_empty", cwd=root)
    assert alone.code == 5, alone
    assert alone.counts == (0, 0, 0), alone
    assert "Traceback" not in alone.output, alone


@test("0.0.4's import replaced the root logger's handlers")
def import_leaves_logging_alone() -> None:
    root = project({})
    code = (
        "import logging\n"
        "h = list(logging.getLogger().handlers)\n"
        "import thinking_tests\n"
        "assert logging.getLogger().handlers == h, logging.getLogger().handlers\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "mine = list(logging.getLogger().handlers)\n"
        "level = logging.getLogger().level\n"
        "from thinking_tests import run_all, run_current_module, config, test\n"
        "import thinking_tests.cli, thinking_tests.session\n"
        "assert logging.getLogger().handlers == mine and logging.getLogger().level == level\n"
    )
    before = files_below(root)
    ran = run("-c", code, cwd=root)
    assert ran.code == 0, ran
    assert files_below(root) == before, files_below(root) - before


@test("0.0.4 wrote a log file into the working directory: a run now adds only reports/")
def run_adds_only_reports() -> None:
    root = project({
        **package("test"),
        "run_all.py": RUN_ALL,
        "test/test_logs.py": module(
            """
            import logging

            @test
            def logs():
                logging.getLogger("app").warning("written to the log")
                logging.warning("and to the root logger")
            """
        ),
    }, config=None)  # the defaults: coverage and every report on
    before = files_below(root)
    # run_all, and a module run on its own, which starts again in a fresh process for coverage.
    for args in (("-m", "test.run_all"), ("-m", "test.test_logs")):
        ran = run(*args, cwd=root)
        assert ran.code == 0, ran
        new = files_below(root) - before
        assert new and all(path == "reports" or path.startswith("reports/") for path in new), (args, new)


@test("0.0.4's failure header printed the whole test adapter's repr")
def header_is_the_case_id(failing: Path) -> None:
    ran = run("-m", "test.run_all", cwd=failing)
    blocks = failure_blocks(ran)
    assert list(blocks) == ["test.test_f::bad"], ran
    header = blocks["test.test_f::bad"][0]
    assert header.strip("_") == " test.test_f::bad ", header
    for noise in ("Adapter", "object at 0x", "<function", "unittest"):
        assert noise not in "\n".join(blocks["test.test_f::bad"][:2]), ran


if __name__ == "__main__":
    run_current_module()
