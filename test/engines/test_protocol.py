"""What thinking-tests does around any installed engine: fixture scopes it leaves open end
after it (a failing teardown reported), and a Ctrl-C out of it ends the run as interrupted
with every report written."""

from __future__ import annotations

import shutil

from test.engines._helpers import fake_distribution, run_with
from test.running._helpers import junit_cases, module, package, project
from thinking_tests import run_current_module, test

FILES = {
    **package("test"),
    "test/test_a.py": module("""
        from pathlib import Path
        from thinking_tests import fixture

        @fixture(scope="session")
        def resource():
            yield "value"
            Path("torn-down").write_text("yes")
            raise RuntimeError("teardown broke")

        @test
        def first(resource): assert resource == "value"

        @test
        def second(resource): assert resource == "value"
    """),
}

# Runs every case as if another followed in the same scopes: nothing ends on its own.
KEEPING = """
    from thinking_tests.engine_api import Case, should_stop

    def run(plan, runner, listener):
        for item in plan.items or []:
            if isinstance(item, Case):
                listener.started(item)
                result = runner.run(item, item)
                listener.finished(result)
                if should_stop(result, plan, runner):
                    break
"""

# Stops as Ctrl-C would, after the first case.
INTERRUPTING = """
    from thinking_tests.engine_api import Case

    def run(plan, runner, listener):
        first, second = [item for item in plan.items if isinstance(item, Case)]
        listener.started(first)
        listener.finished(runner.run(first, second))
        raise KeyboardInterrupt
"""


def _run(engine: str) -> tuple[object, object]:
    root = project(FILES, config="config.backend = 'fake'\n")
    site = fake_distribution("fake-engine", {"fake": "fake_engine:run"}, {"fake_engine.py": engine})
    try:
        return root, run_with(site, "-m", "test.run_all", cwd=root)
    finally:
        shutil.rmtree(site)


@test("fixture scopes an engine leaves open end after it, and a failing teardown is reported")
def open_scopes_end() -> None:
    root, ran = _run(KEEPING)
    assert ran.code == 1, ran
    assert ran.counts == (2, 1, 0), ran
    assert (root / "torn-down").read_text() == "yes"
    cases = junit_cases(root / "reports" / "junit.xml")
    assert ("<session>", "fixture teardown", "error") in cases, cases
    assert "teardown broke" in (root / "reports" / "junit.xml").read_text()


@test("a KeyboardInterrupt out of an engine ends the run as interrupted, its results reported")
def interrupt_out_of_engine() -> None:
    root, ran = _run(INTERRUPTING)
    assert ran.code == 2, ran
    assert ran.counts == (1, 0, 0), ran
    assert "interrupted: 1 of 2 selected cases did not run" in ran.stdout, ran
    assert junit_cases(root / "reports" / "junit.xml") == [("test.test_a", "first", "passed")]
    assert (root / "torn-down").read_text() == "yes"  # the session fixture still ended


if __name__ == "__main__":
    run_current_module()
