"""`@test` bare and with its options, and declarations that cannot be right."""

from __future__ import annotations

import functools
import json

from test.core._helpers import Finished, line_of, outcome, rerun, run_project
from test.support import project, run
from thinking_tests import run_current_module, test

CASES = """\
    from thinking_tests import test


    @test
    def bare():
        pass


    @test("adds two numbers", tags=["fast", "math"])
    def described():
        pass


    @test(name="renamed_case")
    def original_name():
        pass


    @test(skip="no GPU here")
    def skipped_with_reason():
        raise AssertionError("a skipped case must not run")


    @test(skip=True)
    def skipped_plainly():
        raise AssertionError("a skipped case must not run")


    @test(xfail="bug 12")
    def fails_as_expected():
        assert 1 == 2


    @test(xfail="bug 13")
    def passes_unexpectedly():
        pass


    @test
    def fails():
        assert 1 == 2, "one is not two"


    def helper():
        return 42


    returned = test(helper)


    @test
    def calls_decorated_directly():
        # Decorating returns the function itself, still callable like any other.
        assert returned is helper and helper() == 42
        assert bare() is None and bare.__name__ == "bare"
        assert original_name.__name__ == "original_name"
"""


@functools.cache
def declared() -> Finished:
    return run_project({"test/test_cases.py": CASES})


@test("the declared cases run: xfailed counts as skipped, xpassed as passed")
def counts() -> None:
    finished = declared()
    ran = finished.ran
    assert ran.code == 1, ran
    # passed: bare, described, renamed_case, passes_unexpectedly, helper, calls_decorated_directly
    assert ran.counts == (6, 1, 3), ran
    breakdown = ran.stdout.rstrip("\n").splitlines()[-2]
    assert breakdown.endswith("1 failure, 0 errors, 2 skips, 1 xfailed, 1 xpassed"), ran


@test(
    "each case ends as its options say, under its id",
    params=[
        ("bare", "PASSED"),
        ("described", "PASSED"),
        ("renamed_case", "PASSED"),
        ("skipped_with_reason", "SKIPPED"),
        ("skipped_plainly", "SKIPPED"),
        ("fails_as_expected", "XFAILED"),
        ("passes_unexpectedly", "XPASSED"),
        ("fails", "FAILED"),
        ("helper", "PASSED"),
        ("calls_decorated_directly", "PASSED"),
    ],
    ids=["bare", "description", "name", "skip_str", "skip_true", "xfail", "xpass", "fails",
         "undecorated_call", "direct_call"],
)
def outcome_of(name: str, expected: str) -> None:
    outcomes = declared().outcomes()
    assert outcomes.get(f"test.test_cases::{name}") == expected, declared().ran


@test("name= replaces the function's name; nothing is left under the old one")
def renamed() -> None:
    outcomes = declared().outcomes()
    assert "test.test_cases::renamed_case" in outcomes
    assert not any("original_name" in case_id for case_id in outcomes)
    assert declared().testcase("renamed_case") is not None


@test("skips, xfail and xpass carry their reasons into the JUnit report")
def reasons_in_junit() -> None:
    finished = declared()
    skipped = finished.testcase("skipped_with_reason").find("skipped")
    assert skipped is not None and skipped.get("message") == "no GPU here"
    plain = finished.testcase("skipped_plainly").find("skipped")
    assert plain is not None and plain.get("message") == "skipped"
    xfailed = finished.testcase("fails_as_expected").find("skipped")
    assert xfailed is not None and xfailed.get("message") == "xfail: bug 12"
    xpassed = finished.testcase("passes_unexpectedly")
    assert outcome(xpassed) == "passed"
    note = xpassed.findtext("system-out") or ""
    assert note.startswith("XPASS: expected to fail (bug 13), but passed"), note
    failure = finished.testcase("fails").find("failure")
    assert failure is not None and "one is not two" in (failure.get("message") or "")


@test("tags and the description are recorded: -t and -k select by them")
def tags_and_description() -> None:
    root = declared().root
    by_tag = rerun(root, ("-m", "test.run_all", "--list", "-t", "math")).ran
    assert by_tag.code == 0, by_tag
    assert by_tag.stdout.splitlines() == ["test.test_cases::described", "1 case selected"], by_tag
    by_words = rerun(root, ("-m", "test.run_all", "--list", "-k", "two and numbers")).ran
    assert by_words.stdout.splitlines()[0] == "test.test_cases::described", by_words


# Modules that cannot be declared as written; each must be an error case of its own module.
DUPLICATE = """\
    from thinking_tests import test


    @test
    def same():
        pass


    @test
    def same():  # a second case with the first one's id
        pass
"""

RENAMED_ONTO = """\
    from thinking_tests import test


    @test
    def first():
        pass


    @test(name="first")
    def second():
        pass
"""

PARAM_IDS = """\
    from thinking_tests import test


    @test(params=[1, 2], ids=["x", "x"])
    def repeated(value):
        pass
"""

BROKEN = {
    "test/test_a_duplicate.py": DUPLICATE,
    "test/test_b_renamed.py": RENAMED_ONTO,
    "test/test_c_param_ids.py": PARAM_IDS,
    "test/test_d_good.py": """\
        from thinking_tests import test


        @test
        def still_runs():
            pass
    """,
    "test/test_e_ids_count.py": """\
        from thinking_tests import test


        @test(params=[1, 2], ids=["only"])
        def short_of_ids(value):
            pass
    """,
    "test/test_f_arity.py": """\
        from thinking_tests import test


        @test(params=[(1, 2, 3)])
        def takes_two(a, b):
            pass
    """,
    "test/test_g_timeout.py": """\
        from thinking_tests import test


        @test(timeout=-1)
        def never():
            pass
    """,
    "test/test_h_aspect.py": """\
        from thinking_tests import test


        @test(aspects=[object()])
        def wrapped():
            pass
    """,
    # Calling a generator function runs none of its body: such a case would always pass.
    "test/test_i_generator.py": """\
        from thinking_tests import test


        @test
        def yields():
            assert False, "never runs"
            yield
    """,
    "test/test_j_async_generator.py": """\
        from thinking_tests import test


        @test
        async def yields_async():
            assert False, "never runs"
            yield
    """,
    "test/test_k_name.py": """\
        from thinking_tests import test


        @test(name=123)
        def numbered():
            pass
    """,
    "test/test_l_tag.py": """\
        from thinking_tests import test


        @test(tags=["fast", 7])
        def tagged():
            pass
    """,
    "test/test_m_ids.py": """\
        from thinking_tests import test


        @test(params=[1, 2], ids=["one", 2])
        def identified(value):
            pass
    """,
    "test/test_n_description.py": """\
        from thinking_tests import test


        @test(b"bytes")
        def described():
            pass
    """,
}
DECLARATION_ERRORS = ("e_ids_count", "f_arity", "g_timeout", "h_aspect", "i_generator",
                      "j_async_generator", "k_name", "l_tag", "m_ids", "n_description")


@functools.cache
def broken() -> Finished:
    return run_project(BROKEN)


@test("bad declarations are error cases of their modules; the other modules still run")
def broken_modules_still_run() -> None:
    finished = broken()
    ran = finished.ran
    assert ran.code == 1, ran
    assert ran.counts == (1, 3 + len(DECLARATION_ERRORS), 0), ran
    assert finished.outcomes()["test.test_d_good::still_runs"] == "PASSED", ran
    for module in ("a_duplicate", "b_renamed", "c_param_ids", *DECLARATION_ERRORS):
        suite = [s for s in finished.junit().iter("testsuite") if s.get("name") == f"test.test_{module}"]
        assert len(suite) == 1, f"no testsuite for test.test_{module}\n{ran!r}"
        # The module is its one error case: what it declared before failing does not run.
        assert [(c.get("name"), outcome(c)) for c in suite[0].iter("testcase")] == [
            ("<import>", "error")
        ], ran


@test(
    "a duplicate id is named, with both lines",
    params=[
        ("a_duplicate", "same", DUPLICATE, ("def same():", "def same():  # a second")),
        ("b_renamed", "first", RENAMED_ONTO, ("def first():", "def second():")),
        ("c_param_ids", "repeated[x]", PARAM_IDS, ("def repeated", "def repeated")),
    ],
    ids=["same_function_name", "name_option", "param_ids"],
)
def duplicate_ids(module: str, name: str, text: str, definitions: tuple[str, str]) -> None:
    finished = broken()
    error = finished.testcase("<import>", f"test.test_{module}").find("error")
    assert error is not None
    message = error.get("message") or ""
    assert f"duplicate case id 'test.test_{module}::{name}'" in message, message
    # A decorated function's line is its first decorator's, just above its def.
    first, second = (line_of(text, d) - 1 for d in definitions)
    assert f"test_{module}.py:{first} and again at line {second}" in message, message


@test(
    "a declaration error says what is wrong",
    params=[
        ("e_ids_count", "short_of_ids has 2 params but 1 ids"),
        ("f_arity", "gives 3 values to takes_two, which takes 2"),
        ("g_timeout", "must be a positive number of seconds"),
        ("h_aspect", "which has no around(stage, case)"),
        ("i_generator", "cannot run yields, which is a generator function"),
        ("j_async_generator", "cannot run yields_async, which is an async generator function"),
        ("k_name", "@test(name=...) must be a string, not int 123"),
        ("l_tag", "@test(tags=...) must hold strings, not int 7"),
        ("m_ids", "@test(ids=...) must hold strings, not int 2"),
        ("n_description", "@test takes a description string, not bytes"),
    ],
    ids=["ids_count", "arity", "timeout", "aspect", "generator", "async_generator", "name",
         "tag", "param_id", "description"],
)
def declaration_errors(module: str, words: str) -> None:
    error = broken().testcase("<import>", f"test.test_{module}").find("error")
    assert error is not None
    message = error.get("message") or ""
    assert words in message, message
    # One sentence that names the module and the line of the declaration.
    assert f"module test.test_{module} failed to import" in message, message
    assert f"test_{module}.py:4)" in message, message


@test("a declaration that cannot run is an error under plain pytest too, never a pass")
def declaration_errors_under_pytest() -> None:
    root = broken().root
    ran = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-tt-reports", "test",
              cwd=root)
    assert ran.code != 0, ran
    for module in ("i_generator", "j_async_generator", "k_name", "l_tag", "m_ids"):
        assert f"test_{module}.py" in ran.output, ran
    # pytest stops at collection errors: nothing passes, each broken module is an error.
    assert f"{3 + len(DECLARATION_ERRORS)} errors" in ran.output, ran
    assert "passed" not in ran.output, ran


# A bare `@test` takes a short way to its Case; `@test()` with nothing set, the whole way.
# Declared in a process of its own, each pair must differ in nothing but name, id and line.
BARE_AND_CALLED = """\
import json
from thinking_tests import test
from thinking_tests.registry import REGISTRY

@test
def bare_plain(): pass

@test()
def called_plain(): pass

@test
def bare_fixture(tmp_path, capsys): pass

@test()
def called_fixture(tmp_path, capsys): pass

@test
async def bare_async(): pass

@test()
async def called_async(): pass

cases = {c.name: c for entry in REGISTRY.modules.values() for c in entry.cases}
def fields(case):
    return {k: repr(v) for k, v in vars(case).items() if k not in ("id", "name", "line", "func")}
print(json.dumps({name: fields(case) for name, case in cases.items()}))
"""


@test("a bare @test declares the same case as @test() with nothing set")
def bare_and_called_declare_alike() -> None:
    root = project({"declares.py": BARE_AND_CALLED})
    ran = run("declares.py", cwd=root)
    assert ran.code == 0, ran
    fields = json.loads(ran.stdout)
    for kind in ("plain", "fixture", "async"):
        assert fields[f"bare_{kind}"] == fields[f"called_{kind}"], (kind, fields)
    assert fields["bare_fixture"]["fixture_names"] == "('tmp_path', 'capsys')"
    assert fields["bare_async"]["is_async"] == "True"
    assert fields["bare_plain"]["skip"] == "None" and fields["bare_plain"]["tags"] == "()"


if __name__ == "__main__":
    run_current_module()
