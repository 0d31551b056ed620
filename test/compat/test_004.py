"""A suite written for thinking-tests 0.0.4 runs unchanged: counts, report paths, warnings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from test.compat._helpers import OLD_SUITE, deprecations, project, run, run_pytest
from thinking_tests import run_current_module, test

MATH = {
    "tests.test_math::adds": "passed",
    "tests.test_math::subtraction by adding": "passed",
    "tests.test_math::deposits": "passed",
    "tests.test_math::overdraws": "failure",
}
MORE = {"tests.test_more::more": "passed"}


def junit(path: object) -> dict[str, str]:
    """`classname::name` -> outcome of each testcase in a JUnit XML file."""
    found: dict[str, str] = {}
    for case in ET.parse(str(path)).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        found[f"{case.get('classname')}::{case.get('name')}"] = kinds[0] if kinds else "passed"
    return found


def outputs(path: object) -> dict[str, str]:
    """`classname::name` -> the stdout a JUnit XML file kept for each testcase."""
    return {
        f"{case.get('classname')}::{case.get('name')}": "".join(
            child.text or "" for child in case if child.tag == "system-out"
        )
        for case in ET.parse(str(path)).getroot().iter("testcase")
    }


@test("python -m tests.test_math: its four cases, with the setup value and outcome handed over")
def one_module() -> None:
    root = project(OLD_SUITE)
    ran = run("-m", "tests.test_math", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (3, 1, 0), ran
    assert "no overdraft" in ran.stdout, ran
    report = root / "build" / "tests.xml"
    assert junit(report) == MATH
    printed = outputs(report)
    assert "closing {'balance': 15} after deposited in TEARDOWN" in printed["tests.test_math::deposits"]
    assert "closing {'balance': 10} after None in TEARDOWN" in printed["tests.test_math::overdraws"]


@test("every report is where __test__.py's test_config puts it, and nowhere else")
def report_paths() -> None:
    root = project(OLD_SUITE)
    ran = run("-m", "tests.run_all", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (4, 1, 0), ran
    build = root / "build"
    assert junit(build / "tests.xml") == {**MATH, **MORE}
    assert "overdraws" in (build / "tests.html").read_text(encoding="utf-8")
    assert (build / ".coverage").is_file()
    assert (build / "coverage" / "index.html").is_file()
    measured = ET.parse(build / "coverage.xml").getroot()
    assert measured.get("branch-rate") is not None  # branch = True reached coverage
    files = sorted(c.get("filename", "") for c in measured.iter("class"))
    assert files == ["calc/__init__.py"], files  # include = ["calc/*"]: the tests are not measured
    assert measured.get("line-rate") not in ("0", "1"), ET.tostring(measured)[:200]
    assert not (root / "reports" / "junit.xml").exists()  # no second copy at the default place


@test("each old name warns once, naming the new spelling, at the line that used it, shown without -W")
def warnings_once() -> None:
    root = project(OLD_SUITE)
    ran = run("-m", "tests.test_math", cwd=root)
    assert ran.counts == (3, 1, 0), ran
    warned = deprecations(ran.stderr)
    names = [name for _, _, name, _ in warned]
    assert len(names) == len(set(names)) == 8, warned
    new = {name: spelling for _, _, name, spelling in warned}
    assert new["thinking_tests.decorators.case"] == "@thinking_tests.test (name=... for a name)"
    assert new["thinking_tests.decorators.setup"] == "thinking_tests.setup"
    assert new["thinking_tests.decorators.teardown"] == "thinking_tests.teardown"
    assert new["thinking_tests.running.start.run_current_module"] == "thinking_tests.run_current_module"
    assert new["thinking_tests.current.current_case_id"] == "thinking_tests.current().case.id"
    assert new["thinking_tests.current.current_stage"] == "thinking_tests.current().stage"
    assert new["thinking_tests.running.test_config.test_config"].startswith("thinking_tests.config")
    where = {name: (file, line) for file, line, name, _ in warned}
    assert where["thinking_tests.decorators.case"][0].endswith("tests/test_math.py")
    assert where["thinking_tests.decorators.case"][1] == 2
    assert where["thinking_tests.running.start.run_current_module"][1] == 3
    assert where["thinking_tests.running.test_config.test_config"][0].endswith("__test__.py")
    assert where["thinking_tests.running.test_config.test_config"][1] == 1


@test("python -m pytest collects and runs the same cases as the 0.0.4 run_all")
def same_under_pytest() -> None:
    root = project(OLD_SUITE)
    ours = run("-m", "thinking_tests", "--list", "tests", cwd=root)
    assert ours.code == 0, ours
    listed = ours.stdout.splitlines()[:-1]
    assert sorted(listed) == sorted({**MATH, **MORE}), ours
    collected = run_pytest("--collect-only", "-q", "tests", cwd=root)
    assert collected.code == 0, collected
    node_ids = [line for line in collected.stdout.splitlines() if "::" in line]
    as_ids = sorted(n.replace("/", ".").replace(".py::", "::") for n in node_ids)
    assert as_ids == sorted(listed), collected
    ran = run_pytest("-q", "-p", "no:cacheprovider", "tests", cwd=root)
    assert ran.code == 1, ran
    assert "4 passed" in ran.stdout and "1 failed" in ran.stdout, ran
    assert junit(root / "build" / "tests.xml") == {**MATH, **MORE}


if __name__ == "__main__":
    run_current_module()
