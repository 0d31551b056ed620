"""The `stage_timings` aspect of `__test__.py`, seen from inside the cases it times."""

from __future__ import annotations

import json
import time
import unittest

from thinking_tests import Stage, current, fixture, run_current_module, test

from test.aspects import recorded, report_path


def after(name: str) -> str:
    """The id of an earlier case of this module; skips the calling case if it did not run
    (cases run in declaration order, but `-k` may have left the earlier one out)."""
    case_id = f"{__name__}::{name}"
    if not recorded(case_id):
        raise unittest.SkipTest(f"needs {name} to run first")
    return case_id


@fixture
def slow_fixture() -> float:
    time.sleep(0.05)
    return 0.05


@test("while a case runs, its SETUP is already timed, and its RUN not yet")
def times_the_stages_before_this_one(slow_fixture: float) -> None:
    now = current()
    assert now is not None and now.stage is Stage.RUN
    assert now.case.name == "times_the_stages_before_this_one"
    so_far = recorded(now.case.id)
    assert so_far.get("setup", 0.0) >= slow_fixture  # type: ignore[operator]
    assert "run" not in so_far and "teardown" not in so_far


@test("the report holds every case that finished before this one, with all three stages")
def writes_the_report() -> None:
    path = report_path()
    if path is None:  # --no-reports: the aspect prints its line into each case's output
        return
    earlier_id = after("times_the_stages_before_this_one")
    report = json.loads(path.read_text())
    earlier = {c["id"]: c for c in report["cases"]}[earlier_id]
    assert earlier["setup"] >= 0.05
    assert earlier["total"] == earlier["setup"] + earlier["run"] + earlier["teardown"]
    assert set(report["totals"]) == {"setup", "run", "teardown"}


@test(xfail="shows that the aspect records which stage raised what")
def a_failure_is_recorded() -> None:
    raise ValueError("on purpose")


@test
def the_failure_was_recorded() -> None:
    assert recorded(after("a_failure_is_recorded"))["errors"] == {"run": "ValueError"}


if __name__ == "__main__":
    run_current_module()
