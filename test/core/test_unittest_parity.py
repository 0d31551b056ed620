"""A plain unittest suite runs under thinking-tests exactly as under `python -m unittest discover`:
the same tests (load_tests at module and package level, doctests, imported classes), in the same
order, with the same outcomes, and class and module fixtures run as often."""

from __future__ import annotations

import functools
import json
import re

from test.core._helpers import Finished, rerun, run_project
from test.support import run
from thinking_tests import run_current_module, test

CALC = '''\
    def add(a, b):
        """
        >>> add(1, 2)
        3
        """
        return a + b


    def sub(a, b):
        """
        >>> sub(3, 1)
        5
        """
        return a - b
'''

# Module-level load_tests: the module's own TestCases plus the doctests of calc.
TEST_DOC = """\
    import doctest
    import unittest

    import calc


    class Plain(unittest.TestCase):
        def test_one(self):
            pass


    def load_tests(loader, tests, pattern):
        tests.addTests(doctest.DocTestSuite(calc))
        return tests
"""

# Package-level load_tests, as unittest's documentation writes it: the package gathers its
# own modules (unittest then does not walk the package itself).
PKG_INIT = """\
    import os


    def load_tests(loader, standard_tests, pattern):
        this_dir = os.path.dirname(__file__)
        standard_tests.addTests(loader.discover(start_dir=this_dir, pattern=pattern))
        return standard_tests
"""

PKG_INNER = """\
    import unittest


    class Inner(unittest.TestCase):
        def test_b(self):
            pass

        def test_a(self):
            self.assertTrue(False, "inner fails")
"""

# Not named test*.py: unittest never loads tests from it, though it is imported.
PKG_IGNORED = """\
    import unittest

    from journal import note


    class NotLoaded(unittest.TestCase):
        def test_never(self):
            note("NotLoaded ran")
"""

# A package whose load_tests picks one class: the other never runs.
ONLY_INIT = """\
    from test.only.test_two import Chosen


    def load_tests(loader, tests, pattern):
        return loader.loadTestsFromTestCase(Chosen)
"""

ONLY_TWO = """\
    import unittest

    from journal import note


    class Chosen(unittest.TestCase):
        def test_in(self):
            note("Chosen ran")


    class Left(unittest.TestCase):
        def test_out(self):
            note("Left ran")
"""

# Inherited test methods live in another file, at lines that interleave with the subclass's
# own: ordered by line, a class would be split and set up twice.
BASE = """\
    import unittest

    from journal import note


    class Base(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            note(f"setUpClass {cls.__name__}")

        @classmethod
        def tearDownClass(cls):
            note(f"tearDownClass {cls.__name__}")

        def test_z_inherited(self):
            note(f"{type(self).__name__}.test_z_inherited")

        def test_a_inherited(self):
            note(f"{type(self).__name__}.test_a_inherited")
"""

TEST_INHERIT = """\
    from journal import note
    from test.base import Base


    def setUpModule():
        note("setUpModule test_inherit")


    def tearDownModule():
        note("tearDownModule test_inherit")


    class Child(Base):
        def test_m_own(self):
            note("Child.test_m_own")
"""

# Imports a TestCase class: unittest runs its tests here too.
TEST_AGAIN = """\
    from test.test_inherit import Child
"""

TEST_OUTCOMES = """\
    import unittest

    from journal import note


    def setUpModule():
        note("setUpModule test_outcomes")


    def tearDownModule():
        note("tearDownModule test_outcomes")
        raise RuntimeError("module teardown broke")


    class Outcomes(unittest.TestCase):
        @classmethod
        def tearDownClass(cls):
            raise RuntimeError("class teardown broke")

        def test_error(self):
            {}["missing"]

        def test_failure(self):
            self.assertEqual(1, 2)

        def test_pass(self):
            pass

        @unittest.skip("not now")
        def test_skip(self):
            pass

        @unittest.expectedFailure
        def test_xfail(self):
            self.assertEqual(1, 2)

        def test_subtests(self):
            for i in range(4):
                with self.subTest("odd one", i=i):
                    self.assertEqual(i % 2, 0)

        def test_subtest_skipped(self):
            with self.subTest(part=1):
                pass
            with self.subTest(part=2):
                self.skipTest("part 2 later")


    class SetupSkipped(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            raise unittest.SkipTest("no backend")

        def test_never(self):
            note("SetupSkipped ran")
"""

# One test leaves state behind and the next relies on it: unittest puts nothing back between
# tests, and real suites depend on that.
TEST_STATE = """\
    import os
    import unittest


    class State(unittest.TestCase):
        def test_a_sets(self):
            os.environ["PARITY_LEFT_BEHIND"] = "1"

        def test_b_relies(self):
            self.assertEqual(os.environ.get("PARITY_LEFT_BEHIND"), "1")
"""

TEST_SKIPMOD = """\
    import unittest

    raise unittest.SkipTest("needs a database")
"""

# Runs `unittest discover` as `python -m unittest discover -s test -t .` does and prints each
# test (class-qualified, without its module) with its outcome, in run order.
RECORD = '''\
    import json
    import sys
    import unittest

    RANK = ["passed", "skipped", "xfailed", "xpassed", "failed", "error"]


    def name(test):
        if isinstance(test, unittest.suite._ErrorHolder):
            return str(test)
        if type(test).__name__ in ("ModuleSkipped", "_FailedTest"):
            return "<import>"
        method = getattr(test, "_testMethodName", None)
        if method and test.id() == f"{unittest.util.strclass(type(test))}.{method}":
            return f"{type(test).__qualname__}.{method}"
        return test.id()  # a doctest


    class Recorder(unittest.TestResult):
        def __init__(self):
            super().__init__()
            self.seen = []

        def mark(self, test, outcome):
            if test is not (self.seen[-1][0] if self.seen else None) or isinstance(
                test, unittest.suite._ErrorHolder
            ):
                self.seen.append([test, outcome])
            elif RANK.index(outcome) > RANK.index(self.seen[-1][1]):
                self.seen[-1][1] = outcome

        def startTest(self, test):
            super().startTest(test)
            self.mark(test, "passed")

        def addFailure(self, test, err):
            self.mark(test, "failed")

        def addError(self, test, err):
            self.mark(test, "error")

        def addSkip(self, test, reason):
            self.mark(getattr(test, "test_case", test), "skipped")

        def addExpectedFailure(self, test, err):
            self.mark(test, "xfailed")

        def addUnexpectedSuccess(self, test):
            self.mark(test, "xpassed")

        def addSubTest(self, test, subtest, err):
            if err is not None:
                self.mark(test, "failed" if issubclass(err[0], test.failureException) else "error")


    sys.path[0] = ""
    result = Recorder()
    unittest.defaultTestLoader.discover("test", top_level_dir=".").run(result)
    print(json.dumps([[name(test), outcome] for test, outcome in result.seen]))
'''

FILES = {
    "calc.py": CALC,
    "record.py": RECORD,
    "test/test_doc.py": TEST_DOC,
    "test/pkg/__init__.py": PKG_INIT,
    "test/pkg/test_inner.py": PKG_INNER,
    "test/pkg/check_ignored.py": PKG_IGNORED,
    "test/only/__init__.py": ONLY_INIT,
    "test/only/test_two.py": ONLY_TWO,
    "test/base.py": BASE,
    "test/test_inherit.py": TEST_INHERIT,
    "test/test_again.py": TEST_AGAIN,
    "test/test_outcomes.py": TEST_OUTCOMES,
    "test/test_skipmod.py": TEST_SKIPMOD,
    "test/test_state.py": TEST_STATE,
}


@functools.cache
def ours() -> Finished:
    return run_project(FILES, args=("-m", "thinking_tests", "test", "-v"))


@functools.cache
def theirs() -> tuple[list[list[str]], list[str]]:
    """unittest's own run of the same project: its tests with outcomes, and its journal."""
    root = ours().root
    journal = root / "journal.txt"
    kept = journal.read_text() if journal.exists() else ""
    journal.unlink(missing_ok=True)
    ran = run("record.py", cwd=root)
    assert ran.code == 0, ran
    notes = journal.read_text().splitlines() if journal.exists() else []
    journal.write_text(kept)
    return json.loads(ran.stdout), notes


def as_unittest_names(finished: Finished) -> list[list[str]]:
    """Our run's cases, in run order, named as the recorder names unittest's tests."""
    found: list[list[str]] = []
    for identifier, outcome in finished.outcomes().items():
        name = identifier.partition("::")[2].rsplit("#", 1)[0]
        if not name.startswith(("setUp", "tearDown")):
            name = name.replace("::", ".")
        found.append([name, outcome.lower()])
    return found


@test("the same tests, in the same order, with the same outcomes as unittest discover")
def same_as_unittest() -> None:
    expected, _ = theirs()
    assert as_unittest_names(ours()) == expected, ours().ran
    assert len(expected) == 27, expected  # the project is what this test thinks it is


@test("run_all in the suite's package runs the same as the command line")
def run_all_same() -> None:
    finished = rerun(ours().root, ("-m", "test.run_all", "-v"))
    assert as_unittest_names(finished) == theirs()[0], finished.ran
    assert finished.ran.counts == ours().ran.counts, finished.ran


@test("setUpModule and setUpClass run once per module and class, as under unittest")
def fixtures_once() -> None:
    journal = ours().journal()
    assert journal == theirs()[1], ours().ran
    # Child runs in test_again (which imports it), then in test_inherit: set up once each time,
    # around all three of its tests, never split by where its methods are written.
    child = ["setUpClass Child", "Child.test_a_inherited", "Child.test_m_own",
             "Child.test_z_inherited", "tearDownClass Child"]
    assert journal.count("setUpClass Child") == 2, journal
    first = journal.index("setUpClass Child")
    assert journal[first:first + 5] == child, journal
    assert journal[journal.index("setUpClass Child", first + 1):][:5] == child, journal
    assert journal.count("setUpClass Base") == 1, journal
    for never in ("NotLoaded ran", "Left ran", "SetupSkipped ran"):
        assert never not in journal, journal
    assert "Chosen ran" in journal, journal


@test("load_tests suites: doctests and gathered modules are cases with their own ids")
def load_tests_ids() -> None:
    outcomes = ours().outcomes()
    assert outcomes.get("test.test_doc::calc.add") == "PASSED", ours().ran
    assert outcomes.get("test.test_doc::calc.sub") == "FAILED", ours().ran
    assert outcomes.get("test.pkg.test_inner::Inner::test_a") == "FAILED", ours().ran
    assert outcomes.get("test.only.test_two::Chosen::test_in") == "PASSED", ours().ran
    assert outcomes.get("test.test_skipmod::<import>") == "SKIPPED", ours().ran
    doctest = ours().testcase("calc.sub", "test.test_doc").find("failure")
    assert doctest is not None and "Failed example" in (doctest.text or ""), ours().ran


@test("errors count as errors and assertion failures as failures in the JUnit XML")
def errors_and_failures() -> None:
    suites = {s.get("name"): s for s in ours().junit().iter("testsuite")}
    outcomes = suites["test.test_outcomes"]
    # errors: test_error, tearDownClass, tearDownModule; failures: test_failure, test_subtests;
    # skipped: test_skip, test_subtest_skipped, test_xfail, the skipped setUpClass
    assert (outcomes.get("errors"), outcomes.get("failures"), outcomes.get("skipped")) == (
        "3", "2", "4"
    ), ours().ran
    error = ours().testcase("Outcomes::test_error").find("error")
    assert error is not None and "KeyError" in (error.get("message") or ""), ours().ran
    teardown = ours().testcase("tearDownModule (test.test_outcomes)").find("error")
    assert teardown is not None and "module teardown broke" in (teardown.get("message") or "")


@test("a failing subTest fails its test and names each failing subtest with its parameters")
def subtests_named() -> None:
    failure = ours().testcase("Outcomes::test_subtests").find("failure")
    assert failure is not None, ours().ran
    message = failure.get("message") or ""
    assert "2 subtests failed, first [odd one] (i=1)" in message, message
    assert "--- subtest [odd one] (i=3) ---" in (failure.text or ""), failure.text
    assert "(i=0)" not in (failure.text or "") and "(i=2)" not in (failure.text or "")
    # The header's message: on its line when it fits the terminal's width, else on the next.
    said = r"failed in run(: |\n)2 subtests failed, first \[odd one\] \(i=1\)"
    assert re.search(said, ours().ran.stdout), ours().ran
    assert "--- subtest [odd one] (i=3) ---" in ours().ran.stdout, ours().ran


if __name__ == "__main__":
    run_current_module()
