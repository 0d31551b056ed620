"""Partial runs say so: a selection that matches nothing, -x, and the reports of a partial run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from test.robustness._helpers import schema_errors
from test.running._helpers import junit_cases, one_sentence, project, run
from thinking_tests import run_current_module, test

MODULE = """\
    from thinking_tests import test


    @test(tags=["fast"])
    def quick():
        pass


    @test(tags=["slow"])
    def breaks():
        assert 1 == 2


    @test
    def later():
        pass


    @test
    def last():
        pass
"""

OTHER = """\
    from thinking_tests import test


    @test
    def elsewhere():
        pass
"""


def _project() -> Path:
    return project(
        {"test/__init__.py": "", "test/test_m.py": MODULE, "test/test_other.py": OTHER}, html=True
    )


def _properties(junit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    for prop in suite.iter("property"):
        found.setdefault(prop.get("name", ""), []).append(prop.get("value", ""))
    return found


@test(
    "a selection that matches nothing names itself, counts the deselected and keeps the reports",
    params=[
        (("-k", "nomatch"), "-k 'nomatch' matched none of the 5 collected cases (5 deselected)"),
        (("-t", "fsat"), "-t fsat (tags in use: fast, slow) matched none of the 5 collected cases"),
    ],
    ids=["keyword", "tag"],
)
def nothing_matched(flags: tuple[str, ...], sentence: str) -> None:
    root = _project()
    full = run("-m", "thinking_tests", "test", cwd=root)
    assert full.code == 1, full
    before = {name: (root / "reports" / name).read_bytes() for name in ("junit.xml", "report.html")}
    ran = run("-m", "thinking_tests", "test", *flags, cwd=root)
    assert ran.code == 5, ran
    assert f"thinking-tests: {sentence}" in ran.stdout, ran
    assert ran.counts == (0, 0, 0), ran
    after = {name: (root / "reports" / name).read_bytes() for name in before}
    assert after == before, "a run that selected nothing replaced the last run's reports"


@test("under the pytest engine too, a selection that matches nothing keeps the last reports")
def nothing_matched_pytest_engine() -> None:
    root = _project()
    full = run("-m", "thinking_tests", "test", cwd=root)
    assert full.code == 1, full
    names = ("junit.xml", "report.html", "journal.jsonl")
    before = {name: (root / "reports" / name).read_bytes() for name in names}
    ran = run("-m", "thinking_tests", "test", "--backend", "pytest", "-k", "nomatch", cwd=root)
    assert ran.code == 5, ran
    assert "thinking-tests: -k nomatch matched no case; the last run's reports are kept" in ran.stdout, ran
    assert ran.counts == (0, 0, 0), ran
    assert {name: (root / "reports" / name).read_bytes() for name in names} == before


@test("-x says it stopped and how many selected cases did not run; its reports say so too")
def exitfirst_says_so() -> None:
    root = _project()
    ran = run("-m", "thinking_tests", "test", "-x", cwd=root)
    assert ran.code == 1, ran
    assert "stopped at the first failure (-x): 3 of 5 selected cases did not run" in ran.stdout, ran
    assert ran.counts == (1, 1, 0), ran
    junit = root / "reports/junit.xml"
    assert [c[1] for c in junit_cases(junit)] == ["quick", "breaks"]
    props = _properties(junit)
    assert props["thinking-tests.selection"] == ["partial run: -x; 3 not run"], props
    assert schema_errors(junit) == [], schema_errors(junit)
    page = (root / "reports/report.html").read_text()
    assert "Partial run: -x; 3 not run." in page, page[:3000]
    assert "<title>Tests failed (partial run):" in page


@test("-x under --isolate stops inside the module and counts what did not run, as a plain run")
def exitfirst_isolated() -> None:
    root = _project()
    ran = run("-m", "thinking_tests", "test", "-x", "--isolate", cwd=root)
    assert ran.code == 1, ran
    assert "stopped at the first failure (-x): 3 of 5 selected cases did not run" in ran.stdout, ran
    assert [c[1:] for c in junit_cases(root / "reports/junit.xml")] == [
        ("quick", "passed"), ("breaks", "failure")
    ]


@test("--isolate under the pytest engine is refused in one sentence, before anything runs")
def isolate_pytest_refused() -> None:
    root = _project()
    ran = run("-m", "thinking_tests", "test", "--isolate", "--backend", "pytest", cwd=root)
    assert ran.code == 4, ran
    assert "--isolate runs each module in a child process of the unittest engine" in one_sentence(ran)
    assert not (root / "reports/junit.xml").exists()


@test("the reports of a -k, -t, one-module or shard run record the selection")
def partial_reports_record_selection() -> None:
    root = _project()
    for flags, expected in (
        (("-k", "quick or later"), "partial run: -k 'quick or later'; 3 deselected"),
        (("-t", "slow"), "partial run: -t slow; 4 deselected"),
        (("--shard", "1/2"), "partial run: shard 1/2; "),
    ):
        ran = run("-m", "thinking_tests", "test", *flags, cwd=root)
        assert ran.code in (0, 1), ran
        props = _properties(root / "reports/junit.xml")
        assert props["thinking-tests.selection"][0].startswith(expected), (flags, props)
        page = (root / "reports/report.html").read_text()
        assert "Partial run: " in page, (flags, page[:3000])
    one = run("-m", "thinking_tests", "test/test_other.py", cwd=root)
    assert one.code == 0, one
    props = _properties(root / "reports/junit.xml")
    assert props["thinking-tests.selection"] == ["partial run: one module: test.test_other"], props


@test("a full run's reports carry no partial-run notice")
def full_run_is_not_partial() -> None:
    root = _project()
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 1, ran
    props = _properties(root / "reports/junit.xml")
    assert props == {"thinking-tests.targets": ["test"]}, props
    page = (root / "reports/report.html").read_text()
    assert "Partial run" not in page
    assert "<title>Tests failed: " in page


if __name__ == "__main__":
    run_current_module()
