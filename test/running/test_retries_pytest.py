"""Retries under pytest: pytest-rerunfailures runs a failed case again, under the pytest
engine (`--reruns`, `config.retries`, `@test(retries=N)` as its `flaky` marker) and under plain
`pytest` with our plugin; its reruns become our failed attempts, so a case that fails and then
passes is flaky in every report, as on the unittest engine. Without the plugin (hidden with
`-p no:rerunfailures`), `@test(retries=N)` is not applied and one warning line says so. A file
counts how often each case ran."""

from __future__ import annotations

import importlib.util
import json
import re
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from test.running._helpers import (
    COUNTER,
    PLAIN_RETRIES,
    Ran,
    one_sentence,
    outcomes,
    project,
    run,
    junit_testcases,
    times_ran,
)
from test.support import JENKINS_XSD, run_pytest
from thinking_tests import run_current_module, test

# `flaky` is the last case of its module and another module runs next: its module fixture
# stays set up between its attempts all the same.
FLAKY = COUNTER + '''
import sys

from thinking_tests import fixture, test


@fixture(scope="module")
def shared():
    ran("shared")
    yield "shared"
    ran("shared-teardown")


@fixture
def first_time_broken():
    if ran("first_time_broken") == 1:
        raise OSError("first time")


@test
def steady():
    ran("steady")


@test(retries=1)
def errors_then_passes(first_time_broken):
    ran("errors_then_passes")


@test(retries=1)
def flaky(shared):
    times = ran("flaky")
    print(f"flaky out {times}")
    print(f"flaky err {times}", file=sys.stderr)
    assert times >= 2, f"attempt {times} fails"
'''

OTHER = "from thinking_tests import test\n\n\n@test\ndef other():\n    pass\n"

BROKEN = COUNTER + '''
from thinking_tests import test


@test(retries=2)
def broken():
    times = ran("broken")
    print(f"broken out {times}")
    raise ValueError(f"broken {times}")
'''


NOT_RETRIED = COUNTER + '''
import unittest

from thinking_tests import fixture, test


@fixture(scope="module")
def service():
    ran("service")
    raise ConnectionError("no service")


@test(retries=3)
def needs_service(service):
    ran("needs_service")


@test(retries=3)
def needs_nothing_known(not_a_fixture):
    ran("needs_nothing_known")


@test(retries=3)
def skips_itself():
    ran("skips_itself")
    raise unittest.SkipTest("skips itself")


@test(retries=3, xfail="known bug")
def expected_to_fail():
    ran("expected_to_fail")
    assert False
'''

ENGINE = ("-m", "thinking_tests", "--backend", "pytest")
HIDDEN = 'config.pytest_args = ["-p", "no:rerunfailures"]\n'  # pytest does not load the plugin


def _needs_plugin() -> None:
    if importlib.util.find_spec("pytest_rerunfailures") is None:
        raise unittest.SkipTest("pytest-rerunfailures is not installed: pip install pytest-rerunfailures (the dev extras have it)")


def _forget_runs(root: Path) -> None:
    for counts in root.glob("RAN-*"):
        counts.unlink()


def _shape(root: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Each testcase of the JUnit XML: its elements with their message and output, what
    two runs of the same cases must agree on (not durations, not tracebacks' paths)."""
    def shown(child: ET.Element) -> tuple[str, str, str, str]:
        output = (child.text or "") if child.tag.startswith("system-") else ""
        return child.tag, child.get("message", ""), child.findtext("system-out") or "", output

    return {name: [shown(child) for child in case] for name, case in junit_testcases(root).items()}


def _ctrf(root: Path) -> dict[str, dict]:
    report = json.loads((root / "reports" / "report.json").read_text())["results"]
    return {t["name"]: t for t in report["tests"]} | {"<summary>": report["summary"]}


def _flaky_project() -> Path:
    return project(
        {"test/__init__.py": "", "test/test_flaky.py": FLAKY, "test/test_other.py": OTHER},
        'config.reports.json = "report.json"\n',
    )


def _check_flaky_reports(root: Path, ran: Ran) -> None:
    """What both a pytest engine run and a plain pytest run of _flaky_project report."""
    assert (times_ran(root, "flaky"), times_ran(root, "errors_then_passes"), times_ran(root, "steady")) == (2, 1, 1), ran
    assert (times_ran(root, "shared"), times_ran(root, "shared-teardown")) == (1, 1), ran  # not set up again
    cases = junit_testcases(root)
    case = cases["flaky"]
    assert [child.tag for child in case] == ["flakyFailure", "system-out", "system-err"], ET.tostring(case)
    flaky = case.find("flakyFailure")
    assert flaky is not None
    assert flaky.get("type") == "AssertionError" and flaky.get("message") == "AssertionError: attempt 1 fails"
    assert [child.tag for child in flaky] == ["stackTrace", "system-out", "system-err"]
    assert "assert times >= 2" in (flaky.findtext("stackTrace") or "")
    assert flaky.findtext("system-out") == "flaky out 1\n" and flaky.findtext("system-err") == "flaky err 1\n"
    assert case.findtext("system-out") == "flaky out 2\n" and case.findtext("system-err") == "flaky err 2\n"
    error = cases["errors_then_passes"]
    assert [child.tag for child in error] == ["flakyError"], ET.tostring(error)
    assert "OSError: first time" in (error.find("flakyError").get("message") or "")  # type: ignore[union-attr]
    assert [child.tag for child in cases["steady"]] == [] and [child.tag for child in cases["other"]] == []
    tests = _ctrf(root)
    shown = tests["test.test_flaky::flaky"]
    assert shown["status"] == "passed" and shown["flaky"] is True and shown["retries"] == 1, shown
    assert [(a["attempt"], a["status"], a["stdout"]) for a in shown["retryAttempts"]] == [(1, "failed", ["flaky out 1"])], shown
    assert "flaky" not in tests["test.test_flaky::steady"], tests
    assert tests["<summary>"]["flaky"] == 2 and tests["<summary>"]["passed"] == 4, tests["<summary>"]


@test("pytest engine: a case that fails once then passes is flaky (exit 0), its failed attempt in the terminal, JUnit XML, CTRF and journal")
def engine_flaky() -> None:
    _needs_plugin()
    root = _flaky_project()
    ran = run(*ENGINE, "test", "-v", cwd=root)
    assert ran.code == 0 and ran.counts == (4, 0, 0), ran
    # One result per case, however often it ran.
    assert outcomes(ran) == dict.fromkeys(
        ["test.test_flaky::steady", "test.test_flaky::errors_then_passes", "test.test_flaky::flaky", "test.test_other::other"], "PASSED"
    ), ran
    assert "test.test_flaky::flaky PASSED (flaky: passed on attempt 2)" in ran.stdout, ran
    assert "test.test_flaky::flaky: passed on attempt 2\n  attempt 1: failed: AssertionError: attempt 1 fails\n" in ran.stdout, ran
    assert ran.stdout.splitlines()[-2].endswith(", 2 flaky"), ran
    _check_flaky_reports(root, ran)
    report = run("-m", "thinking_tests", "report", cwd=root)  # from the journal
    assert "test.test_flaky::flaky: passed on attempt 2" in report.stdout and report.counts == (4, 0, 0), report


@test("plain pytest with pytest-rerunfailures writes the same flaky outcomes into our reports as the pytest engine")
def plain_pytest_flaky() -> None:
    _needs_plugin()
    root = _flaky_project()
    engine = run(*ENGINE, "test", cwd=root)
    assert engine.code == 0, engine
    by_engine = _shape(root)
    _forget_runs(root)
    ran = run_pytest("-p", "no:cacheprovider", "test", cwd=root)
    assert ran.code == 0 and "4 passed, 2 rerun" in ran.stdout, ran
    _check_flaky_reports(root, ran)
    assert _shape(root) == by_engine, (_shape(root), by_engine)


@test("pytest engine and plain pytest: a case that fails every attempt is failed (exit 1), every attempt shown and reported")
def fails_every_attempt() -> None:
    _needs_plugin()
    root = project({"test/__init__.py": "", "test/test_broken.py": BROKEN}, 'config.reports.json = "report.json"\n')
    ran = run(*ENGINE, "test", "-v", cwd=root)
    assert ran.code == 1 and ran.counts == (0, 1, 0), ran
    assert "test.test_broken::broken FAILED (3 attempts)" in ran.stdout, ran
    assert times_ran(root, "broken") == 3, ran
    for number in (1, 2, 3):
        assert f"ValueError: broken {number}\n" in ran.stdout and f"broken out {number}\n" in ran.stdout, ran
    assert "--- attempt 1 of 3 ---" in ran.stdout and "--- attempt 3 of 3 (the last) ---" in ran.stdout, ran
    path = root / "reports" / "junit.xml"
    errors = list(xmlschema.XMLSchema(str(JENKINS_XSD)).iter_errors(str(path)))
    assert not errors, errors[0]
    case = junit_testcases(root)["broken"]
    assert [child.tag for child in case] == ["failure", "rerunFailure", "rerunFailure", "system-out"], ET.tostring(case)
    assert case.find("failure").get("message") == "ValueError: broken 3"  # type: ignore[union-attr]
    reruns = case.findall("rerunFailure")
    assert [r.get("message") for r in reruns] == ["ValueError: broken 1", "ValueError: broken 2"]
    assert [r.findtext("system-out") for r in reruns] == ["broken out 1\n", "broken out 2\n"]
    shown = _ctrf(root)["test.test_broken::broken"]
    assert shown["status"] == "failed" and shown["flaky"] is False and shown["retries"] == 2, shown
    by_engine = _shape(root)
    _forget_runs(root)
    plain = run_pytest("-p", "no:cacheprovider", "test", cwd=root)
    assert plain.code == 1 and "1 failed, 2 rerun" in plain.stdout, plain
    assert times_ran(root, "broken") == 3, plain
    assert _shape(root) == by_engine, (_shape(root), by_engine)
    _forget_runs(root)
    workers = run(*ENGINE, "-n", "2", "test", cwd=root)  # reruns reported by pytest-xdist's workers
    assert workers.code == 1 and times_ran(root, "broken") == 3, workers
    assert _shape(root) == by_engine, (_shape(root), by_engine)


@test("--reruns N under the pytest engine (and plain pytest's own --reruns) retry every case but one with @test(retries=0)")
def reruns_under_pytest() -> None:
    _needs_plugin()
    root = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES})
    ran = run(*ENGINE, "test", "--reruns", "1", "-v", cwd=root)
    assert ran.code == 1 and ran.counts == (1, 1, 0), ran
    assert outcomes(ran) == {"test.test_plain::once_broken": "PASSED", "test.test_plain::never_again": "FAILED"}, ran
    assert "test.test_plain::once_broken PASSED (flaky: passed on attempt 2)" in ran.stdout, ran
    assert (times_ran(root, "once_broken"), times_ran(root, "never_again")) == (2, 1), ran  # retries=0 is its own
    assert [child.tag for child in junit_testcases(root)["once_broken"]] == ["flakyFailure"], ran
    by_engine = _shape(root)
    _forget_runs(root)
    plain = run_pytest("-p", "no:cacheprovider", "--reruns", "1", "test", cwd=root)
    assert plain.code == 1 and (times_ran(root, "once_broken"), times_ran(root, "never_again")) == (2, 1), plain
    assert _shape(root) == by_engine, (_shape(root), by_engine)
    configured = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES}, "config.retries = 1\n")
    by_config = run(*ENGINE, "test", cwd=configured)
    assert by_config.code == 1 and by_config.counts == (1, 1, 0), by_config
    assert (times_ran(configured, "once_broken"), times_ran(configured, "never_again")) == (2, 1), by_config


@test("under pytest as on the unittest engine, no retry for a module fixture that cannot be set up, a missing fixture, a skip, an expected failure")
def not_retried_under_pytest() -> None:
    _needs_plugin()
    root = project({"test/__init__.py": "", "test/test_not.py": NOT_RETRIED})
    expected = {"service": 1, "needs_service": 0, "needs_nothing_known": 0, "skips_itself": 1, "expected_to_fail": 1}
    for command in (ENGINE + ("-v", "test"), ("-m", "pytest", "-p", "no:cacheprovider", "test")):
        _forget_runs(root)
        ran = run(*command, cwd=root)
        assert ran.code == 1, ran
        assert {name: times_ran(root, name) for name in expected} == expected, ran
        assert " R" not in ran.stdout and "attempt" not in ran.stdout and not re.search(r"\d+ rerun", ran.stdout), ran
        assert not [case for case in junit_testcases(root).values() for child in case if "rerun" in child.tag or "flaky" in child.tag]


@test("without pytest-rerunfailures, @test(retries=N) is not applied and one warning line names the cases; --reruns is refused")
def without_the_plugin() -> None:
    root = project({"test/__init__.py": "", "test/test_flaky.py": FLAKY, "test/test_plain.py": PLAIN_RETRIES}, HIDDEN)
    ran = run(*ENGINE, "test", cwd=root)
    assert ran.code == 1 and ran.counts == (1, 4, 0), ran
    assert (times_ran(root, "flaky"), times_ran(root, "first_time_broken")) == (1, 1), ran
    warning = (
        "thinking-tests: warning: @test(retries=...) of 2 cases (test.test_flaky::errors_then_passes, "
        "test.test_flaky::flaky) not applied: under pytest, retries need pytest-rerunfailures "
        "(pip install pytest-rerunfailures)"
    )
    assert ran.output.count("@test(retries=...)") == 1 and warning in ran.stderr.splitlines(), ran  # never_again: retries=0
    refused = run(*ENGINE, "test", "--reruns", "1", cwd=root)
    assert refused.code == 4, refused
    assert "need pytest-rerunfailures: pip install pytest-rerunfailures" in one_sentence(refused), refused
    _forget_runs(root)
    plain = run_pytest("-p", "no:cacheprovider", "-p", "no:rerunfailures", "test", cwd=root)
    assert plain.code == 1 and times_ran(root, "flaky") == 1, plain
    assert plain.output.count("@test(retries=...)") == 1 and warning in plain.stdout.splitlines(), plain


if __name__ == "__main__":
    run_current_module()
