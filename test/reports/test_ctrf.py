"""The CTRF JSON report: off by default, on with `config.reports.json`, valid against the
published CTRF schema (test/schemas/ctrf-schema-0.0.json) for a real run with every outcome
and hostile text, and faithful to what the run says of each case."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from test.reports._e2e_helpers import project, temporary
from test.support import REPO, RUN_ALL, Ran, run
from thinking_tests import fixture, run_current_module, test

SCHEMA = REPO / "test" / "schemas" / "ctrf-schema-0.0.json"

EVERY_OUTCOME = r'''
import logging
import sys

from thinking_tests import fixture, run_current_module, test


@test("passes quietly", tags=["fast", "unit"])
def passes():
    pass


@test
def passes_printing():
    print("out one\nout two \x1b[31mred\x1b[0m nul\x00 bell\x07")
    sys.stderr.write("err line\n")
    logging.getLogger("ctrf").warning("a log line")


@test
def fails():
    assert 1 + 1 == 3, "arithmetic \x00\x1b[1m broke \ud800 here"


@fixture
def broken():
    raise RuntimeError("fixture \udcff down")


@test
def errors(broken):
    pass


@test(skip="not today \x07")
def skipped():
    pass


@test(xfail="bug 12")
def xfailed():
    raise ValueError("expected")


@test(xfail="bug 13")
def xpassed():
    pass


@test(params=[(1, 2), (2, 4)], ids=["one\ud800", "two"])
def doubles(a, b):
    assert a * 2 == b


if __name__ == "__main__":
    run_current_module()
'''


class Ctrf:
    """One real run of EVERY_OUTCOME with the JSON report on, and the report read back."""

    def __init__(self, root: Path, ran: Ran) -> None:
        self.root = root
        self.ran = ran
        self.path = root / "reports" / "report.json"
        self.raw = self.path.read_bytes()
        self.report: dict[str, Any] = json.loads(self.raw.decode("utf-8"))  # strict UTF-8
        self.tests = {t["testId"]: t for t in self.report["results"]["tests"]}


@fixture(scope="module")
def ctrf() -> Ctrf:
    root = project(
        {"test/__init__.py": "", "test/run_all.py": RUN_ALL, "test/test_outcomes.py": EVERY_OUTCOME},
        config='config.reports.json = "report.json"\n',
    )
    return Ctrf(root, run("-m", "test.run_all", cwd=root))


def validate(report: object) -> None:
    """Raise unless `report` is valid against the CTRF schema (formats such as uuid checked)."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, f"not valid CTRF: {errors[0].message} at {list(errors[0].absolute_path)}"


def strings(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (key, *strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


CASE = "test.test_outcomes::"


@test("the report of a run with every outcome and hostile text is valid against the CTRF schema")
def valid_against_schema(ctrf: Ctrf) -> None:
    assert ctrf.ran.code == 1, ctrf.ran
    assert "json report: reports/report.json" in ctrf.ran.stdout, ctrf.ran
    validate(ctrf.report)
    assert ctrf.report["reportFormat"] == "CTRF" and ctrf.report["specVersion"] == "0.0.0"
    from datetime import datetime

    datetime.fromisoformat(ctrf.report["timestamp"].replace("Z", "+00:00"))  # RFC 3339


@test("a schema violation is caught by the check the report is held to")
def schema_check_can_fail(ctrf: Ctrf) -> None:
    broken = json.loads(ctrf.raw)
    broken["results"]["tests"][0]["status"] = "error"  # not one of CTRF's statuses
    try:
        validate(broken)
    except AssertionError as error:
        assert "error" in str(error), error
    else:
        raise AssertionError("a test with status 'error' passed the schema check")


@test("each outcome maps to CTRF's status as the summary line counts it, the exact outcome kept")
def statuses(ctrf: Ctrf) -> None:
    expected = {
        "passes": ("passed", "passed"),
        "passes_printing": ("passed", "passed"),
        "fails": ("failed", "failed"),
        "errors": ("failed", "error"),
        "skipped": ("skipped", "skipped"),
        "xfailed": ("skipped", "xfailed"),
        "xpassed": ("passed", "xpassed"),
        "doubles[two]": ("passed", "passed"),
    }
    for name, (status, outcome) in expected.items():
        case = ctrf.tests[CASE + name]
        assert (case["status"], case["rawStatus"], case["extra"]["outcome"]) == (status, outcome, outcome), case
    assert len(ctrf.tests) == 9, sorted(ctrf.tests)


@test("the summary's counts are the run's summary line, with errors, xfailed and xpassed kept")
def summary(ctrf: Ctrf) -> None:
    s = ctrf.report["results"]["summary"]
    passed, failed, skipped = ctrf.ran.counts
    assert (s["passed"], s["failed"], s["skipped"], s["pending"], s["other"]) == (passed, failed, skipped, 0, 0), s
    assert (passed, failed, skipped) == (5, 2, 2), ctrf.ran
    assert s["tests"] == passed + failed + skipped == len(ctrf.report["results"]["tests"])
    assert s["extra"] == {"errors": 1, "xfailed": 1, "xpassed": 1}, s
    assert s["suites"] == 1
    assert s["stop"] - s["start"] == s["duration"] >= 0, s
    tool = ctrf.report["results"]["tool"]
    import thinking_tests

    assert tool == {"name": "thinking-tests", "version": thinking_tests.__version__}, tool


@test("a test carries its times in ms, file, line, suite, tags, parameters and description")
def test_fields(ctrf: Ctrf) -> None:
    s = ctrf.report["results"]["summary"]
    for case in ctrf.tests.values():
        assert isinstance(case["duration"], int) and case["duration"] >= 0, case
        assert case["stop"] - case["start"] == case["duration"], case
        assert s["start"] - 1000 <= case["start"] <= s["stop"] + 1000, (case, s)
        assert case["suite"] == ["test", "test_outcomes"], case
        assert Path(case["filePath"]).resolve() == (ctrf.root / "test" / "test_outcomes.py").resolve(), case
    passes = ctrf.tests[CASE + "passes"]
    assert passes["line"] == 8 and passes["tags"] == ["fast", "unit"], passes
    assert passes["extra"]["description"] == "passes quietly", passes
    assert ctrf.tests[CASE + "doubles[two]"]["parameters"] == {"a": "2", "b": "4"}
    assert "tags" not in ctrf.tests[CASE + "fails"], "a case without tags has none"


@test("a parallel run names each test's worker as CTRF's threadId; a serial run names none")
def thread_ids(ctrf: Ctrf) -> None:
    assert not any("threadId" in case for case in ctrf.tests.values()), "a serial run has no workers"
    files = {"test/__init__.py": "", "test/run_all.py": RUN_ALL}
    files.update({f"test/test_m{n}.py": f"from thinking_tests import test\n\n\n@test\ndef case_{n}():\n    pass\n" for n in range(4)})
    root = project(files, config='config.reports.json = "report.json"\n')
    ran = run("-m", "test.run_all", "-n", "2", cwd=root)
    assert ran.code == 0 and ran.counts == (4, 0, 0), ran
    report = json.loads((root / "reports" / "report.json").read_text(encoding="utf-8"))
    validate(report)
    threads = {case["threadId"] for case in report["results"]["tests"]}
    assert threads <= {"w0", "w1"} and threads, threads


@test("a failure carries its message and trace, and the stage and exception that made it")
def failure_fields(ctrf: Ctrf) -> None:
    fails = ctrf.tests[CASE + "fails"]
    assert "arithmetic \x00\x1b[1m broke" in fails["message"], fails  # controls given back
    assert "Traceback" in fails["trace"] and "assert 1 + 1 == 3" in fails["trace"], fails
    assert fails["extra"]["exception"] == "AssertionError" and fails["extra"]["stage"] == "run", fails
    errors = ctrf.tests[CASE + "errors"]
    assert "fixture" in errors["message"] and "RuntimeError" in errors["trace"], errors
    assert errors["extra"]["stage"] == "setup", errors
    assert ctrf.tests[CASE + "skipped"]["message"] == "not today \x07"
    assert ctrf.tests[CASE + "xfailed"]["message"] == "bug 12"
    assert "message" not in ctrf.tests[CASE + "passes"]


@test("stdout and stderr are lists of lines, control characters given back exactly")
def output(ctrf: Ctrf) -> None:
    case = ctrf.tests[CASE + "passes_printing"]
    assert case["stdout"] == ["out one", "out two \x1b[31mred\x1b[0m nul\x00 bell\x07"], case
    assert case["stderr"] == ["err line"], case
    assert any("a log line" in line for line in case["extra"]["log"]), case
    assert "stdout" not in ctrf.tests[CASE + "passes"]


@test("lone surrogates become visible markers: the file is strict UTF-8 and json.loads reads it")
def surrogates(ctrf: Ctrf) -> None:
    ctrf.raw.decode("utf-8")  # strict
    json.loads(ctrf.raw)
    for text in strings(ctrf.report):
        text.encode("utf-8")  # no lone surrogate, escaped or not
    named = [t for t in ctrf.tests if t.startswith(CASE + "doubles[one")]
    assert named, sorted(ctrf.tests)
    assert "#xD800" in named[0], named
    assert "#xD800" in ctrf.tests[CASE + "fails"]["message"]


@test("the writer alone: times that are no times become 0, and the report stays valid")
def odd_times() -> None:
    from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, RunResult, Stage, StageResult
    from thinking_tests.reports import ctrf

    info = ExceptionInfo("Boom\ud800", "m\udcff", "tb\x00", "diff\x1b")
    cases = tuple(
        CaseResult(
            id=f"m::c{index}",
            module="m",
            name=f"c{index}",
            outcome=outcome,
            duration=seconds,
            stages=(StageResult(Stage.RUN, outcome is Outcome.PASSED, seconds, info),),
            stdout="a\r\nb\n\n",
            start=seconds,
        )
        for index, (outcome, seconds) in enumerate(
            zip(Outcome, (math.nan, math.inf, -1.0, -0.0, 1e300, 0.0015))
        )
    )
    path = temporary("tt-ctrf-") / "r.json"
    ctrf.write(RunResult(cases, math.nan, math.inf, notes=("not finished \ud800",)), path)
    report = json.loads(path.read_bytes().decode("utf-8"))
    validate(report)
    tests = report["results"]["tests"]
    assert [t["duration"] for t in tests] == [0, 0, 0, 0, 0, 2], tests
    assert tests[0]["stdout"] == ["a\r", "b", ""], tests[0]
    assert tests[1]["trace"] == "tb\x00\ndiff\x1b" and tests[1]["extra"]["exception"] == "Boom#xD800"
    assert report["results"]["extra"]["notes"] == ["not finished #xD800"]
    assert report["results"]["summary"]["start"] == 0 == report["results"]["summary"]["duration"]


@test("off by default: a run without config.reports.json writes no JSON report")
def off_by_default() -> None:
    root = project({"test_x.py": "from thinking_tests import test\n@test\ndef ok(): pass\n"})
    ran = run("-m", "thinking_tests", "test_x", cwd=root)
    assert ran.code == 0, ran
    assert sorted(p.name for p in (root / "reports").glob("*.json")) == [], ran
    assert "json report" not in ran.stdout, ran


@test("pyproject.toml's [tool.thinking-tests.reports] json = ... turns it on")
def from_pyproject() -> None:
    root = project(
        {
            "test_x.py": "from thinking_tests import test\n@test\ndef ok(): pass\n",
            "pyproject.toml": '[tool.thinking-tests.reports]\njson = "ctrf/run.json"\n'
            "[tool.thinking-tests.coverage]\nenabled = false\n",
        },
        config=None,
    )
    ran = run("-m", "thinking_tests", "test_x", cwd=root)
    assert ran.code == 0, ran
    validate(json.loads((root / "reports" / "ctrf" / "run.json").read_text(encoding="utf-8")))


@test(
    "a JSON report path that cannot be written is one sentence before anything runs (exit 4)",
    params=[
        ('"sub"', "is a folder"),
        ('""', "is empty"),
        ('"../out.json"', "leads out of its directory"),
        ('"junit.xml"', "both name"),
        ("3", "must be str or PathLike"),
    ],
    ids=["folder", "empty", "outside", "taken", "type"],
)
def bad_path(value: str, said: str) -> None:
    marker = "ran.txt"
    root = project(
        {
            "reports/sub/keep": "",
            "test_x.py": f"from thinking_tests import test\n@test\ndef ok(): open({marker!r}, 'w').close()\n",
        },
        config=f"config.reports.json = {value}\n",
    )
    ran = run("-m", "thinking_tests", "test_x", cwd=root)
    assert ran.code == 4, ran
    assert "config.reports.json" in ran.output and said in ran.output, ran
    assert "Traceback" not in ran.output, ran
    assert not (root / marker).exists(), "a case ran"


if __name__ == "__main__":
    run_current_module()
