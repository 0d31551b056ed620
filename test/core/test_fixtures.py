"""`@fixture`: scopes, teardown when the scope ends, fixtures of fixtures, lookup by name."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, outcome, run_project
from thinking_tests import run_current_module, test

# Two modules in a package, one module outside it; the journal shows when each value is
# made and torn down.
SCOPES = {
    "test/__init__.py": """\
        from journal import note
        from thinking_tests import fixture


        @fixture(scope="session")
        def session_db():
            note("session setup")
            yield "S"
            note("session teardown")


        @fixture(scope="session")
        def colour():
            return "from the session"
    """,
    "test/pkg/__init__.py": """\
        from journal import note
        from thinking_tests import fixture


        @fixture(scope="package")
        def package_res():
            note("package setup")
            yield "P"
            note("package teardown")
    """,
    "test/pkg/test_m1.py": """\
        from journal import note
        from thinking_tests import fixture, test


        @fixture(scope="module")
        def module_res(session_db):
            note("m1 module setup")
            yield "M1+" + session_db
            note("m1 module teardown")


        @fixture
        def case_res(module_res):
            note("m1 case setup")
            yield module_res + "+c"
            note("m1 case teardown")


        @test
        def one(case_res, package_res):
            note(f"one runs with {case_res} {package_res}")
            assert False, "one fails: its fixtures are torn down all the same"


        @test
        def two(case_res):
            note(f"two runs with {case_res}")
    """,
    "test/pkg/test_m2.py": """\
        from journal import note
        from thinking_tests import fixture, test


        @fixture(scope="module")
        def module_res():
            note("m2 module made")
            return "M2"


        @test
        def three(module_res, package_res, session_db):
            note(f"three runs with {module_res} {package_res} {session_db}")
    """,
    "test/test_z.py": """\
        from journal import note
        from thinking_tests import test


        @test
        def four(session_db):
            note(f"four runs with {session_db}")
    """,
}

EXPECTED_ORDER = [
    "session setup",
    "m1 module setup",
    "m1 case setup",
    "package setup",
    "one runs with M1+S+c P",
    "m1 case teardown",
    "m1 case setup",
    "two runs with M1+S+c",
    "m1 case teardown",
    "m1 module teardown",
    "m2 module made",
    "three runs with M2 P S",
    "package teardown",
    "four runs with S",
    "session teardown",
]

PROBLEMS = {
    "test/test_problems.py": """\
        from journal import note
        from thinking_tests import fixture, test


        @fixture
        def first(second):
            return "first+" + second


        @fixture
        def second():
            return "second"


        @fixture(name="renamed")
        def some_function():
            return "by its given name"


        @fixture
        def colour():
            return "from the module"


        @fixture
        def broken():
            raise RuntimeError("cannot connect")


        @fixture
        def bad_teardown():
            yield 1
            raise OSError("disk gone")


        @fixture
        def needs_missing(missing_one):
            return missing_one


        @fixture
        def loops(loops):
            return loops


        @fixture
        def narrow():
            return 1


        @fixture(scope="module")
        def wide(narrow):
            return narrow


        @test
        def by_name(second, first):
            assert (first, second) == ("first+second", "second")


        @test
        def renamed_fixture(renamed):
            assert renamed == "by its given name"


        @test
        def nearest_wins(colour):
            assert colour == "from the module"


        @test
        def unknown(nosuch):
            note("unknown ran")


        @test
        def unknown_deeper(needs_missing):
            pass


        @test
        def setup_fails(broken):
            note("setup_fails ran")


        @test
        def teardown_fails(bad_teardown):
            pass


        @test
        def cycle(loops):
            pass


        @test
        def scope_mismatch(wide):
            pass
    """,
}


@functools.cache
def scopes() -> Finished:
    return run_project({**SCOPES, **PROBLEMS})


@test("scopes end after the last case that could use them, outer scopes last")
def order() -> None:
    finished = scopes()
    assert finished.journal() == EXPECTED_ORDER, finished.ran


@test("a failing case still gets its fixtures torn down")
def teardown_after_failure() -> None:
    finished = scopes()
    assert outcome(finished.testcase("one")) == "failure"
    journal = finished.journal()
    assert journal.index("one runs with M1+S+c P") + 1 == journal.index("m1 case teardown")


@test("the run's counts, with fixture problems as errors")
def counts() -> None:
    ran = scopes().ran
    assert ran.code == 1, ran
    # passed: two, three, four, by_name, renamed_fixture, nearest_wins
    assert ran.counts == (6, 7, 0), ran


@test(
    "fixtures are found by parameter name, whatever the order, nearest first",
    params=["by_name", "renamed_fixture", "nearest_wins"],
)
def resolved(name: str) -> None:
    assert scopes().outcomes()[f"test.test_problems::{name}"] == "PASSED", scopes().ran


@test(
    "a fixture that cannot be made is an error of the case, naming it",
    params=[
        ("unknown", "setup", "case unknown asks for 'nosuch', which is neither a parameter nor a known fixture"),
        ("unknown_deeper", "setup", "fixture 'needs_missing' asks for 'missing_one'"),
        ("setup_fails", "setup", "RuntimeError: cannot connect"),
        ("teardown_fails", "teardown", "OSError: disk gone"),
        ("cycle", "setup", "fixture 'loops' depends on itself: loops -> loops"),
        ("scope_mismatch", "setup", "fixture 'wide' (module scope) cannot use 'narrow' (case scope)"),
    ],
    ids=["unknown", "unknown_deeper", "raises", "teardown_raises", "cycle", "scope"],
)
def fixture_errors(name: str, stage: str, words: str) -> None:
    finished = scopes()
    error = finished.testcase(name).find("error")
    assert error is not None, finished.ran
    message = error.get("message") or ""
    assert message.startswith(f"error in {stage}: "), message
    assert words in message, message


@test("a case whose fixtures failed does not run")
def body_skipped() -> None:
    journal = scopes().journal()
    assert "unknown ran" not in journal and "setup_fails ran" not in journal


if __name__ == "__main__":
    run_current_module()
