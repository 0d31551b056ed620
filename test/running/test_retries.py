"""Retries for the flaky: `@test(retries=N)`, `config.retries` and `--reruns N` run a failed
case again. One that then passes is flaky: passed in the summary, its failed attempts in the
terminal, the journal, the JUnit XML (Surefire's elements) and the CTRF report. A file counts
how often each case ran."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import xmlschema

from test.running._helpers import (
    COUNTER,
    PLAIN_RETRIES,
    one_sentence,
    outcomes,
    project,
    run,
    junit_testcases,
    times_ran,
)
from test.support import JENKINS_XSD, REPO
from thinking_tests import run_current_module, test

SUREFIRE_XSD = REPO / "test" / "schemas" / "surefire-test-report.xsd"
CTRF_SCHEMA = REPO / "test" / "schemas" / "ctrf-schema-0.0.json"

CASES = COUNTER + '''
import sys

from thinking_tests import test


@test(retries=2)
def flaky():
    times = ran("flaky")
    print(f"flaky out {times}")
    print(f"flaky err {times}", file=sys.stderr)
    assert times >= 2, f"attempt {times} fails"


@test(retries=2)
def broken():
    times = ran("broken")
    print(f"broken out {times}")
    raise ValueError(f"broken {times}")


@test
def steady():
    ran("steady")
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


@test(retries=3, skip="not here")
def skipped():
    ran("skipped")


@test(retries=3)
def skips_itself():
    ran("skips_itself")
    raise unittest.SkipTest("skips itself")


@test(retries=3, xfail="known bug")
def expected_to_fail():
    ran("expected_to_fail")
    assert False
'''

STAGES = COUNTER + '''
from thinking_tests import fixture, setup, test


@fixture(scope="module")
def shared():
    ran("shared")
    yield "shared"
    ran("shared-teardown")


@fixture
def fresh():
    ran("fresh")
    yield "fresh"
    ran("fresh-teardown")


with setup(lambda: ran("setup")):
    @test(retries=2)
    def uses_both(shared, fresh):
        times = ran("uses_both")
        assert times >= 3


@test
def after(shared):
    ran("after")
'''

SLOW = COUNTER + '''
import time

from thinking_tests import test


@test(retries=3)
def slow():
    ran("slow")
    time.sleep(60)
'''


@test("a case that fails once and then passes is flaky: passed, exit 0, its failed attempt kept in every report")
def fails_once_then_passes() -> None:
    root = project(
        {"test/__init__.py": "", "test/test_flaky.py": CASES.replace('@test(retries=2)\ndef broken', '@test(skip="later")\ndef broken')},
        'config.reports.json = "report.json"\n',
    )
    ran = run("-m", "thinking_tests", "test", "-v", cwd=root)
    assert ran.code == 0 and ran.counts == (2, 0, 1), ran
    assert times_ran(root, "flaky") == 2 and times_ran(root, "steady") == 1, ran
    assert "test.test_flaky::flaky PASSED (flaky: passed on attempt 2)" in ran.stdout, ran
    assert "test.test_flaky::flaky: passed on attempt 2\n  attempt 1: failed: AssertionError: attempt 1 fails\n" in ran.stdout, ran
    assert ran.stdout.splitlines()[-2].endswith(", 1 flaky"), ran
    # JUnit XML: a passed testcase with a flakyFailure holding the first attempt's output.
    case = junit_testcases(root)["flaky"]
    assert [child.tag for child in case] == ["flakyFailure", "system-out", "system-err"], ET.tostring(case)
    flaky = case.find("flakyFailure")
    assert flaky is not None
    assert flaky.get("type") == "AssertionError" and flaky.get("message") == "AssertionError: attempt 1 fails"
    assert [child.tag for child in flaky] == ["stackTrace", "system-out", "system-err"]
    assert "assert times >= 2" in (flaky.findtext("stackTrace") or "")
    assert flaky.findtext("system-out") == "flaky out 1\n" and flaky.findtext("system-err") == "flaky err 1\n"
    assert case.findtext("system-out") == "flaky out 2\n"
    # CTRF: flaky, one retry, the failed attempt with its output.
    tests = {t["name"]: t for t in json.loads((root / "reports" / "report.json").read_text())["results"]["tests"]}
    shown = tests["test.test_flaky::flaky"]
    assert shown["status"] == "passed" and shown["flaky"] is True and shown["retries"] == 1, shown
    assert [(a["attempt"], a["status"], a["stdout"]) for a in shown["retryAttempts"]] == [(1, "failed", ["flaky out 1"])], shown
    assert "flaky" not in tests["test.test_flaky::steady"], tests
    summary = json.loads((root / "reports" / "report.json").read_text())["results"]["summary"]
    assert summary["flaky"] == 1 and summary["passed"] == 2, summary
    # The journal keeps the attempt: `report` shows it again, and --lf finds nothing failed.
    report = run("-m", "thinking_tests", "report", cwd=root)
    assert "test.test_flaky::flaky: passed on attempt 2" in report.stdout, report
    assert report.counts == (2, 0, 1), report
    again = run("-m", "thinking_tests", "test", "--lf", cwd=root)
    assert "no case of this selection failed in the last run" in again.stdout, again


@test("a case that fails every attempt is failed, exit 1, and every attempt is shown and reported")
def fails_every_attempt() -> None:
    root = project({"test/__init__.py": "", "test/test_flaky.py": CASES}, 'config.reports.json = "report.json"\n')
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 1 and ran.counts == (2, 1, 0), ran
    assert times_ran(root, "broken") == 3, ran
    for number in (1, 2, 3):
        assert f"ValueError: broken {number}\n" in ran.stdout and f"broken out {number}\n" in ran.stdout, ran
    assert "--- attempt 1 of 3 ---" in ran.stdout and "--- attempt 3 of 3 (the last) ---" in ran.stdout, ran
    case = junit_testcases(root)["broken"]
    assert [child.tag for child in case] == ["failure", "rerunFailure", "rerunFailure", "system-out"], ET.tostring(case)
    assert case.find("failure").get("message") == "ValueError: broken 3"  # type: ignore[union-attr]
    reruns = case.findall("rerunFailure")
    assert [r.get("message") for r in reruns] == ["ValueError: broken 1", "ValueError: broken 2"]
    assert [r.findtext("system-out") for r in reruns] == ["broken out 1\n", "broken out 2\n"]
    tests = {t["name"]: t for t in json.loads((root / "reports" / "report.json").read_text())["results"]["tests"]}
    shown = tests["test.test_flaky::broken"]
    assert shown["status"] == "failed" and shown["flaky"] is False and shown["retries"] == 2, shown
    assert [a["message"] for a in shown["retryAttempts"]] == ["ValueError: broken 1", "ValueError: broken 2"]
    # --lf runs it again (and only it).
    again = run("-m", "thinking_tests", "test", "--lf", "-v", cwd=root)
    assert list(outcomes(again)) == ["test.test_flaky::broken"], again


@test("--reruns N on the command line retries every case, config.retries too; the command line wins, a case's own retries over both")
def reruns_and_config() -> None:
    root = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES})
    plain = run("-m", "thinking_tests", "test", cwd=root)
    assert plain.code == 1 and plain.counts == (0, 2, 0), plain
    assert (times_ran(root, "once_broken"), times_ran(root, "never_again")) == (1, 1)
    for name in ("once_broken", "never_again"):
        (root / f"RAN-{name}").unlink()
    rerun = run("-m", "thinking_tests", "test", "--reruns", "1", "-v", cwd=root)
    assert rerun.code == 1 and rerun.counts == (1, 1, 0), rerun
    assert outcomes(rerun) == {"test.test_plain::once_broken": "PASSED", "test.test_plain::never_again": "FAILED"}, rerun
    assert (times_ran(root, "once_broken"), times_ran(root, "never_again")) == (2, 1), rerun  # retries=0 is its own
    configured = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES}, "config.retries = 5\n")
    by_config = run("-m", "thinking_tests", "test", cwd=configured)
    assert by_config.code == 1 and by_config.counts == (1, 1, 0), by_config
    assert (times_ran(configured, "once_broken"), times_ran(configured, "never_again")) == (2, 1), by_config
    for name in ("once_broken", "never_again"):
        (configured / f"RAN-{name}").write_text("-5")  # fails until its 7th run
    overruled = run("-m", "thinking_tests", "test", "--reruns", "0", cwd=configured)
    assert overruled.counts == (0, 2, 0) and times_ran(configured, "once_broken") == -4, overruled


@test("wrong retries are refused in one sentence: config.retries, --reruns, @test(retries=...)")
def wrong_retries_refused() -> None:
    configured = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES}, 'config.retries = "2"\n')
    ran = run("-m", "thinking_tests", "test", cwd=configured)
    assert ran.code == 4, ran
    assert "config.retries must be int, not str" in one_sentence(ran), ran
    negative = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES}, "config.retries = -1\n")
    ran = run("-m", "thinking_tests", "test", cwd=negative)
    assert ran.code == 4 and "config.retries must be a whole number of times" in one_sentence(ran), ran
    ran = run("-m", "thinking_tests", "test", "--reruns", "-1", cwd=negative)
    assert ran.code == 4 and "--reruns" in one_sentence(ran), ran
    bad = project({"test/__init__.py": "", "test/test_bad.py": "from thinking_tests import test\n\n@test(retries=1.5)\ndef x():\n    pass\n"})
    ran = run("-m", "thinking_tests", "test", cwd=bad)
    assert ran.code == 1 and "@test(retries=...) must be a whole number of times (0 or more), not 1.5" in ran.stdout, ran


@test("a retry runs the case's own stages again (setup blocks, case fixtures) and keeps module fixtures set up")
def retry_reruns_own_stages() -> None:
    root = project({"test/__init__.py": "", "test/test_stages.py": STAGES})
    ran = run("-m", "thinking_tests", "test", "-v", cwd=root)
    assert ran.code == 0 and ran.counts == (2, 0, 0), ran
    assert times_ran(root, "uses_both") == 3
    assert (times_ran(root, "setup"), times_ran(root, "fresh"), times_ran(root, "fresh-teardown")) == (3, 3, 3), ran
    assert (times_ran(root, "shared"), times_ran(root, "shared-teardown"), times_ran(root, "after")) == (1, 1, 1), ran


@test("no retry for a module fixture that cannot be set up, a skip, an expected failure")
def not_retried() -> None:
    root = project({"test/__init__.py": "", "test/test_not.py": NOT_RETRIED})
    ran = run("-m", "thinking_tests", "test", "-v", cwd=root)
    assert ran.code == 1, ran
    assert outcomes(ran) == {
        "test.test_not::needs_service": "ERROR",
        "test.test_not::skipped": "SKIPPED",
        "test.test_not::skips_itself": "SKIPPED",
        "test.test_not::expected_to_fail": "XFAILED",
    }, ran
    counts = {n: times_ran(root, n) for n in ("service", "needs_service", "skipped", "skips_itself", "expected_to_fail")}
    assert counts == {"service": 1, "needs_service": 0, "skipped": 0, "skips_itself": 1, "expected_to_fail": 1}, ran
    assert " R" not in ran.stdout and "attempt" not in ran.stdout, ran


@test("a case the run timeout stops is not retried: exit 2, one attempt")
def run_timeout_not_retried() -> None:
    root = project({"test/__init__.py": "", "test/test_slow.py": SLOW})
    ran = run("-m", "thinking_tests", "test", "--run-timeout", "1", cwd=root)
    assert ran.code == 2, ran
    assert times_ran(root, "slow") == 1, ran
    assert "attempt" not in ran.stdout, ran


@test("a case Ctrl-C stops is not retried: exit 2, one attempt")
def interrupt_not_retried() -> None:
    body = SLOW.replace("time.sleep(60)", "raise KeyboardInterrupt")
    root = project({"test/__init__.py": "", "test/test_slow.py": body})
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 2, ran
    assert times_ran(root, "slow") == 1, ran


@test("a per-case timeout is retried like any error: each attempt has the whole limit")
def case_timeout_retried() -> None:
    body = SLOW.replace("@test(retries=3)", "@test(retries=1, timeout=0.5)").replace(
        "    time.sleep(60)", "    if ran('slow-attempts') == 1:\n        time.sleep(60)"
    )
    root = project({"test/__init__.py": "", "test/test_slow.py": body})
    ran = run("-m", "thinking_tests", "test", "-v", cwd=root)
    assert ran.code == 0 and ran.counts == (1, 0, 0), ran
    assert times_ran(root, "slow") == 2, ran
    case = junit_testcases(root)["slow"]
    assert [child.tag for child in case] == ["flakyError"], ET.tostring(case)


@test("--reruns reaches the processes of --isolate and -n")
def reruns_in_child_processes() -> None:
    for flags in (("--isolate",), ("-n", "2")):
        more = PLAIN_RETRIES.replace('ran("', 'ran("more-')
        root = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES, "test/test_more.py": more})
        ran = run("-m", "thinking_tests", "test", "--reruns", "1", *flags, cwd=root)
        assert ran.counts == (2, 2, 0), ran
        assert (times_ran(root, "once_broken"), times_ran(root, "more-once_broken")) == (2, 2), ran


@test("under the pytest engine without pytest-rerunfailures (not installed, or hidden by -p no:rerunfailures), retries are refused in one sentence")
def pytest_engine_refuses() -> None:
    hidden = 'config.pytest_args = ["-p", "no:rerunfailures"]\n'
    for config in (hidden, hidden + "config.retries = 1\n"):
        root = project({"test/__init__.py": "", "test/test_plain.py": PLAIN_RETRIES}, config)
        reruns = () if "retries" in config else ("--reruns", "2")
        ran = run("-m", "thinking_tests", "test", "--backend", "pytest", *reruns, cwd=root)
        assert ran.code == 4, ran
        assert "need pytest-rerunfailures" in one_sentence(ran), ran
        assert not (root / "RAN-once_broken").exists(), ran


@test("the JUnit XML of retried cases is valid against the Jenkins schema, and its testcases against Surefire's")
def junit_valid() -> None:
    root = project({"test/__init__.py": "", "test/test_flaky.py": CASES + ERRORING})
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 1, ran
    path = root / "reports" / "junit.xml"
    errors = list(xmlschema.XMLSchema(str(JENKINS_XSD)).iter_errors(str(path)))
    assert not errors, errors[0]
    tags = {child.tag for case in ET.parse(path).iter("testcase") for child in case}
    assert {"flakyFailure", "flakyError", "rerunFailure", "rerunError"} <= tags, tags
    # Surefire's schema (which defines these elements) has one testsuite as its root and
    # wants its attributes: each testcase is checked inside one of its own.
    surefire = xmlschema.XMLSchema(str(SUREFIRE_XSD))
    for case in ET.parse(path).iter("testcase"):
        suite = ET.Element("testsuite", name="s", tests="1", errors="0", skipped="0", failures="0")
        suite.append(case)
        problems = list(surefire.iter_errors(suite))
        assert not problems, (problems[0], ET.tostring(case))


ERRORING = '''
from thinking_tests import fixture

@fixture
def first_time_broken():
    if ran("first_time_broken") == 1:
        raise OSError("first time")


@test(retries=1)
def errors_then_passes(first_time_broken):
    pass


@test(retries=1)
def errors_and_fails():
    if ran("errors_and_fails") == 1:
        raise OSError("first time")
    assert False, "second time"


@test(retries=1, setup=lambda: (_ for _ in ()).throw(RuntimeError("setup breaks")))
def setup_breaks():
    pass
'''


@test("the checks of the schemas this test ships can fail: a flakyFailure without type is invalid")
def schema_check_can_fail() -> None:
    bad = (
        '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
        '<testcase name="c"><flakyFailure message="m"><stackTrace>t</stackTrace></flakyFailure></testcase>'
        "</testsuite></testsuites>"
    )
    assert list(xmlschema.XMLSchema(str(JENKINS_XSD)).iter_errors(bad))


if __name__ == "__main__":
    run_current_module()
