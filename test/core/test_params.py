"""`@test(params=...)`: one case per item, named `name[index]` or `name[id]`."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, outcome, run_project
from thinking_tests import run_current_module, test

TABLE = """\
    from thinking_tests import fixture, test


    @fixture
    def offset():
        return 100


    @test(params=[(1, 2, 3), (2, 2, 4), (2, 2, 5)])
    def adds(a, b, total):
        print(f"adding {a} and {b}")
        assert a + b == total


    @test(params=[(1, 101), (5, 105)], ids=["one", "five"])
    def with_fixture(value, expected, offset):
        # Parameters not given by params are fixtures, by name.
        assert value + offset == expected


    @test(params=[[1, 2], "text", None, {"k": 1}, (7,)], ids=["list", "str", "none", "dict", "one_tuple"])
    def single(value):
        # Anything but a tuple is one argument, whole; a tuple spreads over the parameters.
        print(type(value).__name__, repr(value))


    @test(params=[])
    def no_items(value):
        raise AssertionError("no params, no cases")
"""


@functools.cache
def table() -> Finished:
    return run_project({"test/test_table.py": TABLE})


@test("one case per item, named by index or by id, in declaration order")
def names() -> None:
    finished = table()
    assert finished.ran.code == 1, finished.ran
    assert finished.ran.counts == (9, 1, 0), finished.ran
    assert list(finished.outcomes()) == [
        f"test.test_table::{name}"
        for name in (
            "adds[0]", "adds[1]", "adds[2]", "with_fixture[one]", "with_fixture[five]",
            "single[list]", "single[str]", "single[none]", "single[dict]", "single[one_tuple]",
        )
    ], finished.ran
    junit_names = [c.get("name") for c in finished.junit().iter("testcase")]
    assert junit_names[:3] == ["adds[0]", "adds[1]", "adds[2]"]


@test("only the failing item fails, and the terminal names it with its values' output")
def failing_item() -> None:
    finished = table()
    assert [outcome(finished.testcase(f"adds[{i}]")) for i in range(3)] == [
        "passed", "passed", "failure",
    ]
    stdout = finished.ran.stdout
    assert "test.test_table::adds[2]" in stdout.split("FAILURES", 1)[1], finished.ran
    assert finished.testcase("adds[2]").findtext("system-out") == "adding 2 and 2\n"


@test(
    "a non-tuple item is passed as one argument",
    params=[
        ("list", "list [1, 2]"),
        ("str", "str 'text'"),
        ("none", "NoneType None"),
        ("dict", "dict {'k': 1}"),
        ("one_tuple", "int 7"),
    ],
    ids=["list", "str", "none", "dict", "one_tuple"],
)
def single_argument(param_id: str, printed: str) -> None:
    testcase = table().testcase(f"single[{param_id}]")
    assert outcome(testcase) == "passed"
    assert testcase.findtext("system-out") == printed + "\n"


@test("params fill the first parameters, fixtures the rest")
def params_and_fixtures() -> None:
    outcomes = table().outcomes()
    assert outcomes["test.test_table::with_fixture[one]"] == "PASSED"
    assert outcomes["test.test_table::with_fixture[five]"] == "PASSED"


@test("an empty params list declares no case")
def empty() -> None:
    assert not any("no_items" in case_id for case_id in table().outcomes())


if __name__ == "__main__":
    run_current_module()
