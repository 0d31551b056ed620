"""A case that is its body alone (no fixture, setup, teardown, aspect or time limit) takes the
runner's short way; the same body with a time limit takes the whole way through its stages.
Both must give the same result: outcome, message, stages and their exceptions, captured
output and the note of what was put back, in the journal and in the JUnit XML."""

from __future__ import annotations

import json

from test.core._helpers import Finished, run_project
from thinking_tests import run_current_module, test

# Each body twice: `alone_<name>` (the short way) and `limited_<name>` (a time limit: the
# whole way). The limit is far longer than any body takes.
BODIES = {
    "passes": "pass",
    "fails": "x = 1\n    assert x == 2, 'one is not two'",
    "bare_assert": "values = [1, 2]\n    assert len(values) == 3",
    "errors": "raise ValueError('bad value')",
    "skips": "import unittest\n    raise unittest.SkipTest('not here')",
    "prints": "import os, sys\n    print('to stdout')\n    print('to stderr', file=sys.stderr)\n    os.write(1, b'to fd 1\\n')",
    "moves": "import os\n    os.chdir(os.path.dirname(os.getcwd()))",
    "exits": "import sys\n    sys.exit(3)",
}
XFAIL = {"xfails": "assert False, 'known'", "xpasses": "pass"}


def _module() -> str:
    lines = ["from thinking_tests import test", ""]
    for name, body in BODIES.items():
        for prefix, decorator in (("alone", "@test"), ("limited", "@test(timeout=300)")):
            lines += [decorator, f"def {prefix}_{name}():", f"    {body}", ""]
    for name, body in XFAIL.items():
        for prefix, decorator in (("alone", "@test(xfail='known')"), ("limited", "@test(xfail='known', timeout=300)")):
            lines += [decorator, f"def {prefix}_{name}():", f"    {body}", ""]
    return "\n".join(lines)


def _records(finished: Finished) -> dict[str, dict[str, object]]:
    records = {}
    for line in (finished.root / "reports" / "journal.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["kind"] == "case":
            records[record["name"]] = record
    return records


def _same_part(record: dict[str, object]) -> dict[str, object]:
    """What must not differ between the two ways: all but names, times and where it is."""
    stages = [
        {key: value for key, value in stage.items() if key != "ns"}  # type: ignore[union-attr]
        for stage in record["stages"]  # type: ignore[union-attr]
    ]
    for stage in stages:
        exception = stage.get("exception")
        if exception:  # the traceback names the case's own function and line
            stage["exception"] = {key: value for key, value in exception.items() if key != "traceback"}
    kept = {key: value for key, value in record.items() if key not in ("id", "name", "ns", "start_us", "line")}
    kept["stages"] = stages
    return kept


@test
def body_alone_and_whole_way_agree() -> None:
    finished = run_project({"test/test_ways.py": _module()})
    assert finished.ran.code == 1, finished.ran  # the failures fail the run
    records = _records(finished)
    for name in [*BODIES, *XFAIL]:
        alone, limited = records[f"alone_{name}"], records[f"limited_{name}"]
        assert _same_part(alone) == _same_part(limited), (name, alone, limited)
        alone_xml, limited_xml = finished.testcase(f"alone_{name}"), finished.testcase(f"limited_{name}")
        assert [(child.tag, child.get("message")) for child in alone_xml] == [
            (child.tag, child.get("message")) for child in limited_xml
        ], name
    # What each way gave, so that agreeing is not agreeing on nothing.
    outcomes = {name: records[f"alone_{name}"]["outcome"] for name in [*BODIES, *XFAIL]}
    assert outcomes == {
        "passes": "passed", "fails": "failed", "bare_assert": "failed", "errors": "failed",
        "skips": "skipped", "prints": "passed", "moves": "passed", "exits": "failed",
        "xfails": "xfailed", "xpasses": "xpassed",
    }, outcomes
    assert records["alone_fails"]["message"] == "AssertionError: one is not two"
    assert "where 2 = len([1, 2])" in records["alone_bare_assert"]["stages"][1]["exception"]["explanation"]  # type: ignore[index]
    assert records["alone_prints"]["stdout"] == "to stdout\nto fd 1\n"
    assert records["alone_prints"]["stderr"] == "to stderr\n"
    assert "put back after this case: working directory" in records["alone_moves"]["stderr"]  # type: ignore[operator]
    assert records["alone_exits"]["message"] == "SystemExit: 3"


if __name__ == "__main__":
    run_current_module()
