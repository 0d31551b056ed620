"""Existing `unittest.TestCase` classes in scanned modules run in the same run as `@test` cases."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, outcome, rerun, run_project
from thinking_tests import run_current_module, test

MIXED = """\
    import unittest

    from journal import note
    from thinking_tests import run_current_module, test


    @test
    def declared_first():
        note("declared_first")


    class Native(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            note("Native.setUpClass")

        @classmethod
        def tearDownClass(cls):
            note("Native.tearDownClass")

        def test_passes(self):
            note("test_passes")

        def test_fails(self):
            self.assertEqual(1, 2)

        @unittest.skip("not today")
        def test_skipped(self):
            note("test_skipped")

        @unittest.expectedFailure
        def test_expected_failure(self):
            self.assertEqual(1, 2)

        @unittest.expectedFailure
        def test_unexpected_success(self):
            pass


    class BrokenSetup(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            raise RuntimeError("class setup broke")

        def test_never(self):
            note("test_never")


    @test
    def declared_last():
        note("declared_last")


    if __name__ == "__main__":
        run_current_module()
"""

ONLY_NATIVE = """\
    import unittest

    import test.test_mixed  # a module, not a TestCase class: its tests run there only


    class Alone(unittest.TestCase):
        def test_alone(self):
            pass
"""

# TestCase tests in unittest's own order (classes and methods by name); each @test case, in
# source order, before the first class that starts below it.
EXPECTED = [
    ("test.test_mixed", "declared_first", "passed"),
    ("test.test_mixed", "setUpClass (test.test_mixed.BrokenSetup)", "error"),
    ("test.test_mixed", "Native::test_expected_failure", "skipped"),
    ("test.test_mixed", "Native::test_fails", "failure"),
    ("test.test_mixed", "Native::test_passes", "passed"),
    ("test.test_mixed", "Native::test_skipped", "skipped"),
    ("test.test_mixed", "Native::test_unexpected_success", "passed"),
    ("test.test_mixed", "declared_last", "passed"),
    ("test.test_only_native", "Alone::test_alone", "passed"),
]


@functools.cache
def mixed() -> Finished:
    return run_project({"test/test_mixed.py": MIXED, "test/test_only_native.py": ONLY_NATIVE})


def reported(finished: Finished) -> list[tuple[str, str, str]]:
    return [
        (str(c.get("classname")), str(c.get("name")), outcome(c))
        for c in finished.junit().iter("testcase")
    ]


@test("native tests and @test cases share one run and one report, TestCases in unittest's order")
def one_report() -> None:
    finished = mixed()
    assert finished.ran.code == 1, finished.ran
    assert reported(finished) == EXPECTED, finished.ran
    # passed: 2 declared, test_passes, unexpected success, test_alone; skipped: skip, xfail
    assert finished.ran.counts == (5, 2, 2), finished.ran


@test(
    "unittest outcomes map onto the run's outcomes",
    params=[
        ("Native::test_passes", "PASSED"),
        ("Native::test_fails", "FAILED"),
        ("Native::test_skipped", "SKIPPED"),
        ("Native::test_expected_failure", "XFAILED"),
        ("Native::test_unexpected_success", "XPASSED"),
        ("setUpClass (test.test_mixed.BrokenSetup)", "ERROR"),
    ],
    ids=["pass", "fail", "skip", "expected_failure", "unexpected_success", "setupclass_error"],
)
def outcomes(name: str, expected: str) -> None:
    assert mixed().outcomes().get(f"test.test_mixed::{name}") == expected, mixed().ran


@test("messages: the skip reason, the assertion, the setUpClass error")
def messages() -> None:
    finished = mixed()
    skipped = finished.testcase("Native::test_skipped").find("skipped")
    assert skipped is not None and skipped.get("message") == "not today"
    failure = finished.testcase("Native::test_fails").find("failure")
    assert failure is not None and "1 != 2" in (failure.get("message") or "")
    error = finished.testcase("setUpClass (test.test_mixed.BrokenSetup)").find("error")
    assert error is not None and "RuntimeError: class setup broke" in (error.get("message") or "")


@test("setUpClass and tearDownClass run once around the class; a broken class runs nothing")
def class_fixtures() -> None:
    journal = mixed().journal()
    assert journal == [
        "declared_first",
        "Native.setUpClass",
        "test_passes",
        "Native.tearDownClass",
        "declared_last",
    ], mixed().ran


@test("run as its own module, the same results keep the real module name")
def as_module() -> None:
    finished = rerun(mixed().root, ("-m", "test.test_mixed"))
    assert finished.ran.code == 1, finished.ran
    assert finished.ran.counts == (4, 2, 2), finished.ran
    suites = [s.get("name") for s in finished.junit().iter("testsuite")]
    assert suites == ["test.test_mixed"], finished.ran
    names = [c.get("name") for c in finished.junit().iter("testcase")]
    assert "setUpClass (test.test_mixed.BrokenSetup)" in names, names
    assert not any("__main__" in str(name) for name in names), names


if __name__ == "__main__":
    run_current_module()
