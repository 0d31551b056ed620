"""`-k EXPR` and `-t TAG`: the expression parser in-process, then the flags on real runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from test.running._helpers import listed, module, one_sentence, package, project, ran_ids, run
from thinking_tests import fixture, run_current_module, test
from thinking_tests.collect import ImportFailure
from thinking_tests.model import ExceptionInfo
from thinking_tests.select import SelectionError, parse_keyword, select


@test(
    "-k: substrings with and/or/not and parentheses, case-insensitive",
    params=[
        ("parser", "test.parser::reads", True),
        ("PARSER", "test.parser::reads", True),
        ("pars", "test.parser::reads", True),
        ("lexer", "test.parser::reads", False),
        ("parser and reads", "test.parser::reads", True),
        ("parser and writes", "test.parser::reads", False),
        ("lexer or reads", "test.parser::reads", True),
        ("not lexer", "test.parser::reads", True),
        ("not not parser", "test.parser::reads", True),
        ("not parser", "test.parser::reads", False),
        # `and` binds tighter than `or`; `not` tighter than both.
        ("reads or lexer and writes", "test.parser::reads", True),
        ("(reads or lexer) and writes", "test.parser::reads", False),
        ("not lexer and parser", "test.parser::reads", True),
        ("not (lexer or parser)", "test.parser::reads", False),
        ("((parser))", "test.parser::reads", True),
        ("adds[1]", "test.math::adds[1]", True),
        ("adds[1]", "test.math::adds[2]", False),
        ("math::adds", "test.math::adds[2]", True),
    ],
)
def keyword_expressions(expression: str, text: str, matches: bool) -> None:
    assert parse_keyword(expression)(text.lower()) is matches


@test(
    "-k: a broken expression is a SelectionError saying what is wrong",
    params=[
        ("", "needs an expression"),
        ("   ", "needs an expression"),
        ("and", "'and' where a word belongs"),
        ("a and", "ends too early"),
        ("a or or b", "'or' where a word belongs"),
        ("not", "ends too early"),
        ("(a", "misses a ')'"),
        ("a)", "extra words from ')'"),
        ("a b", "extra words from 'b'"),
        ("()", "')' where a word belongs"),
    ],
)
def broken_expressions(expression: str, says: str) -> None:
    try:
        parse_keyword(expression)
    except SelectionError as error:
        assert says in str(error), str(error)
        assert "\n" not in str(error)
    else:
        raise AssertionError(f"{expression!r} parsed")


@dataclass(frozen=True)
class Item:
    """The fields select() reads from a collected item."""

    id: str
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()


ITEMS = [
    Item("test.calc::adds", "adds", "sums two numbers", ("fast",)),
    Item("test.calc::divides", "divides", "", ("slow", "gpu")),
    Item("test.io::reads_file", "reads_file", "opens a FILE", ()),
]
BROKEN = ImportFailure(
    "test.broken::<import>", "test.broken", "<import>", "broken.py", 3,
    ExceptionInfo("ImportError", "no", ""), "module test.broken failed to import",
)


def chosen(keyword: str | None = None, tags: tuple[str, ...] = ()) -> list[str]:
    return [item.id for item in select(ITEMS + [BROKEN], keyword, tags)]  # type: ignore[operator]


@test(
    "select(): -k over ids, names, descriptions and tags; -t is any of the tags",
    params=[
        ((None, ()), ["test.calc::adds", "test.calc::divides", "test.io::reads_file"]),
        (("calc", ()), ["test.calc::adds", "test.calc::divides"]),  # the module part of an id
        (("reads_file", ()), ["test.io::reads_file"]),  # a name
        (("numbers", ()), ["test.calc::adds"]),  # a description
        (("file", ()), ["test.io::reads_file"]),  # a description, any case
        (("gpu", ()), ["test.calc::divides"]),  # a tag
        ((None, ("fast",)), ["test.calc::adds"]),
        ((None, ("fast", "gpu")), ["test.calc::adds", "test.calc::divides"]),
        (("not adds", ("fast", "gpu")), ["test.calc::divides"]),
        ((None, ("none-has-it",)), []),
    ],
)
def select_items(how: tuple[str | None, tuple[str, ...]], expected: list[str]) -> None:
    keyword, tags = how
    # A module that failed to import is reported whatever the selection.
    assert chosen(keyword, tags) == expected + ["test.broken::<import>"]


@fixture(scope="module")
def tagged() -> Iterator[Path]:
    yield project({
        **package("test"),
        "test/test_calc.py": module(
            """
            @test("sums two numbers", tags=["fast"])
            def adds(): pass

            @test(tags=["slow", "gpu"])
            def divides(): pass

            @test(params=[1, 2])
            def powers(n): pass
            """
        ),
        "test/test_io.py": module('@test("opens a FILE")\ndef reads(): pass'),
    })


@test(
    "-k on a real run: ids, names, descriptions, tags, and/or/not, parentheses",
    params=[
        ("calc and not powers", ["test.test_calc::adds", "test.test_calc::divides"]),
        ("numbers or file", ["test.test_calc::adds", "test.test_io::reads"]),
        ("gpu", ["test.test_calc::divides"]),
        ("powers[1]", ["test.test_calc::powers[1]"]),
        ("(adds or reads) and not io", ["test.test_calc::adds"]),
    ],
)
def keyword_on_a_run(expression: str, expected: list[str], tagged: Path) -> None:
    ran = run("-m", "thinking_tests", "-k", expression, "--list", cwd=tagged)
    assert ran.code == 0, ran
    assert listed(ran) == expected, ran


@test("-k and -t together run the cases matching both")
def keyword_and_tags(tagged: Path) -> None:
    ran = run("-m", "test.run_all", "-k", "not adds", "-t", "fast", "-t", "gpu", "-v", cwd=tagged)
    assert ran.code == 0, ran
    assert ran_ids(ran) == ["test.test_calc::divides"], ran
    assert ran.counts == (1, 0, 0), ran


@test("a broken -k expression: exit 4 and one sentence", params=["a and (b", "a b"])
def broken_keyword_on_a_run(expression: str, tagged: Path) -> None:
    ran = run("-m", "thinking_tests", "-k", expression, cwd=tagged)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "-k" in sentence and repr(expression) in sentence, sentence


if __name__ == "__main__":
    run_current_module()
