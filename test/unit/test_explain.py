"""Explanations of failed plain asserts, from real failing asserts in helper functions.

PYTEST_DONT_REWRITE: the helpers below must fail as plain asserts even when pytest collects
this module; a rewritten assert already carries its values and is left unexplained.
"""

from __future__ import annotations

import asyncio
import builtins
import linecache
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from thinking_tests import test
from thinking_tests.explain import explain, first_line

REPO = Path(__file__).resolve().parents[2]


def _failure(function: Callable[[], object]) -> AssertionError:
    """The AssertionError `function` raises; an error of its own if it does not raise."""
    try:
        function()
    except AssertionError as error:
        return error
    raise RuntimeError(f"{function.__name__} did not fail")


def _explained(function: Callable[[], object], verbosity: int = 0) -> str:
    return explain(_failure(function), verbosity=verbosity)


def _add(a: int, b: int) -> int:
    return a + b


@dataclass
class _Point:
    x: int
    label: str


class _BrokenRepr:
    def __repr__(self) -> str:
        raise ValueError("no repr today")


# --- the failing helpers ----------------------------------------------------------------


def _fails_equal_call() -> None:
    assert _add(1, 2) == 4


def _fails_string() -> None:
    greeting = "hello world"
    assert greeting == "hello there"


def _fails_list() -> None:
    got = [1, 2, 3]
    assert got == [1, 2, 4, 5]


def _fails_in() -> None:
    items = [1, 2, 3]
    assert 5 in items


def _fails_nested_call() -> None:
    assert _add(_add(1, 1), 1) == 4


def _fails_multi_line() -> None:
    expected = 10
    assert (
        _add(2, 3)
        == expected
    )


def _fails_two_on_a_line() -> None:
    first, second = 1, 2
    assert first == 1; assert second == 3  # noqa: E702


def _fails_with_message() -> None:
    total = _add(2, 2)
    assert total == 5, "totals must match"


def _fails_dataclass() -> None:
    assert _Point(1, "a") == _Point(1, "b")


def _fails_bool_op() -> None:
    word = "abc"
    assert word.startswith("x") and len(word) > 2


def _fails_generator() -> None:
    limit = 2
    values = [1, 2, 3]
    assert all(value < limit for value in values)


def _fails_broken_repr() -> None:
    expected: object = 1
    assert _BrokenRepr() == expected


def _fails_broken_repr_inside() -> None:
    expected: list[object] = [1]
    assert [_BrokenRepr()] == expected


def _fails_long_value() -> None:
    text = "x" * 10_000
    assert text + "y" == text


def _fails_not_in_text() -> None:
    assert "needle" not in "a haystack with a needle in it"


def _fails_attribute() -> None:
    point = _Point(1, "a")
    assert point.x == 2


# --- the cases ----------------------------------------------------------------------------


@test("both sides of == and the call behind one of them")
def shows_both_sides() -> None:
    text = _explained(_fails_equal_call)
    assert text.splitlines()[0] == "assert 3 == 4", text
    assert " +  where 3 = _add(1, 2)" in text, text


@test
def nested_calls_nest_their_where_lines() -> None:
    text = _explained(_fails_nested_call)
    assert text.splitlines() == [
        "assert 3 == 4",
        " +  where 3 = _add(2, 1)",
        " +    where 2 = _add(1, 1)",
    ], text


@test("strings get a line diff, the right side as -")
def diffs_strings() -> None:
    text = _explained(_fails_string)
    assert "assert 'hello world' == 'hello there'" in text, text
    assert "  - hello there" in text, text
    assert "  + hello world" in text, text


@test("lists name the first differing index and the extra items")
def diffs_lists() -> None:
    text = _explained(_fails_list)
    assert "assert [1, 2, 3] == [1, 2, 4, 5]" in text, text
    assert "At index 2 diff: 3 != 4" in text, text
    # The extra item is named (pytest adds a full diff when it sees CI=true: not the last line).
    assert any("more item" in line and "5" in line for line in text.splitlines()), text
    assert "-v" not in text, text  # pytest's command-line hints mean nothing here


@test
def verbosity_gives_the_full_diff() -> None:
    text = _explained(_fails_list, verbosity=1)
    assert "Full diff:" in text, text


@test
def shows_membership() -> None:
    assert _explained(_fails_in) == "assert 5 in [1, 2, 3]"


@test
def shows_attributes() -> None:
    text = _explained(_fails_attribute)
    assert text.splitlines() == ["assert 1 == 2", " +  where 1 = _Point(x=1, label='a').x"], text


@test("a dataclass comparison names the differing field")
def diffs_dataclasses() -> None:
    text = _explained(_fails_dataclass)
    assert "label" in text and "'a' != 'b'" in text, text


@test
def and_stops_where_python_stops() -> None:
    text = _explained(_fails_bool_op)
    assert text.splitlines() == ["assert False", " +  where False = 'abc'.startswith('x')"], text


@test("a generator argument reads as source and sees the frame's locals")
def generator_arguments() -> None:
    text = _explained(_fails_generator)
    assert " +  where False = all(value < limit for value in values)" in text, text


@test
def not_in_text_shows_where_it_is() -> None:
    text = _explained(_fails_not_in_text)
    assert "assert 'needle' not in 'a haystack with a needle in it'" in text, text
    assert "contained here" in text, text


@test("a multi-line assert is found whole")
def multi_line_assert() -> None:
    text = _explained(_fails_multi_line)
    assert text.splitlines() == ["assert 5 == 10", " +  where 5 = _add(2, 3)"], text


@test("of two asserts on one line, the one that failed")
def two_asserts_on_one_line() -> None:
    assert _explained(_fails_two_on_a_line) == "assert 2 == 3"


@test("an assert with a message is explained too; the message stays in the error")
def assert_with_message() -> None:
    error = _failure(_fails_with_message)
    assert str(error) == "totals must match"
    text = explain(error)
    assert text.splitlines()[0] == "assert 4 == 5", text
    assert "totals must match" not in text, text  # the traceback shows it already


@test("a re-evaluation that passes says so and still shows the values")
def side_effects_are_noted() -> None:
    calls: list[int] = []

    def next_number() -> int:
        calls.append(1)
        return len(calls)

    def fails() -> None:
        assert next_number() == 2

    text = _explained(fails)
    assert "assert 2 == 2" in text, text
    assert "passed when re-evaluated" in text, text
    assert len(calls) == 2


@test
def a_part_that_raises_when_re_evaluated() -> None:
    calls: list[int] = []

    def check() -> bool:
        calls.append(1)
        if len(calls) > 1:
            raise ValueError("only once")
        return False

    def fails() -> None:
        assert check()

    text = _explained(fails)
    assert text.splitlines()[0] == "assert check()", text
    assert "ValueError: only once" in text, text


@test("await, := and yield are never evaluated a second time")
def await_is_not_re_evaluated() -> None:
    calls: list[int] = []

    async def one() -> int:
        calls.append(1)
        return 1

    async def fails() -> None:
        assert await one() == 2

    text = explain(_failure(lambda: asyncio.run(fails())))
    assert calls == [1]
    assert text.splitlines() == [
        "assert await one() == 2",
        "(values not shown: the assertion contains `await`, which is not evaluated twice)",
    ], text

    def walrus() -> None:
        assert (n := _add(1, 1)) == 3, n

    assert "`:=`" in _explained(walrus)


@test("code without source gives nothing, without crashing")
def source_unavailable() -> None:
    namespace: dict[str, object] = {}
    exec(compile("def fails():\n    assert 1 == 2\n", "<generated>", "exec"), namespace)
    assert explain(_failure(namespace["fails"])) == ""  # type: ignore[arg-type]


@test
def source_from_linecache() -> None:
    source = "def fails():\n    x = 2\n    assert x == 3\n"
    filename = "<explain-test-source>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        namespace: dict[str, object] = {}
        exec(compile(source, filename, "exec"), namespace)
        assert explain(_failure(namespace["fails"])) == "assert 2 == 3"  # type: ignore[arg-type]
    finally:
        linecache.cache.pop(filename, None)


@test("a module pytest rewrote is left alone: its message holds the values")
def rewritten_by_pytest() -> None:
    source = "def fails():\n    assert 1 == 2\n"
    filename = "<explain-test-rewritten>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        namespace: dict[str, object] = {"@py_builtins": builtins}
        exec(compile(source, filename, "exec"), namespace)
        assert explain(_failure(namespace["fails"])) == ""  # type: ignore[arg-type]
    finally:
        linecache.cache.pop(filename, None)


@test("only assert statements are explained")
def other_errors() -> None:
    def raises() -> None:
        raise AssertionError("by hand")

    assert explain(_failure(raises)) == ""
    assert explain(AssertionError()) == ""  # no traceback at all
    assert explain(ValueError("x")) == ""


@test("an object whose repr raises does not break the explanation")
def broken_repr() -> None:
    text = _explained(_fails_broken_repr)
    assert text.startswith("assert <_BrokenRepr object at 0x"), text
    assert "repr() raised ValueError: no repr today" in text, text
    text = _explained(_fails_broken_repr_inside)
    assert text.startswith("assert [<_BrokenRepr object"), text


@test("values are cut inline, diffs keep them")
def long_values() -> None:
    text = _explained(_fails_long_value)
    first = text.splitlines()[0]
    assert len(first) < 600 and "..." in first, first
    assert len(text) < 20_000, len(text)


@test("without pytest, a plain explanation of the same comparisons")
def fallback_without_pytest() -> None:
    saved = sys.modules.get("_pytest.assertion.util")
    sys.modules["_pytest.assertion.util"] = None  # type: ignore[assignment]  # import fails
    try:
        strings = _explained(_fails_string)
        lists = _explained(_fails_list)
        points = _explained(_fails_dataclass)
    finally:
        if saved is None:
            del sys.modules["_pytest.assertion.util"]
        else:
            sys.modules["_pytest.assertion.util"] = saved
    assert "  - hello there" in strings and "  + hello world" in strings, strings
    assert "At index 2 diff: 3 != 4" in lists, lists
    assert "Right contains 1 more item(s), first extra item: 5" in lists, lists
    assert "label: 'a' != 'b'" in points, points


@test
def one_line_summaries() -> None:
    assert first_line(_failure(_fails_equal_call)) == "AssertionError: assert _add(1, 2) == 4"
    assert first_line(_failure(_fails_with_message)) == "AssertionError: totals must match"
    assert first_line(ValueError("first\nsecond")) == "ValueError: first"
    assert first_line(AssertionError()) == "AssertionError"


@test("importing the module does not import pytest")
def import_stays_light() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", "import thinking_tests.explain, sys; print('_pytest' in sys.modules)"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "False", ran.stdout + ran.stderr


class _Holder:
    """Asserts in an indented block: found by parsing only their function, columns kept."""

    def method(self) -> None:
        value = 3
        assert value * 2 == 7

    @staticmethod
    def with_text_at_column_zero() -> None:
        text = """
at column zero
"""
        assert len(text) == 99


def _decorated(function: Callable[[], None]) -> Callable[[], None]:
    return function


@_decorated
def _fails_decorated() -> None:
    items = [1, 2]
    assert items == [
        1,
        3,
    ]


@test("an assert in a method, in a function holding text at column 0, and under a "
      "decorator: each found and explained")
def indented_and_decorated() -> None:
    assert _explained(_Holder().method).splitlines()[0] == "assert (3 * 2) == 7"
    text = _explained(_Holder.with_text_at_column_zero)
    assert text.splitlines()[0] == "assert 16 == 99", text
    assert _explained(_fails_decorated).splitlines()[0] == "assert [1, 2] == [1, 3]"


if __name__ == "__main__":
    from thinking_tests import run_current_module

    run_current_module()
