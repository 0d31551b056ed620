"""Reports of real runs, read back with independent parsers.

The calculator example runs once (`python -m test.run_all` on a copy); its JUnit XML is
checked against the Jenkins schema and re-read with junitparser, its coverage.xml against
what `python -m coverage json` says of the same data file, its HTML with html.parser. A
hostile test module (control characters, lone surrogates, `]]>`, markup, 10 MB of output)
runs once; every report it leaves must still be valid, safe and small.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from test.reports._e2e_helpers import (
    MIB,
    TRUNCATED,
    assert_schema_valid,
    coverage_json,
    coverage_xml,
    missed,
    project,
    read_html,
    report_data,
    summary_text,
    template_scripts,
    testcases,
)
from test.support import REPO, RUN_ALL, Ran, run
from thinking_tests import fixture, run_current_module, test

EXAMPLE = REPO / "examples" / "calculator"


# --- the calculator example --------------------------------------------------------------


class Calculator:
    """A copy of the calculator example after one `python -m test.run_all`."""

    def __init__(self, root: Path, ran: Ran, listed: Ran) -> None:
        self.root = root
        self.ran = ran
        self.listed = listed
        self.reports = root / "reports"


@fixture(scope="module")
def calculator() -> Iterator[Calculator]:
    root = Path(tempfile.mkdtemp(prefix="tt-e2e-calculator-")) / "calculator"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("reports", "__pycache__"))
    try:
        ran = run("-m", "test.run_all", cwd=root, timeout=240)
        listed = run("-m", "test.run_all", "--list", cwd=root, timeout=240)
        yield Calculator(root, ran, listed)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


@test("the calculator's run passes and writes every default report", timeout=240)
def calculator_ran(calculator: Calculator) -> None:
    ran = calculator.ran
    assert ran.code == 0, ran
    passed, failed, skipped = ran.counts
    assert passed > 0 and failed == 0 and skipped > 0, ran  # it has a skip and an xfail
    for name in ("junit.xml", "report.html", ".coverage", "coverage.xml", "coverage-html/index.html"):
        assert (calculator.reports / name).is_file(), f"reports/{name} missing:\n{ran!r}"
    assert not list(calculator.reports.glob(".coverage.*")), "uncombined coverage data left"


@test("the calculator's JUnit XML is valid against the Jenkins schema", timeout=240)
def calculator_junit_valid(calculator: Calculator) -> None:
    assert_schema_valid(calculator.reports / "junit.xml")


@test("junitparser reads the calculator's JUnit XML to the counts of the summary line",
      timeout=240)
def calculator_junit_counts(calculator: Calculator) -> None:
    from junitparser import Error, Failure, JUnitXml, Skipped

    document = JUnitXml.fromfile(str(calculator.reports / "junit.xml"))
    passed = failed = skipped = 0
    for suite in document:
        for case in suite:
            kinds = {type(result) for result in case.result}
            if kinds & {Failure, Error}:
                failed += 1
            elif Skipped in kinds:
                skipped += 1  # xfailed counts as skipped, as JUnit does
            else:
                passed += 1
    assert (passed, failed, skipped) == calculator.ran.counts, calculator.ran
    # The totals the document states agree with its testcases.
    assert document.tests == passed + failed + skipped
    assert document.failures + document.errors == failed
    assert sum(suite.skipped for suite in document) == skipped


@test("the calculator's JUnit XML has exactly one testcase per case, each (classname, name) once",
      timeout=240)
def calculator_one_testcase_per_case(calculator: Calculator) -> None:
    from junitparser import JUnitXml

    pairs = [
        (case.classname, case.name)
        for suite in JUnitXml.fromfile(str(calculator.reports / "junit.xml"))
        for case in suite
    ]
    assert len(pairs) == len(set(pairs)), sorted(p for p in pairs if pairs.count(p) > 1)
    assert len(pairs) == sum(calculator.ran.counts)
    # The ids `--list` selects are exactly the testcases written.
    listed = calculator.listed
    assert listed.code == 0, listed
    ids = listed.stdout.rstrip("\n").splitlines()[:-1]
    assert sorted(ids) == sorted(f"{c}::{n}" for c, n in pairs), listed
    assert not any("__main__" in classname for classname, _ in pairs)


@test("coverage.xml names every module of the calculator package", timeout=240)
def calculator_coverage_modules(calculator: Calculator) -> None:
    _, files = coverage_xml(calculator.reports / "coverage.xml")
    modules = {path.resolve() for path in (calculator.root / "calculator").glob("*.py")}
    assert modules, "the example has no modules?"
    assert set(files) == modules, (sorted(map(str, files)), sorted(map(str, modules)))


@test("coverage.xml misses the lines `python -m coverage json` says are missing", timeout=240)
def calculator_coverage_missed(calculator: Calculator) -> None:
    _, files = coverage_xml(calculator.reports / "coverage.xml")
    reported = coverage_json(calculator.reports / ".coverage", calculator.root)
    assert set(reported) == set(files)
    evaluator = (calculator.root / "calculator" / "evaluator.py").resolve()
    assert evaluator in files, sorted(map(str, files))
    for path, lines in files.items():
        assert missed(lines) == sorted(reported[path]["missing_lines"]), path
    # The comparison is not empty: the calculator's tests leave some lines unrun.
    assert any(missed(lines) for lines in files.values())


@test("the calculator's HTML report shows the summary counts and links the coverage report",
      timeout=240)
def calculator_html(calculator: Calculator) -> None:
    path = calculator.reports / "report.html"
    parser, _ = read_html(path)
    summary = summary_text(calculator.ran)
    assert summary in parser.text, (summary, parser.text[:500])
    passed, failed, skipped = calculator.ran.counts
    assert re.search(rf"\b{passed} passed\b", parser.text)
    assert re.search(rf"\b{failed} failed\b", parser.text)
    assert re.search(rf"\b{skipped} skipped\b", parser.text)
    links = [link for link in parser.links if link.endswith("coverage-html/index.html")]
    assert links, f"no link to the coverage report among {parser.links}"
    for link in links:
        assert (path.parent / link).resolve().is_file(), link
    # Every case of the run is in the page's data.
    data = report_data(parser)
    assert len(data["cases"]) == sum(calculator.ran.counts)


# --- a hostile test module ---------------------------------------------------------------

IMG = "<img src=x onerror=alert(1)>"
TEN_MB = 10_000_000

HOSTILE = r'''
import logging
import sys

from thinking_tests import run_current_module, test

IMG = "<img src=x onerror=alert(1)>"


@test
def prints_controls():
    print("nul\x00 bell\x07 esc\x1b[31mred\x1b[0m del\x7f c1\x85\x9b vt\x0b ff\x0c end")
    sys.stderr.write("stderr\x00 \x1b[1mbold\x1b[0m\n")
    logging.getLogger("hostile").warning("log\x00 <script>alert(2)</script>")


@test
def prints_surrogates():
    sys.stdout.write("\ud800")
    sys.stdout.write("after surrogate \udcff\n")
    sys.stderr.write("\udc80 in stderr\n")
    sys.stdout.buffer.write(b"invalid utf-8 \xff\xfe\n")


@test
def prints_markup():
    print("]]> <![CDATA[ x ]]> <script>alert(1)</script> & &amp; \"' " + IMG + " </noscript>")


@test(params=[IMG], ids=[IMG])
def hostile_param(text):
    print(text)


@test(name="named " + IMG)
def hostile_name():
    pass


@test(skip=IMG)
def hostile_skip():
    pass


@test(xfail=IMG)
def hostile_xfail():
    raise ValueError(IMG + "\x00")


@test
def prints_ten_megabytes():
    sys.stdout.write("x" * 10_000_000)


@test
def fails_with_controls():
    assert False, "bad\x00\x1b[31m]]>" + IMG + "\x07"


if __name__ == "__main__":
    run_current_module()
'''


class Hostile:
    def __init__(self, root: Path, ran: Ran) -> None:
        self.root = root
        self.ran = ran
        self.junit = root / "reports" / "junit.xml"
        self.html = root / "reports" / "report.html"


@fixture(scope="module")
def hostile() -> Hostile:
    root = project(
        {"test/__init__.py": "", "test/run_all.py": RUN_ALL, "test/test_hostile.py": HOSTILE}
    )
    return Hostile(root, run("-m", "test.run_all", cwd=root))


CASE = "test.test_hostile::"


@test("a run of hostile output completes: every case counted, the failing one fails")
def hostile_completes(hostile: Hostile) -> None:
    ran = hostile.ran
    assert ran.code == 1, ran
    assert ran.counts == (6, 1, 2), ran  # the skip and the xfail are skipped
    assert "Traceback" not in ran.stderr, ran


@test("a lone surrogate or invalid UTF-8 written to the captured stream does not fail the case")
def hostile_surrogates(hostile: Hostile) -> None:
    case = testcases(hostile.junit)[CASE + "prints_surrogates"]
    assert [child.tag for child in case if child.tag in ("failure", "error", "skipped")] == []
    out = case.findtext("system-out") or ""
    assert "after surrogate" in out and "invalid utf-8" in out, out
    assert "in stderr" in (case.findtext("system-err") or "")


@test("the JUnit XML of hostile output is well-formed and valid against the Jenkins schema")
def hostile_junit_valid(hostile: Hostile) -> None:
    data = hostile.junit.read_bytes()
    data.decode("utf-8")  # strict
    ET.fromstring(data)  # well-formed
    assert_schema_valid(hostile.junit)
    for forbidden in (b"\x00", b"\x07", b"\x1b", b"\x0b", b"\x0c"):
        assert forbidden not in data, forbidden


@test("hostile texts survive into the JUnit XML as text, visibly")
def hostile_junit_texts(hostile: Hostile) -> None:
    cases = testcases(hostile.junit)
    assert f"{CASE}hostile_param[{IMG}]" in cases, sorted(cases)
    assert f"{CASE}named {IMG}" in cases, sorted(cases)
    controls = cases[CASE + "prints_controls"].findtext("system-out") or ""
    assert "nul" in controls and "red" in controls and controls.rstrip().endswith("end"), controls
    markup = cases[CASE + "prints_markup"].findtext("system-out") or ""
    assert "]]>" in markup and "<script>alert(1)</script>" in markup and IMG in markup, markup
    skipped = cases[CASE + "hostile_skip"].find("skipped")
    assert skipped is not None and IMG in (skipped.get("message") or "")
    failure = cases[CASE + "fails_with_controls"].find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert "bad" in message and IMG in message and "]]>" in message, message
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", message), repr(message)


def _assert_cut(text: str, written: int, limit: int) -> None:
    """`text` keeps a head and a tail of `written` x's and says truly how many it left out."""
    markers = list(TRUNCATED.finditer(text))
    assert len(markers) == 1, [m[0] for m in markers]
    dropped = int(markers[0][1])
    kept = len(text) - len(markers[0][0])
    assert set(text.replace(markers[0][0], "")) == {"x"}
    assert kept + dropped == written, (
        f"the marker says {dropped} chars were cut, but {kept} of {written} are kept"
    )
    assert limit // 2 <= kept <= limit, kept


@test("10 MB of output in one case is cut to 1 MiB with a true `[truncated N chars]` marker")
def hostile_truncated(hostile: Hostile) -> None:
    case = testcases(hostile.junit)[CASE + "prints_ten_megabytes"]
    _assert_cut(case.findtext("system-out") or "", TEN_MB, MIB)
    assert hostile.junit.stat().st_size < 3 * MIB
    parser, _ = read_html(hostile.html)
    cases = {c["id"]: c for c in report_data(parser)["cases"]}
    _assert_cut(cases[CASE + "prints_ten_megabytes"]["stdout"], TEN_MB, MIB)


@test("the HTML report of hostile output is well-formed, small, and runs no text as markup")
def hostile_html(hostile: Hostile) -> None:
    size = hostile.html.stat().st_size
    assert size < 15_000_000, size
    parser, page = read_html(hostile.html)
    assert parser.starts["script"] == template_scripts(), parser.starts
    assert parser.starts["img"] == 0, parser.starts
    assert page.lower().count("<script") == template_scripts()
    assert "<img" not in page.lower()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    # The texts are kept as data: the page's cases hold them, unexecuted.
    cases = {c["id"]: c for c in report_data(parser)["cases"]}
    assert f"{CASE}hostile_param[{IMG}]" in cases, sorted(cases)
    assert "<script>alert(1)</script>" in cases[CASE + "prints_markup"]["stdout"]
    assert summary_text(hostile.ran) in parser.text


if __name__ == "__main__":
    run_current_module()
