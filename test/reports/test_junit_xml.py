"""The JUnit XML report: written to disk, parsed back, validated against the Jenkins schema."""

from __future__ import annotations

import functools
import math
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import xmlschema

from test.support import JENKINS_XSD
from thinking_tests import run_current_module, test
from thinking_tests.model import (
    CaseResult,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
    StageResult,
)
from thinking_tests.reports.junit_xml import write

REPO_ROOT = Path(__file__).resolve().parents[2]
START = 1_700_000_000.0  # 2023-11-14T22:13:20 UTC
MIB = 1024 * 1024

BOOM = ExceptionInfo(
    type_name="AssertionError",
    message="assert 1 == 2",
    traceback='Traceback (most recent call last):\n  File "t.py", line 3, in adds\n'
    "    assert 1 == 2\nAssertionError: assert 1 == 2\n",
    explanation="left: 1\nright: 2",
)


def case(
    name: str,
    outcome: Outcome = Outcome.PASSED,
    module: str = "test.sample",
    *,
    duration: float = 0.5,
    exception: ExceptionInfo | None = None,
    stage: Stage = Stage.RUN,
    message: str = "",
    stdout: str = "",
    stderr: str = "",
    log: str = "",
    start: float = START,
) -> CaseResult:
    stages = (StageResult(stage, exception is None, duration, exception),) if exception else ()
    return CaseResult(
        id=f"{module}::{name}",
        module=module,
        name=name,
        outcome=outcome,
        duration=duration,
        stages=stages,
        message=message,
        stdout=stdout,
        stderr=stderr,
        log=log,
        start=start,
    )


def run(*cases: CaseResult, duration: float = 2.0, start: float = START) -> RunResult:
    return RunResult(cases=cases, start=start, duration=duration)


@functools.lru_cache(maxsize=None)
def jenkins_schema() -> xmlschema.XMLSchema | None:
    # The schema is test data beside the repository (in CI); a checkout without it still
    # checks everything else, and `schema_is_there` below shows the gap as a skip.
    if not JENKINS_XSD.is_file():
        return None
    return xmlschema.XMLSchema(str(JENKINS_XSD))


@test("the Jenkins JUnit schema is there to validate against")
def schema_is_there() -> None:
    if jenkins_schema() is None:
        raise unittest.SkipTest(f"no Jenkins JUnit schema at {JENKINS_XSD}")


def written(results: RunResult, *, max_output: int = MIB) -> tuple[ET.Element, bytes]:
    """Write the report, check it against the schema, and give back its tree and bytes."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "reports" / "junit.xml"
        write(results, path, max_output=max_output)
        schema = jenkins_schema()
        errors = list(schema.iter_errors(str(path))) if schema is not None else []
        assert not errors, f"not valid against {JENKINS_XSD.name}: {errors[0]}"
        data = path.read_bytes()
        assert os.listdir(path.parent) == ["junit.xml"], "a temporary file was left behind"
    return ET.fromstring(data), data


def only(root: ET.Element, name: str) -> ET.Element:
    """The one testcase called `name`."""
    found = [element for element in root.iter("testcase") if element.get("name") == name]
    assert len(found) == 1, f"{len(found)} testcases named {name!r}"
    return found[0]


@test("one testsuite per module, in run order, one testcase per result")
def suites_per_module() -> None:
    root, _ = written(
        run(
            case("first", module="test.b"),
            case("second", module="test.a"),
            case("third", module="test.b"),
        )
    )
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["test.b", "test.a"]
    assert [c.get("name") for c in suites[0].findall("testcase")] == ["first", "third"]
    assert [c.get("classname") for c in suites[0].findall("testcase")] == ["test.b", "test.b"]
    assert [c.get("name") for c in suites[1].findall("testcase")] == ["second"]
    assert suites[0].get("tests") == "2" and suites[1].get("tests") == "1"
    assert root.get("tests") == "3"


@test("failed, error, skipped, xfailed and xpassed cases map to JUnit elements")
def outcomes() -> None:
    root, _ = written(
        run(
            case("passes"),
            case("fails", Outcome.FAILED, exception=BOOM),
            case("breaks", Outcome.ERROR, exception=BOOM, stage=Stage.SETUP, message="fixture db"),
            case("skips", Outcome.SKIPPED, message="no GPU here"),
            case("xfails", Outcome.XFAILED, exception=BOOM, message="bug 12"),
            case("xpasses", Outcome.XPASSED, message="bug 13", stdout="printed\n"),
        )
    )
    assert list(only(root, "passes")) == []

    failure = only(root, "fails").find("failure")
    assert failure is not None
    assert failure.get("type") == "AssertionError"
    assert failure.get("message") == "assert 1 == 2"
    assert failure.text is not None
    assert "Traceback (most recent call last)" in failure.text
    assert "left: 1\nright: 2" in failure.text  # the assert explanation follows

    error = only(root, "breaks").find("error")
    assert error is not None and only(root, "breaks").find("failure") is None
    assert error.get("message") == "fixture db"
    assert error.text is not None and error.text.startswith("----- setup -----\n")

    skipped = only(root, "skips").find("skipped")
    assert skipped is not None and skipped.get("message") == "no GPU here"

    xfailed = only(root, "xfails").find("skipped")
    assert xfailed is not None and xfailed.get("message") == "xfail: bug 12"
    assert xfailed.text is not None and "AssertionError" in xfailed.text

    xpassed = only(root, "xpasses")
    assert [child.tag for child in xpassed] == ["system-out"]
    out = xpassed.findtext("system-out")
    assert out.startswith("XPASS: expected to fail (bug 13), but passed\n")
    assert out.endswith("printed\n")

    suite = root.find("testsuite")
    assert suite is not None
    counts = [suite.get(name) for name in ("tests", "failures", "errors", "skipped")]
    assert counts == ["6", "1", "1", "2"]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "1", "1")


@test("a failure without message or traceback is still a failure")
def bare_failure() -> None:
    root, _ = written(run(case("fails", Outcome.FAILED), case("breaks", Outcome.ERROR)))
    assert only(root, "fails").find("failure") is not None
    assert only(root, "breaks").find("error") is not None
    assert (root.get("failures"), root.get("errors")) == ("1", "1")


@test("an error in teardown after a failure shows both tracebacks, each under its stage")
def several_stages() -> None:
    teardown = ExceptionInfo("OSError", "disk gone", "Traceback ...\nOSError: disk gone\n")
    result = CaseResult(
        id="test.sample::both",
        module="test.sample",
        name="both",
        outcome=Outcome.FAILED,
        duration=0.1,
        stages=(
            StageResult(Stage.SETUP, True, 0.0),
            StageResult(Stage.RUN, False, 0.05, BOOM),
            StageResult(Stage.TEARDOWN, False, 0.05, teardown),
        ),
    )
    root, _ = written(run(result))
    text = only(root, "both").findtext("failure")
    assert text.index("----- run -----") < text.index("assert 1 == 2")
    assert text.index("----- teardown -----") < text.index("OSError: disk gone")


@test("stdout goes to system-out, stderr and then the log to system-err")
def captured_output() -> None:
    root, _ = written(
        run(
            case("prints", stdout="to stdout\n", stderr="to stderr", log="INFO root: hello\n"),
            case("logs", log="WARNING root: careful\n"),
        )
    )
    prints = only(root, "prints")
    assert prints.findtext("system-out") == "to stdout\n"
    assert prints.findtext("system-err") == (
        "to stderr\n----- captured log -----\nINFO root: hello\n"
    )
    logs = only(root, "logs")
    assert logs.find("system-out") is None
    assert logs.findtext("system-err") == "----- captured log -----\nWARNING root: careful\n"


@test("times have three decimals: never omitted, negative, an exponent or 0.30000000000000004")
def times() -> None:
    durations = {
        "zero": 0.0,
        "sum": 0.1 + 0.2,
        "tiny": 1e-5,
        "negative": -1.0,
        "minus_zero": -0.0,
        "nan": math.nan,
        "long": 12345.6789,
    }
    root, data = written(
        run(*(case(name, duration=value) for name, value in durations.items()), duration=0.1 + 0.2)
    )
    times = {c.get("name"): c.get("time") for c in root.iter("testcase")}
    assert times == {
        "zero": "0.000",
        "sum": "0.300",
        "tiny": "0.000",
        "negative": "0.000",
        "minus_zero": "0.000",
        "nan": "0.000",
        "long": "12345.679",
    }
    suite = root.find("testsuite")
    assert suite is not None and suite.get("time") == "12345.979"
    assert root.get("time") == "0.300"
    assert b"e-" not in data and b"disabled" not in data


@test("only attributes the Jenkins schema allows, and never junit-xml's `disabled`")
def attributes() -> None:
    root, _ = written(run(case("a"), case("b", Outcome.SKIPPED, module="test.other")))
    assert set(root.attrib) == {"name", "tests", "failures", "errors", "time"}
    for suite in root.iter("testsuite"):
        assert set(suite.attrib) == {
            "name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname",
        }
        assert suite.get("hostname")
    for testcase in root.iter("testcase"):
        assert set(testcase.attrib) == {"classname", "name", "time"}


@test("the suite timestamp is the UTC start of its first case, else the run's start")
def timestamps() -> None:
    root, _ = written(
        run(
            case("a", module="test.x", start=START + 60),
            case("b", module="test.y", start=0.0),
            start=START,
        )
    )
    x, y = root.findall("testsuite")
    assert x.get("timestamp") == "2023-11-14T22:14:20+00:00"
    assert y.get("timestamp") == "2023-11-14T22:13:20+00:00"
    parsed = datetime.fromisoformat(x.get("timestamp") or "")
    assert parsed == datetime.fromtimestamp(START + 60, timezone.utc)


@test("hostile text is kept visible and the report stays valid")
def hostile_text() -> None:
    nasty = (
        "NUL\x00 red\x1b[31mred\x1b[0m lone\ud800 end]]> <script>alert(1)</script> & \"q\" \x7f"
    )
    root, data = written(
        run(
            case(
                "nasty" + nasty,
                Outcome.FAILED,
                module="test.\x00mod",
                exception=ExceptionInfo("Boom\x1b", nasty, nasty, nasty),
                message=nasty,
                stdout=nasty,
                stderr=nasty,
                log=nasty,
            ),
        )
    )
    shown = (
        "NUL#x00 red#x1B[31mred#x1B[0m lone#xD800 end]]> <script>alert(1)</script> & \"q\" #x7F"
    )
    testcase = next(root.iter("testcase"))
    assert testcase.get("name") == "nasty" + shown
    assert testcase.get("classname") == "test.#x00mod"
    failure = testcase.find("failure")
    assert failure is not None
    assert failure.get("message") == shown
    assert failure.get("type") == "Boom#x1B"
    assert failure.text == f"{shown}\n{shown}"
    assert testcase.findtext("system-out") == shown
    assert testcase.findtext("system-err") == f"{shown}\n----- captured log -----\n{shown}"
    for raw in (b"\x00", b"\x1b", b"\x7f", b"<script>", b"]]>"):
        assert raw not in data, f"{raw!r} written as is"


@test("the layout ElementTree.indent gives: two spaces a level, ` />` for empty elements")
def layout() -> None:
    root, data = written(
        run(
            case("passes"),
            case("fails", Outcome.FAILED, exception=BOOM, stdout="out\n"),
            case("skips", Outcome.SKIPPED),
            case("other", module="test.other", duration=0.25),
            duration=1.5,
        )
    )
    suite = root.find("testsuite")
    assert suite is not None
    hostname = escape(suite.get("hostname") or "", {'"': "&quot;"})
    stamp = 'timestamp="2023-11-14T22:13:20+00:00"'
    expected = f"""<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="thinking-tests" tests="4" failures="1" errors="0" time="1.500">
  <testsuite name="test.sample" tests="3" failures="1" errors="0" skipped="1" \
time="1.500" {stamp} hostname="{hostname}">
    <testcase classname="test.sample" name="passes" time="0.500" />
    <testcase classname="test.sample" name="fails" time="0.500">
      <failure type="AssertionError" message="assert 1 == 2">Traceback (most recent call last):
  File "t.py", line 3, in adds
    assert 1 == 2
AssertionError: assert 1 == 2
left: 1
right: 2</failure>
      <system-out>out
</system-out>
    </testcase>
    <testcase classname="test.sample" name="skips" time="0.500">
      <skipped type="skipped" />
    </testcase>
  </testsuite>
  <testsuite name="test.other" tests="1" failures="0" errors="0" skipped="0" \
time="0.250" {stamp} hostname="{hostname}">
    <testcase classname="test.other" name="other" time="0.250" />
  </testsuite>
</testsuites>
"""
    assert data.decode("utf-8") == expected

    _, empty = written(run())
    assert empty.decode("utf-8") == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="thinking-tests" tests="0" failures="0" errors="0" time="2.000" />\n'
    )


@test("quotes, tabs and line breaks in names, types and messages come back exactly")
def attribute_escaping() -> None:
    name = 'says "hi"\tand\nleaves\r\n<b> & \'q\''
    module = 'test."quoted"\tmodule'
    message = 'expected "a" & <b>\nline two\ttabbed'
    root, data = written(
        run(
            case(
                name,
                Outcome.FAILED,
                module=module,
                exception=ExceptionInfo('my"Error\n', "boom", "Traceback ...\n"),
                message=message,
            ),
            case(name, module=module),
            case("skips", Outcome.SKIPPED, module=module, message=message),
        )
    )
    first, second, skips = root.iter("testcase")
    assert first.get("name") == name and second.get("name") == f"{name} (2)"
    assert {c.get("classname") for c in (first, second, skips)} == {module}
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == module
    failure = first.find("failure")
    assert failure is not None
    assert failure.get("type") == 'my"Error\n'
    assert failure.get("message") == message
    skipped = skips.find("skipped")
    assert skipped is not None and skipped.get("message") == message
    # Character references, not raw characters a parser would turn into spaces.
    for reference in (b"&#09;", b"&#10;", b"&#13;", b"&quot;", b"&amp;", b"&lt;b&gt;"):
        assert reference in data, f"{reference!r} not written"


@test("element text keeps quotes, tabs, blank lines and edge whitespace as printed")
def text_content() -> None:
    printed = '  "double" \'single\'\ttab\n\n  & <tag> ]]> trailing  '
    root, data = written(
        run(
            case("prints", stdout=printed, stderr="   \n"),
            case("fails", Outcome.FAILED, exception=ExceptionInfo("E", "m", printed)),
        )
    )
    assert only(root, "prints").findtext("system-out") == printed
    assert only(root, "prints").findtext("system-err") == "   \n"
    assert only(root, "fails").findtext("failure") == printed
    assert b'"double" \'single\'\ttab' in data  # quotes are escaped in attributes only
    assert b"&amp; &lt;tag&gt; ]]&gt;" in data


@test("the report is written without junit-xml or ElementTree")
def no_xml_libraries() -> None:
    script = f"""
import sys
for name in ("junit_xml", "xml.etree", "xml.etree.ElementTree", "xml.dom", "xml.dom.minidom"):
    sys.modules[name] = None  # importing it now raises ImportError
from pathlib import Path
from thinking_tests.model import CaseResult, Outcome, RunResult
from thinking_tests.reports.junit_xml import write
cases = (
    CaseResult(id="m::a", module="m", name="a", outcome=Outcome.PASSED, duration=0.5),
    CaseResult(id="m::b", module="m", name="b", outcome=Outcome.FAILED, duration=0.5,
               message="no", stdout="out"),
)
write(RunResult(cases=cases, start={START!r}, duration=1.0), Path(sys.argv[1]))
"""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "junit.xml"
        subprocess.run(
            [sys.executable, "-c", script, str(path)], cwd=REPO_ROOT, check=True, timeout=60
        )
        schema = jenkins_schema()
        errors = list(schema.iter_errors(str(path))) if schema is not None else []
        assert not errors, f"not valid against {JENKINS_XSD.name}: {errors[0]}"
        root = ET.parse(path).getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    assert only(root, "b").findtext("system-out") == "out"


@test("megabytes of output are cut to max_output with a marker, and stay valid")
def huge_output() -> None:
    three_mb = "x" * 1_500_000 + "\x00" * 1_500_000
    root, data = written(run(case("floods", stdout=three_mb, stderr=three_mb)), max_output=MIB)
    out = only(root, "floods").findtext("system-out")
    assert f"[truncated {3_000_000 - MIB} chars]" in out
    assert out.index("\n[truncated") == MIB // 2  # the head kept is half of max_output
    assert out.endswith("#x00" * 1000)  # the tail kept, escaped after cutting
    err = only(root, "floods").findtext("system-err")
    assert f"[truncated {3_000_000 - MIB} chars]" in err
    assert len(data) < 12 * MIB


@test("two results with the same name get distinct names, deterministically")
def unique_names() -> None:
    cases = (
        case("same"),
        case("same"),
        case("same"),
        case("same", module="test.other"),
        case("nul\x00"),
        case("nul#x00"),  # the same name once the NUL is made visible
        case("m", module="test.\x00m"),
        case("m", module="test.#x00m"),  # the same module once made visible: one suite
    )
    first, _ = written(run(*cases))
    second, _ = written(run(*cases))
    names = [(c.get("classname"), c.get("name")) for c in first.iter("testcase")]
    assert names == [
        ("test.sample", "same"),
        ("test.sample", "same (2)"),
        ("test.sample", "same (3)"),
        ("test.sample", "nul#x00"),
        ("test.sample", "nul#x00 (2)"),
        ("test.other", "same"),
        ("test.#x00m", "m"),
        ("test.#x00m", "m (2)"),
    ]
    assert names == [(c.get("classname"), c.get("name")) for c in second.iter("testcase")]
    assert len(set(names)) == len(cases)


@test("UTF-8 with an XML declaration; non-ASCII text round-trips; rewriting replaces")
def encoding() -> None:
    root, data = written(run(case("café 漢字 🙂", stdout="naïve ✓ 🙂\n")))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert "café 漢字 🙂".encode("utf-8") in data
    assert only(root, "café 漢字 🙂").findtext("system-out") == "naïve ✓ 🙂\n"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "junit.xml"
        path.write_text("old report")
        write(run(case("new")), path)
        assert b'name="new"' in path.read_bytes()
        assert os.listdir(directory) == ["junit.xml"]


@test("a run without cases is an empty, valid report")
def empty_run() -> None:
    root, _ = written(run())
    assert root.findall("testsuite") == []
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("0", "0", "0")


@test("20,000 cases are written in well under a few seconds")
def many_cases() -> None:
    results = run(
        *(
            case(
                f"case_{i}",
                Outcome.FAILED if i % 10 == 0 else Outcome.PASSED,
                module=f"test.module_{i // 100}",
                exception=BOOM if i % 10 == 0 else None,
                stdout="a line of output\n" * 3 if i % 3 == 0 else "",
            )
            for i in range(20_000)
        )
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "junit.xml"
        write(results, path)
        root = ET.parse(path).getroot()
    assert root.get("tests") == "20000" and root.get("failures") == "2000"
    assert len(root.findall("testsuite")) == 200


if __name__ == "__main__":
    run_current_module()
