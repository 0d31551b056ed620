"""unittest's load_tests protocol on every engine: a unittest suite runs under the pytest
engine, and under plain `pytest` in a project configured for thinking-tests, exactly as
`python -m unittest discover` runs it.

A module's load_tests decides its tests (doctests it adds run, classes it leaves out do
not); a package's load_tests decides the package's; a package's `__init__.py` TestCase runs,
as discovery loads it; setUpClass runs once per class; errors stay errors, skips and
expected failures stay what they are, a failing subtest fails its test and is named. A
project without thinking-tests configuration keeps pytest's stock behaviour.
"""

from __future__ import annotations

from pathlib import Path

from test.pytest_compat._helpers import Ran, junit_messages, junit_outcomes, lines, project, run, run_pytest
from thinking_tests import run_current_module, test

SUITE = {
    "tests/__init__.py": """\
        import unittest


        class InPackage(unittest.TestCase):
            def test_found_by_discovery(self):
                pass
    """,
    # A module load_tests adding a passing and a failing doctest to the module's tests.
    "tests/test_doc.py": '''\
        import doctest
        import pathlib
        import sys
        import unittest

        COUNT = pathlib.Path(__file__).resolve().parent.parent / "setupclass.txt"


        def good():
            """
            >>> 1 + 1
            2
            """


        def bad():
            """
            >>> 1 + 1
            3
            """


        class Counted(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                with open(COUNT, "a") as calls:
                    calls.write("x")

            def test_one(self):
                pass

            def test_two(self):
                self.assertEqual(1, 2)

            def test_error(self):
                raise ValueError("boom")

            @unittest.skip("not today")
            def test_skipped(self):
                pass

            @unittest.expectedFailure
            def test_xfail(self):
                self.assertEqual(1, 2)

            def test_subtests(self):
                for i in range(3):
                    with self.subTest(i=i):
                        self.assertNotEqual(i, 1)


        def load_tests(loader, tests, pattern):
            tests.addTests(doctest.DocTestSuite(sys.modules[__name__]))
            return tests
    ''',
    # A module load_tests that replaces its classes: Dropped never runs under unittest.
    "tests/test_replaced.py": """\
        import unittest
        from unittest import TestSuite


        class Kept(unittest.TestCase):
            def test_kept(self):
                pass


        class Dropped(unittest.TestCase):
            def test_dropped(self):
                self.fail("left out by load_tests")


        def load_tests(loader, tests, pattern):
            return TestSuite(loader.loadTestsFromTestCase(Kept))
    """,
    # A package load_tests: what discovery finds below it, and one test it adds.
    "tests/sub/__init__.py": """\
        import os
        import unittest


        class Added(unittest.TestCase):
            def runTest(self):
                pass


        def load_tests(loader, standard_tests, pattern):
            found = loader.discover(os.path.dirname(__file__), pattern=pattern)
            return unittest.TestSuite([found, Added()])
    """,
    "tests/sub/test_inner.py": """\
        import unittest


        class Inner(unittest.TestCase):
            def test_inner(self):
                pass
    """,
    "tests/test_plain.py": """\
        import unittest


        class Plain(unittest.TestCase):
            def test_ok(self):
                pass
    """,
}

EXPECTED = {
    "tests::InPackage::test_found_by_discovery": "passed",
    "tests.sub.test_inner::Inner::test_inner": "passed",
    "tests.sub::Added::runTest": "passed",
    "tests.test_doc::Counted::test_error": "error",
    "tests.test_doc::Counted::test_one": "passed",
    "tests.test_doc::Counted::test_skipped": "skipped",
    "tests.test_doc::Counted::test_subtests": "failure",
    "tests.test_doc::Counted::test_two": "failure",
    "tests.test_doc::Counted::test_xfail": "skipped",
    "tests.test_doc::tests.test_doc.bad": "failure",
    "tests.test_doc::tests.test_doc.good": "passed",
    "tests.test_plain::Plain::test_ok": "passed",
    "tests.test_replaced::Kept::test_kept": "passed",
}

_STATUS = {"ok": "passed", "FAIL": "failure", "ERROR": "error", "expected failure": "skipped"}
_WORST = ["passed", "skipped", "failure", "error"]


def unittest_outcomes(ran: Ran) -> dict[str, str]:
    """unittest's id -> outcome, from `python -m unittest discover -v` (stderr): lines
    `name (id) ... ok`, a subtest's `name (id) (i=1) ... FAIL`, a doctest's
    `Doctest: id ... ok`."""
    outcomes: dict[str, str] = {}
    for line in ran.stderr.splitlines():
        left, dots, status = line.strip().partition(" ... ")
        if not dots or not status:
            continue
        if left.startswith("Doctest: "):
            identifier = left.removeprefix("Doctest: ")
        else:
            identifier = left.partition(" (")[2].partition(")")[0]
        outcome = "skipped" if status.startswith("skipped") else _STATUS[status]
        previous = outcomes.get(identifier, "passed")
        outcomes[identifier] = max(previous, outcome, key=_WORST.index)
    return outcomes


def unittest_id(ours: str) -> str:
    """The id unittest gives the test our id names: `module::Class::method` is
    `module.Class.method`; a doctest's name is already unittest's id."""
    module, _, rest = ours.partition("::")
    return f"{module}.{rest.replace('::', '.')}" if "::" in rest else rest


def shows(ran: Ran, start: str) -> bool:
    """Whether a line of pytest's output starts with `start` (`-v` adds a percentage)."""
    return any(line.startswith(start) for line in lines(ran))


def setup_calls(root: Path) -> str:
    calls = root / "setupclass.txt"
    text = calls.read_text() if calls.exists() else ""
    calls.unlink(missing_ok=True)
    return text


@test("a unittest suite with load_tests gives the same ids and outcomes under unittest, both engines and plain pytest")
def same_as_unittest_discover() -> None:
    root = project(SUITE)
    reference = run("-m", "unittest", "discover", "-v", cwd=root)
    assert reference.code == 1 and "Ran 13 tests" in reference.stderr, reference
    assert unittest_outcomes(reference) == {unittest_id(k): v for k, v in EXPECTED.items()}, reference
    assert setup_calls(root) == "x"
    for backend in ("unittest", "pytest"):
        ran = run("-m", "thinking_tests", "tests", "--backend", backend, "--report-dir", backend, cwd=root)
        assert ran.code == 1 and ran.counts == (7, 4, 2), ran
        assert "3 failures, 1 error, 1 skip, 1 xfailed, 0 xpassed" in ran.stdout, ran
        assert junit_outcomes(root / backend / "junit.xml") == EXPECTED, backend
        messages = junit_messages(root / backend / "junit.xml")
        assert "subtest (i=1) failed" in messages["tests.test_doc::Counted::test_subtests"], backend
        assert "Failed doctest" in messages["tests.test_doc::tests.test_doc.bad"], backend
        assert setup_calls(root) == "x", backend
    plain = run_pytest("tests", "-p", "no:cacheprovider", "-v", cwd=root)
    assert plain.code == 1, plain
    assert shows(plain, "tests/test_doc.py::tests.test_doc.bad FAILED"), plain
    assert shows(plain, "tests/sub/__init__.py::Added::runTest PASSED"), plain
    assert "Dropped" not in plain.stdout, plain
    assert junit_outcomes(root / "reports" / "junit.xml") == EXPECTED
    assert setup_calls(root) == "x"


@test("without thinking-tests configuration plain pytest stays stock: load_tests is ignored, no reports")
def unconfigured_project_is_stock() -> None:
    root = project(SUITE, config=None)
    plain = run_pytest("tests", "-p", "no:cacheprovider", "-v", cwd=root)
    assert plain.code == 1, plain
    assert shows(plain, "tests/test_replaced.py::Dropped::test_dropped FAILED"), plain
    assert "test_doc.good" not in plain.stdout and "InPackage" not in plain.stdout, plain
    assert shows(plain, "tests/sub/test_inner.py::Inner::test_inner PASSED"), plain
    assert "Added" not in plain.stdout, plain
    assert not (root / "reports").exists()


FIXTURES = {
    "tests/__init__.py": "",
    "tests/test_fixtures.py": """\
        import unittest


        class Broken(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                raise RuntimeError("no database")

            def test_never(self):
                pass

            def test_never_either(self):
                pass


        class Leaky(unittest.TestCase):
            @classmethod
            def tearDownClass(cls):
                raise RuntimeError("leak")

            def test_runs(self):
                pass


        class Skipped(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                raise unittest.SkipTest("no GPU")

            def test_gpu(self):
                pass


        def load_tests(loader, tests, pattern):
            return tests
    """,
}

FIXTURE_IDS = {
    "tests.test_fixtures::setUpClass (tests.test_fixtures.Broken)": "error",
    "tests.test_fixtures::Leaky::test_runs": "passed",
    "tests.test_fixtures::tearDownClass (tests.test_fixtures.Leaky)": "error",
    "tests.test_fixtures::setUpClass (tests.test_fixtures.Skipped)": "skipped",
}


@test("a suite's failing setUpClass and tearDownClass and a skipped class: reported once each, as unittest does, on every engine")
def class_fixtures() -> None:
    root = project(FIXTURES)
    reference = run("-m", "unittest", "discover", "-v", cwd=root)
    assert "Ran 1 test" in reference.stderr and "errors=2, skipped=1" in reference.stderr, reference
    for backend in ("unittest", "pytest"):
        ran = run("-m", "thinking_tests", "tests", "--backend", backend, "--report-dir", backend, cwd=root)
        assert ran.code == 1 and ran.counts == (1, 2, 1), ran
        assert junit_outcomes(root / backend / "junit.xml") == FIXTURE_IDS, backend
        assert "leak" in junit_messages(root / backend / "junit.xml")[
            "tests.test_fixtures::tearDownClass (tests.test_fixtures.Leaky)"
        ], backend
    # pytest's own view: the tests of the broken class did not pass, the failing
    # tearDownClass is an error, the skipped class's test is skipped.
    plain = run_pytest("tests", "-p", "no:cacheprovider", "-v", cwd=root)
    assert plain.code == 1, plain
    assert shows(plain, "tests/test_fixtures.py::Broken::test_never FAILED"), plain
    assert "ERROR at teardown of Leaky::test_runs" in plain.stdout, plain
    assert shows(plain, "tests/test_fixtures.py::Skipped::test_gpu SKIPPED"), plain
    assert junit_outcomes(root / "reports" / "junit.xml") == FIXTURE_IDS


if __name__ == "__main__":
    run_current_module()
