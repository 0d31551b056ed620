"""The parity check's reading of runner outputs and reports, on outputs written here, and one
real run of the three runners on a small project on disk (no download, no venv)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bench.parity import Command, Outcome, Row, Suite, run_suite, shown_commands, table
from bench.parity_commands import SuiteSteps, reproduce_lines
from bench.parity_results import (
    Case,
    Tally,
    difference,
    difference_lines,
    junit_cases,
    keyed,
    module_stems,
    only_needs_pytest,
    pytest_tally,
    recorded_cases,
    thinking_tally,
    unittest_closing,
    unittest_ran,
    unittest_tally,
)
from test.support import env, project
from thinking_tests import run_current_module, test

STEMS = {"test_more": 1, "more": 1, "test_util": 2}


def _write(text: str, name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="parity-")) / name
    path.write_text(text, encoding="utf-8")
    return path


@test
def unittest_counts_come_from_ran_and_the_closing_line() -> None:
    output = (
        "..F.E.s.x\n======\nFAIL: test_a (tests.test_more.T.test_a)\n----\n"
        "Ran 12 tests in 0.031s\n\nFAILED (failures=2, errors=1, skipped=1, expected failures=1, "
        "unexpected successes=1)\n"
    )
    assert unittest_tally(output) == Tally(passed=6, failed=2, error=1, skipped=1, xfailed=1, xpassed=1)
    assert unittest_tally("Ran 929 tests in 2.5s\n\nOK (skipped=3)\n") == Tally(passed=926, skipped=3)
    assert unittest_tally("Ran 4 tests in 0.001s\n\nOK\n") == Tally(passed=4)
    # An import error ends the run before any `Ran` line: no counts, not zero.
    assert unittest_tally("ImportError: Start directory is not importable\n") is None


@test
def unittest_says_how_many_tests_it_ran_whatever_their_subtests_counted() -> None:
    output = "ss..\n----\nRan 3 tests in 0.049s\n\nOK (skipped=6)\n"
    assert unittest_ran(output) == 3 and unittest_ran("Traceback\n") is None
    # The time is left out: the line goes into a table that must not change between runs.
    assert unittest_closing(output) == "Ran 3 tests, OK (skipped=6)"
    assert unittest_closing("Ran 1 test in 0.1s\n\nFAILED (failures=2)\n") == "Ran 1 tests, FAILED (failures=2)"


@test
def pytest_counts_come_from_its_closing_line() -> None:
    output = ("FAILED tests/test_a.py::test_x - assert 2 == 1\n"
              "== 3 failed, 10 passed, 2 skipped, 1 xfailed, 1 xpassed, 2 errors, 5 warnings, "
              "1 subtests passed in 0.52s ==\n")
    assert pytest_tally(output) == Tally(passed=10, failed=3, error=2, skipped=2, xfailed=1, xpassed=1)
    assert pytest_tally("=== 1 error in 0.10s ===\n") == Tally(error=1)
    assert pytest_tally("54 passed in 0.31s\n") == Tally(passed=54)  # -q drops the rules
    assert pytest_tally("==== no tests ran in 0.01s ====\n") == Tally()
    assert pytest_tally("INTERNALERROR> boom\n") is None


@test
def thinking_tests_counts_separate_errors_xfails_and_xpasses_again() -> None:
    output = ("junit xml report: reports/junit.xml\n"
              "12 cases in 0.15 s: 3 failures, 1 error, 2 skips, 1 xfailed, 1 xpassed\n"
              "5 passed, 4 failed, 3 skipped\n")
    assert thinking_tally(output) == Tally(passed=4, failed=3, error=1, skipped=2, xfailed=1, xpassed=1)
    assert thinking_tally("tests: 2 passed, 0 failed, 0 skipped\n") == Tally(passed=2)
    # The summary must be the last line: a run that died after it printed one is not counted.
    assert thinking_tally("1 passed, 0 failed, 0 skipped\nTraceback (most recent call last):\n") is None


PYTEST_XML = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_more.T" name="test_ok" />
<testcase classname="tests.test_more.T" name="test_fail"><failure message="x" /></testcase>
<testcase classname="tests.test_more.T" name="test_xf"><skipped type="pytest.xfail" message="" /></testcase>
<testcase classname="tests.test_more" name="test_p[1.5]"><skipped type="pytest.skip" message="no" /></testcase>
<testcase classname="tests.a.test_util" name="test_u"><error message="fixture &apos;tmp&apos; not found&#10;more" /></testcase>
</testsuite></testsuites>"""

THINKING_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="thinking-tests" tests="6" failures="1" errors="0" time="0.1">
  <testsuite name="test_more" tests="5" failures="1" errors="0" skipped="2" time="0.1">
    <testcase classname="test_more" name="T::test_ok" time="0.000" />
    <testcase classname="test_more" name="T::test_fail" time="0.000">
      <failure type="AssertionError" message="x" />
    </testcase>
    <testcase classname="test_more" name="T::test_xf" time="0.000">
      <skipped type="skipped" message="xfail" />
    </testcase>
    <testcase classname="test_more" name="test_p[1.5]" time="0.000">
      <skipped type="skipped" message="no" />
    </testcase>
    <testcase classname="test_more" name="more_itertools.more.chunked" time="0.000">
      <system-out>XPASS: expected to fail, but passed</system-out>
    </testcase>
  </testsuite>
  <testsuite name="a.test_util" tests="1" failures="0" errors="0" skipped="0" time="0.0">
    <testcase classname="a.test_util" name="test_u" time="0.000" />
  </testsuite>
</testsuites>"""


@test
def junit_reports_of_both_runners_give_the_same_keys() -> None:
    pytest_cases = junit_cases(_write(PYTEST_XML, "pytest.xml"))
    assert [(c.shown, c.outcome) for c in pytest_cases] == [
        ("tests.test_more.T::test_ok", "passed"), ("tests.test_more.T::test_fail", "failed"),
        ("tests.test_more.T::test_xf", "xfailed"), ("tests.test_more::test_p[1.5]", "skipped"),
        ("tests.a.test_util::test_u", "error"),
    ]
    thinking_cases = junit_cases(_write(THINKING_XML, "junit.xml"))
    assert [c.outcome for c in thinking_cases] == ["passed", "failed", "xfailed", "skipped", "xpassed", "passed"]
    # A stem two files share keeps the folder before it.
    assert list(keyed(pytest_cases, STEMS)) == [
        "test_more::T::test_ok", "test_more::T::test_fail", "test_more::T::test_xf",
        "test_more::test_p[1.5]", "a::test_util::test_u",
    ]
    assert list(keyed(thinking_cases, STEMS))[:4] == list(keyed(pytest_cases, STEMS))[:4]


@test
def differences_name_missing_extra_and_changed_cases() -> None:
    pytest_cases = keyed(junit_cases(_write(PYTEST_XML, "pytest.xml")), STEMS)
    thinking_cases = keyed(junit_cases(_write(THINKING_XML, "junit.xml")), STEMS)
    diff = difference(pytest_cases, thinking_cases)
    assert [c.shown for c in diff.extra] == ["test_more::more_itertools.more.chunked"]
    assert [(ref.shown, mine.shown, mine.outcome) for ref, mine in diff.changed] == [
        ("tests.a.test_util::test_u", "a.test_util::test_u", "passed")
    ]
    assert diff.missing == [] and diff and not difference(pytest_cases, pytest_cases)
    lines = difference_lines("tt unittest engine", "pytest", diff, limit=0)
    assert "- tt unittest engine: another outcome (1)" in lines, lines
    assert ("  - `a.test_util::test_u` passed; pytest: error as `tests.a.test_util::test_u`"
            " — fixture 'tmp' not found") in lines, lines
    assert "  - `test_more::more_itertools.more.chunked` xpassed" in lines, lines


@test
def a_doctest_named_under_its_test_module_is_the_same_case() -> None:
    # unittest's id of a doctest is its own dotted name; thinking-tests puts it under the
    # module whose load_tests added it.
    reference = keyed([Case("more_itertools.more.chunked", ("more_itertools", "more", "chunked"), "passed")], STEMS)
    other = keyed([Case("tests.test_more::more_itertools.more.chunked",
                        ("tests", "test_more", "more_itertools", "more", "chunked"), "failed")], STEMS)
    diff = difference(reference, other)
    assert not diff.missing and not diff.extra and len(diff.renamed) == 1, diff
    assert [mine.outcome for _, mine in diff.changed] == ["failed"], diff
    lines = difference_lines("tt pytest engine", "unittest", diff, limit=1)
    assert lines[0].startswith("- tt pytest engine: 1 cases have another id"), lines


@test
def recorded_unittest_cases_keep_the_worst_outcome_of_a_test() -> None:
    records = [
        ["tests.test_more.T.test_sub", "tests.test_more", "T", "test_sub", "failed", "AssertionError: 1 != 0"],
        ["tests.test_more.T.test_sub", "tests.test_more", "T", "test_sub", "error", "KeyError: 'x'"],
        ["tests.test_more.T.test_ok", "tests.test_more", "T", "test_ok", "passed", ""],
        ["more_itertools.more.chunked", "", "", "", "passed", ""],
    ]
    cases = recorded_cases(_write(json.dumps(records), "unittest.json"))
    assert [(c.parts, c.outcome) for c in cases] == [
        (("tests", "test_more", "T", "test_sub"), "error"),
        (("tests", "test_more", "T", "test_ok"), "passed"),
        (("more_itertools", "more", "chunked"), "passed"),
    ]
    assert list(keyed(cases, STEMS)) == ["test_more::T::test_sub", "test_more::T::test_ok", "more::chunked"]
    assert cases[0].why() == " — KeyError: 'x'" and cases[1].why() == ""


@test
def limit_cuts_each_list_and_says_how_many_more() -> None:
    missing = [Case(f"m::test_{i}", ("m", f"test_{i}"), "passed") for i in range(5)]
    diff = difference(keyed(missing, {"m": 1}), {})
    lines = difference_lines("tt", "unittest", diff, limit=2)
    assert lines == ["- tt: run by unittest, not here (5)", "  - `m::test_0` passed", "  - `m::test_1` passed",
                     "  - … and 3 more (`--limit 0` lists all)"]


NEEDS = ("error in setup: thinking_tests.pytest_style.NeedsPytest: test_out needs fixture 'capsys', "
         "which only pytest provides: run with --backend pytest")


def _outcome(runner: str, *cases: Case) -> Outcome:
    return Outcome(runner, Command([runner], 0, ""), Tally.of(c.outcome for c in cases), list(cases))


def _row(default: list[Case], pytest_engine: list[Case] | None = None) -> Row:
    """A pytest suite of three tests that all pass under pytest, with the two engines' cases given."""
    reference = [Case(f"tests.test_io::{n}", ("tests", "test_io", n), "passed") for n in ("test_a", "test_out", "test_c")]
    mine = pytest_engine if pytest_engine is not None else [
        Case(f"test_io::{n}", ("test_io", n), "passed") for n in ("test_a", "test_out", "test_c")]
    outcomes = {"reference": _outcome("reference", *reference), "tt-unittest": _outcome("tt-unittest", *default),
                "tt-pytest": _outcome("tt-pytest", *mine)}
    return Row(Suite("io", "1.0", "tests", "pytest"), {r: r for r in outcomes}, outcomes, {"test_io": 1}, "9")


def _default(out_outcome: str, message: str) -> list[Case]:
    return [Case("test_io::test_a", ("test_io", "test_a"), "passed"),
            Case("test_io::test_out", ("test_io", "test_out"), out_outcome, message),
            Case("test_io::test_c", ("test_io", "test_c"), "passed")]


@test
def a_row_whose_only_differences_are_tests_needing_pytest_says_so() -> None:
    row = _row(_default("error", NEEDS))
    assert not row.equal() and row.accepted()
    assert row.verdict() == "pytest engine: yes; default engine: 1 of 3 need pytest (by design)"
    details = row.details(limit=0)
    assert details[0].startswith("- by design: 1 of these cases take a fixture that only pytest provides"), details
    # The case itself is still listed, with its message.
    assert any("`test_io::test_out` error; pytest: passed" in line and "--backend pytest" in line
               for line in details), details


@test
def any_other_difference_leaves_a_row_unequal() -> None:
    same = _default("passed", "")
    assert _row(same).verdict() == "yes"
    # An error that does not say it needs pytest is a real difference.
    assert _row(_default("error", "error in setup: KeyError: 'x'")).verdict() == "no"
    # So is a failure, even one whose message names the pytest engine.
    assert _row(_default("failed", NEEDS)).verdict() == "no"
    # So is a missing case: the default engine must show every test pytest runs.
    assert _row(_default("error", NEEDS)[:2]).verdict() == "no"
    # And the pytest engine must agree in full.
    engine = [Case(f"test_io::{n}", ("test_io", n), "passed") for n in ("test_a", "test_out")]
    row = _row(_default("error", NEEDS), engine)
    assert row.verdict() == "no" and not row.accepted()
    diff = difference(keyed(row.outcomes["reference"].cases or [], row.stems),
                      keyed(_default("error", NEEDS), row.stems))
    assert only_needs_pytest(diff) and not only_needs_pytest(difference({}, {}))


@test
def reproduce_lines_give_each_suite_its_install_and_its_three_runs() -> None:
    steps = [SuiteSteps("markdown", "3.1", "markdown-3.1.zip", "Markdown-3.1", ("pyyaml",),
                        ("python -m unittest discover -s tests -t .", "python -m thinking_tests tests --no-coverage",
                         "python -m thinking_tests tests --backend pytest --no-coverage"))]
    lines = reproduce_lines(steps, "python -m bench.parity")
    block = lines[lines.index("# markdown 3.1"):lines.index("```", lines.index("```sh") + 1)]
    assert block == [
        "# markdown 3.1",
        "python -m venv venv-markdown && . venv-markdown/bin/activate",
        "pip download --no-binary :all: --no-deps markdown==3.1",
        'unzip -q markdown-3.1.zip && pip install ./Markdown-3.1 pyyaml pytest -e "$TT"',
        "cd Markdown-3.1",
        "python -m unittest discover -s tests -t .",
        "python -m thinking_tests tests --no-coverage",
        "python -m thinking_tests tests --backend pytest --no-coverage",
        "cd .. && deactivate",
    ], lines
    assert "`python -m bench.parity`" in lines[2], lines


SUITE_FILES = {
    "tests/__init__.py": "",
    "tests/test_shapes.py": """\
        import unittest

        class Shapes(unittest.TestCase):
            def test_square(self):
                self.assertEqual(2 * 2, 4)

            def test_wrong(self):
                self.assertEqual(2 + 2, 5)

            @unittest.skip("not yet")
            def test_later(self):
                pass
        """,
}


@test
def a_real_run_of_the_three_runners_is_read_back() -> None:
    root = project(SUITE_FILES, config=None)
    suite = Suite("shapes", "0", "tests", "unittest")
    outcomes = run_suite(suite, root, sys.executable, env(), root / "parity-results", timeout=300)
    reference = outcomes["reference"]
    assert reference.command.code == 1 and reference.problem == "", reference
    assert reference.tally == Tally(passed=1, failed=1, skipped=1), reference.command.output
    stems = dict(module_stems(root))
    assert sorted(keyed(reference.cases or [], stems)) == [
        "test_shapes::Shapes::test_later", "test_shapes::Shapes::test_square", "test_shapes::Shapes::test_wrong",
    ]
    for runner in ("tt-unittest", "tt-pytest"):
        outcome = outcomes[runner]
        assert outcome.tally is not None and outcome.cases is not None, outcome.command.output
    row = Row(suite, shown_commands(suite, root), outcomes, stems, "?")
    # The three agree on this suite; any difference would be listed by its id.
    assert row.equal(), (row.details(0), [o.command.output for o in outcomes.values()])
    assert shown_commands(suite, root)["reference"] == "python -m unittest discover -s tests -t ."


SUBTEST_SKIPS = {
    "tests/__init__.py": "",
    "tests/test_backends.py": """\
        import unittest

        class Backends(unittest.TestCase):
            def test_each(self):
                for name in ("fast", "small", "safe"):
                    with self.subTest(name):
                        self.skipTest(f"no {name} backend")

            def test_plain(self):
                pass
        """,
}


@test
def unittest_counts_a_test_once_when_it_printed_a_skip_per_subtest() -> None:
    root = project(SUBTEST_SKIPS, config=None)
    suite = Suite("backends", "0", "tests", "unittest")
    outcomes = run_suite(suite, root, sys.executable, env(), root / "parity-results", timeout=300)
    reference = outcomes["reference"]
    assert "OK (skipped=3)" in reference.command.output, reference.command.output
    assert reference.problem == "" and reference.tally == Tally(passed=1, skipped=1), reference
    assert "`Ran 2 tests, OK (skipped=3)`" in reference.note, reference.note
    row = Row(suite, shown_commands(suite, root), outcomes, dict(module_stems(root)), "?")
    assert "backends: " + reference.note in table([row]).notes, table([row]).notes


PYTEST_FILES = {
    "tests/test_out.py": """\
        def test_prints(capsys):
            print("hi")
            assert capsys.readouterr().out == "hi\\n"

        def test_plain():
            assert 1 + 1 == 2
        """,
}


@test
def a_real_pytest_suite_needing_capsys_is_equal_on_the_pytest_engine_only() -> None:
    root = project(PYTEST_FILES, config=None)
    suite = Suite("out", "0", "tests", "pytest")
    outcomes = run_suite(suite, root, sys.executable, env(), root / "parity-results", timeout=300)
    assert outcomes["reference"].tally == Tally(passed=2), outcomes["reference"].command.output
    row = Row(suite, shown_commands(suite, root), outcomes, dict(module_stems(root)), "?")
    verdict = row.verdict()
    assert verdict == "pytest engine: yes; default engine: 1 of 2 need pytest (by design)", (
        verdict, row.details(0), outcomes["tt-unittest"].command.output)


if __name__ == "__main__":
    run_current_module()
