"""Property-based: whatever text a test produces — random Unicode with lone surrogates, control
characters, `]]>`, `</script>` — in any field of a result, the JUnit XML stays well-formed and
schema-valid and the HTML report well-formed and inert. In-process for speed, plus one real run
that prints such text through the real capture."""

from __future__ import annotations

import json
import random
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test.robustness._helpers import (
    JENKINS_XSD,
    inert,
    junit,
    kind,
    problem,
    project,
    run,
    schema_errors,
)
from thinking_tests import fixture, run_current_module, test
from thinking_tests.model import (
    CaseResult,
    CoverageSummary,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
    StageResult,
)
from thinking_tests.reports import html, junit_xml

# What breaks reports: markup, the ends of CDATA, comments and scripts, XML-forbidden
# characters, lone surrogates, noncharacters, line separators, astral characters.
TOKENS = [
    "]]>", "<![CDATA[", "</script>", "<script>alert(1)</script>", "<!--", "-->",
    '"><img src=x onerror=alert(1)>', "' onmouseover='alert(2)", "&amp;", "&#0;", "&",
    "\x00", "\x07", "\x0b", "\x1b[31m", "\x7f", "\x85", "\x9b", "\r\n", "\r", "\u2028",
    "\ud800", "\udfff", "\udc80", "\ufffe", "\uffff", "\ufdd0", "\U0001f600", "\U0010ffff",
]
ANY_CHARACTER = st.characters(blacklist_categories=())  # surrogates (Cs) and controls included
TEXT = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(alphabet=ANY_CHARACTER, max_size=12)), max_size=6
).map("".join)
SETTINGS = settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def exceptions(draw: st.DrawFn) -> ExceptionInfo:
    return ExceptionInfo(draw(TEXT), draw(TEXT), draw(TEXT), draw(TEXT))


@st.composite
def cases(draw: st.DrawFn) -> CaseResult:
    outcome = draw(st.sampled_from(list(Outcome)))
    broken = outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.XFAILED)
    stage = draw(st.sampled_from(list(Stage)))
    stages = tuple(
        StageResult(s, not (broken and s is stage), draw(st.floats(0, 10)),
                    draw(exceptions()) if broken and s is stage else None)
        for s in Stage
    )
    module, name = draw(TEXT), draw(TEXT)
    return CaseResult(
        id=f"{module}::{name}",
        module=module,
        name=name,
        outcome=outcome,
        duration=draw(st.floats(0, 1e6)),
        file=draw(TEXT),
        line=draw(st.integers(0, 10**6)),
        description=draw(TEXT),
        tags=tuple(draw(st.lists(TEXT, max_size=3))),
        params=tuple(draw(st.lists(st.tuples(TEXT, TEXT), max_size=3))),
        stages=stages,
        stdout=draw(TEXT),
        stderr=draw(TEXT),
        log=draw(TEXT),
        message=draw(TEXT),
        start=draw(st.floats(0, 4e9)),
    )


@st.composite
def runs(draw: st.DrawFn) -> RunResult:
    percent = draw(st.floats(0, 100))
    return RunResult(
        cases=tuple(draw(st.lists(cases(), min_size=1, max_size=5))),
        start=draw(st.floats(0, 4e9)),
        duration=draw(st.floats(0, 1e6)),
        interrupted=draw(st.booleans()),
        backend=draw(st.sampled_from(["unittest", "pytest"])),
        command=tuple(draw(st.lists(TEXT, max_size=3))),
        coverage=draw(st.none() | st.just(CoverageSummary(percent))),
    )


LIMITS = st.sampled_from([1000, 4096, 1024 * 1024])  # small ones cut the texts in the middle


def check_junit(path: Path, results: RunResult) -> bool:
    """Well-formed, strict UTF-8, one testcase per case, schema-valid; False: no schema here."""
    data = path.read_bytes()
    data.decode("utf-8")  # strict: no surrogate made it through
    root = ET.fromstring(data)
    assert len(list(root.iter("testcase"))) == len(results.cases)
    names = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(set(names)) == len(names), names  # unique, even after escaping
    errors = schema_errors(path)
    assert not errors, errors
    return errors is not None


def check_html(path: Path, results: RunResult) -> None:
    page = inert(path.read_bytes().decode("utf-8"))  # strict UTF-8, then parsed
    block = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    data: dict[str, Any] = json.loads(block[0])
    assert [case["outcome"] for case in data["cases"]] == [c.outcome.value for c in results.cases]


@test("random text in every field: the JUnit XML is well-formed and valid against the schema")
def junit_survives_any_text() -> None:
    validated: list[bool] = []

    @SETTINGS
    @given(results=runs(), limit=LIMITS)
    def check(results: RunResult, limit: int) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "junit.xml"
            junit_xml.write(results, path, max_output=limit)
            validated.append(check_junit(path, results))

    check()
    if not all(validated):
        raise unittest.SkipTest(f"well-formed, but not validated: no schema at {JENKINS_XSD}")


@test("random text in every field: the HTML report is well-formed and runs none of it")
def html_survives_any_text() -> None:
    @SETTINGS
    @given(results=runs(), limit=LIMITS)
    def check(results: RunResult, limit: int) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "report.html"
            html.write(results, path, max_output=limit)
            check_html(path, results)

    check()


@test("durations and starts that are NaN, infinite or negative (say, from a hand-edited journal) "
      "leave both reports valid, as the JUnit report promises for itself")
def any_numbers() -> None:
    # Known bug: the HTML report converts durations with int() (ValueError on NaN,
    # OverflowError on infinity) and puts a NaN start into its JSON, which JSON.parse refuses.
    for value in (float("nan"), float("inf"), float("-inf"), -1.0):
        stage = StageResult(Stage.RUN, False, value, ExceptionInfo("E", "m", "tb"))
        case = CaseResult(id="m::a", module="m", name="a", outcome=Outcome.FAILED,
                          duration=value, stages=(stage,), start=value)
        results = RunResult(cases=(case,), start=value, duration=value)
        with tempfile.TemporaryDirectory() as directory:
            junit_path, html_path = Path(directory) / "junit.xml", Path(directory) / "report.html"
            junit_xml.write(results, junit_path)
            check_junit(junit_path, results)
            try:
                html.write(results, html_path)
            except (ValueError, OverflowError) as error:
                raise AssertionError(f"the HTML report fails on {value}: {error!r}") from None
            check_html(html_path, results)
            text = html_path.read_text(encoding="utf-8")
            # The page's own script may say Infinity; its markup and data block never.
            code = text.rfind("<script>")
            text = text[:code] + text[text.index("</script>", code):]
            assert "NaN" not in text and "Infinity" not in text, value


# --- the same text through a real run ---------------------------------------------------------


def hostile_texts(count: int, seed: int = 20240501) -> list[str]:
    """Reproducible text as hypothesis would draw it: any code point, and the tokens above."""
    chooser = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(chooser.randint(1, 6)):
            if chooser.random() < 0.5:
                parts.append(chooser.choice(TOKENS))
            else:
                parts.append("".join(chr(chooser.randint(0, 0x10FFFF)) for _ in range(5)))
        texts.append("".join(parts))
    return texts


TEXTS = hostile_texts(12)
PRINTS = f'''
import logging
import sys

from thinking_tests import test

TEXTS = {TEXTS!r}


@test(TEXTS[0], tags=TEXTS[1:4], params=TEXTS)
def prints(text):
    print(text)
    sys.stdout.write(text + "\\n")
    sys.stderr.write(text + "\\n")
    sys.stdout.buffer.write(text.encode("utf-8", "surrogatepass") + b"\\xff\\n")
    logging.getLogger("hostile").warning(text)
    assert False, text


@test
def passes():
    print("".join(TEXTS))
'''


@fixture(scope="module")
def printed() -> tuple[Path, Any]:
    root = project({"test/test_prints.py": PRINTS})
    return root, run("-m", "test.run_all", cwd=root)


@test("a real run printing such text: it completes and both reports stay valid")
def real_capture(printed: tuple[Path, Any]) -> None:
    root, ran = printed
    assert ran.code == 1, ran
    assert ran.counts == (1, len(TEXTS), 0), ran
    assert "Traceback" not in ran.stderr, ran
    results = RunResult(
        cases=tuple(
            CaseResult(id=str(i), module="m", name=str(i), outcome=Outcome.FAILED, duration=0.0)
            for i in range(len(TEXTS))
        ) + (CaseResult(id="p", module="m", name="p", outcome=Outcome.PASSED, duration=0.0),),
        start=0.0,
        duration=0.0,
    )
    check_junit(root / "reports" / "junit.xml", results)
    check_html(root / "reports" / "report.html", results)
    cases = junit(root / "reports" / "junit.xml")
    failures = [case for case in cases.values() if kind(case) == "failure"]
    assert len(failures) == len(TEXTS), sorted(cases)
    for case in failures:
        assert (case.findtext("system-out") or "").strip(), "the printed text was lost"
        assert (problem(case).get("message") or "").startswith("AssertionError")


if __name__ == "__main__":
    run_current_module()
