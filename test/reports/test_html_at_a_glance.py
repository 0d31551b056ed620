"""The HTML report reads at a glance: its headline and outcome chips count the same way, a
failure's row shows the values that differed, tracebacks keep their lines whole, and the page
names the thinking-tests version.

A project with every outcome (passes, an xpass, an xfail, a skip, failed asserts, an error in
a fixture, a deep traceback) runs once on each engine; its reports are read back with
html.parser and, where Chromium is installed, after the page's script ran in it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import thinking_tests
from test.reports._e2e_helpers import (
    Element,
    project,
    read_html,
    report_data,
    temporary,
    tree,
)
from test.reports._e2e_helpers import dump_dom as browser_dom
from test.support import Ran, package, run
from thinking_tests import fixture, run_current_module, test
from thinking_tests.model import CaseResult, Outcome, RunResult
from thinking_tests.reports import html
from thinking_tests.reports.html import facts, template_dir, write

MODULE = "test.test_mix"
MIXED = """
from thinking_tests import fixture, test


def f(x):
    return x + 2


@test
def passes():
    assert 1 + 1 == 2


@test(xfail="bug 12")
def unexpectedly_passes():
    assert True


@test(xfail="bug 13")
def expectedly_fails():
    assert False


@test(skip="no GPU here")
def needs_gpu():
    pass


@test
def compares_values():
    assert f(1) == 4


@test
def compares_literals():
    assert [1, 2, 3] == [1, 2, 4]


def deep(n):
    if n == 0:
        return {"a": 1}["a_key_long_enough_to_run_past_a_phone_screen_and_then_some_more"] + 1
    return deep(n - 1)


@test
def fails_deep_down():
    assert deep(5) == 3


@fixture
def database():
    raise RuntimeError("database refused the connection")


@test
def queries(database):
    pass
"""
# The contract's three counts, each with the outcomes that made it.
HEADLINE = (
    "2 passed (1 passed, 1 xpassed), 4 failed (3 failed, 1 error), 2 skipped (1 skipped, 1 xfailed)"
)
CHIPS = [
    ("2 passed", "passed,xpassed"),
    ("1 passed", "passed"),
    ("1 xpassed", "xpassed"),
    ("4 failed", "failed,error"),
    ("3 failed", "failed"),
    ("1 error", "error"),
    ("2 skipped", "skipped,xfailed"),
    ("1 skipped", "skipped"),
    ("1 xfailed", "xfailed"),
]
COUNT = re.compile(r"(\d+) (\w+)")


def headline(page: Element) -> str:
    """The headline's counts, without the duration after them."""
    return page.one("p", "headline").text.split(" · ")[0]


def chips(page: Element) -> list[tuple[str, str]]:
    """Each outcome chip's text and the outcomes it filters, but for the "all" chip."""
    return [
        (" ".join(chip.text.split()), chip.attrs["data-outcome"])
        for chip in page.find("button", "chip")
        if "all" not in chip.classes
    ]


# --- the runs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    ran: Ran
    text: str
    page: Element
    cases: dict[str, dict[str, object]]
    path: Path


def _report(root: Path, engine: str) -> Report:
    reports = root / f"reports-{engine}"
    ran = run("-m", "test.run_all", "--backend", engine, "--report-dir", str(reports), cwd=root)
    assert ran.code == 1, ran
    path = reports / "report.html"
    parser, text = read_html(path)
    cases = {str(case["id"]): case for case in report_data(parser)["cases"]}
    return Report(ran, text, tree(text), cases, path)


@fixture(scope="module")
def unittest_report() -> Report:
    return _report(mixed_project(), "unittest")


@fixture(scope="module")
def pytest_report() -> Report:
    return _report(mixed_project(), "pytest")


def mixed_project() -> Path:
    return project({**package("test"), "test/test_mix.py": MIXED})


# --- the headline and the chips --------------------------------------------------------------------


def _agree(report: Report) -> None:
    line = headline(report.page)
    assert line == HEADLINE, line
    # Without its parts the headline is the run's summary line (DESIGN.md), as printed.
    assert re.sub(r" \([^)]*\)", "", line) == report.ran.last_line, (line, report.ran)
    # Each part is a tally of the cases the page holds.
    parts = {
        word.removesuffix("s") if word == "errors" else word: int(n)
        for inside in re.findall(r"\(([^)]*)\)", line)
        for n, word in COUNT.findall(inside)
    }
    tally = Counter(str(case["outcome"]) for case in report.cases.values())
    assert parts == dict(tally), (parts, tally)
    # The chips: the headline's numbers and words, in its order, grouped under its counts.
    assert chips(report.page) == CHIPS, chips(report.page)
    assert [text for text, _ in chips(report.page)] == [f"{n} {w}" for n, w in COUNT.findall(line)]
    groups = report.page.find("span", "group")
    assert [group.attrs["aria-label"] for group in groups] == ["2 passed", "4 failed", "2 skipped"]
    for group in groups:
        head, *members = group.find("button", "chip")
        assert "head" in head.classes
        assert head.attrs["data-outcome"].split(",") == [m.attrs["data-outcome"] for m in members]
        assert int(head.text.split()[0]) == sum(int(m.text.split()[0]) for m in members)


@test(
    "headline and chips count the same way: the contract's three counts, each with its parts (unittest engine)"
)
def headline_and_chips_agree(unittest_report: Report) -> None:
    _agree(unittest_report)


@test("headline and chips count the same way under the pytest engine", timeout=240)
def headline_and_chips_agree_under_pytest(pytest_report: Report) -> None:
    _agree(pytest_report)


@test("a count made of its own outcome alone is one chip, and the headline names no parts")
def single_outcome_counts_have_no_parts() -> None:
    results = RunResult(
        cases=(
            _case("a", Outcome.PASSED),
            _case("b", Outcome.PASSED),
            _case("c", Outcome.ERROR),
        ),
        start=1_700_000_000.0,
        duration=1.0,
        backend="unittest",
    )
    directory = temporary("tt-html-glance-")
    write(results, directory / "report.html")
    page = tree((directory / "report.html").read_text(encoding="utf-8"))
    assert headline(page) == "2 passed, 1 failed (1 error), 0 skipped", headline(page)
    assert chips(page) == [("2 passed", "passed"), ("1 failed", "error"), ("1 error", "error")]


def _case(name: str, outcome: Outcome) -> CaseResult:
    return CaseResult(
        id=f"{MODULE}::{name}", module=MODULE, name=name, outcome=outcome, duration=0.001
    )


# --- a failure's row ------------------------------------------------------------------------------


@test("a failed assert's row holds the values that differed, not only the statement")
def rows_show_the_values(unittest_report: Report) -> None:
    cases = unittest_report.cases
    values = cases[f"{MODULE}::compares_values"]
    assert values["message"] == "AssertionError: assert f(1) == 4", values
    assert values["explained"] == "assert 3 == 4", values
    # Not repeated when the message already shows the values, nor made up without an assert.
    assert "explained" not in cases[f"{MODULE}::compares_literals"]
    assert "assert [1, 2, 3] == [1, 2, 4]" in str(cases[f"{MODULE}::compares_literals"]["message"])
    for name in ("fails_deep_down", "queries", "expectedly_fails"):
        assert "explained" not in cases[f"{MODULE}::{name}"], name
    # Without JavaScript too: the plain table's row carries the line.
    lines = [div.text for div in unittest_report.page.find("div", "why")]
    assert lines == ["assert 3 == 4"], lines


@test("under the pytest engine the row's message itself holds the values", timeout=240)
def rows_show_the_values_under_pytest(pytest_report: Report) -> None:
    values = pytest_report.cases[f"{MODULE}::compares_values"]
    shown = str(values["message"]).split("\n", 1)[0] + "\n" + str(values.get("explained", ""))
    assert "assert 3 == 4" in shown, values


# --- tracebacks ---------------------------------------------------------------------------------------


@test(
    "tracebacks keep their lines whole: a narrow screen scrolls them, so ^^^ stays under its code"
)
def tracebacks_do_not_wrap(unittest_report: Report) -> None:
    style = (template_dir() / html.STYLE).read_text(encoding="utf-8")
    rule = re.search(r"(?m)^pre\.code \{([^}]*)\}", style)
    assert rule, "no rule for pre.code"
    assert re.search(r"white-space:\s*pre;", rule[1]) and "overflow-wrap: normal" in rule[1], rule[
        1
    ]
    # pre's own rule scrolls what is too wide, in a monospace font.
    pre = re.search(r"(?m)^pre \{([^}]*)\}", style)
    assert pre and "overflow: auto" in pre[1] and "var(--mono)" in pre[1], pre
    # The plain table's tracebacks are such blocks; the script makes its own the same way.
    blocks = [block.text for block in unittest_report.page.find("pre", "code")]
    assert any("^^^^" in block and "deep(n - 1)" in block for block in blocks), blocks
    script = (template_dir() / html.SCRIPT).read_text(encoding="utf-8")
    assert "pre(box, x.traceback, true)" in script


# --- the version ---------------------------------------------------------------------------------------


@test("the report names the thinking-tests version")
def names_the_version(unittest_report: Report) -> None:
    assert thinking_tests.__version__
    named = f"thinking-tests {thinking_tests.__version__}"
    assert unittest_report.page.one("p", "by").text == named
    environment = unittest_report.page.one("section", "env")
    rows = {row.one("dt").text: row.one("dd").text for row in environment.find("div")}
    assert rows["thinking-tests"] == thinking_tests.__version__, rows


@test("without __version__ the version comes from the installed metadata, or is left out")
def version_falls_back() -> None:
    saved = thinking_tests.__dict__.pop("__version__")
    try:
        from importlib.metadata import PackageNotFoundError, version

        try:
            installed = version("thinking-tests")
        except PackageNotFoundError:
            installed = ""
        assert facts.own_version() == installed
    finally:
        thinking_tests.__version__ = saved
    assert facts.own_version() == saved


# --- in a real browser ------------------------------------------------------------------------------


def dump_dom(path: Path, **state: str | list[str]) -> Element:
    """The page's DOM after its script ran, opened at phone width with `state` in the hash."""
    return tree(browser_dom(path, (390, 844), **state))


@test(
    "in Chromium the script keeps the headline and chips, shows the values and filters by a count",
    timeout=240,
)
def reads_at_a_glance_in_a_browser(unittest_report: Report) -> None:
    deep = f"{MODULE}::fails_deep_down"
    page = dump_dom(unittest_report.path, open=deep)
    document = page.one("html")
    assert document.attrs.get("data-ready") == str(len(unittest_report.cases)), (
        "the script did not finish"
    )
    assert headline(page) == HEADLINE
    assert chips(page) == CHIPS
    rows = {row.one("span", "id").text: row for row in page.find("button", "row")}
    assert [span.text for span in rows[f"{MODULE}::compares_values"].find("span", "why")] == [
        "assert 3 == 4"
    ]
    # The opened case's traceback is a block of whole lines, markers under their code.
    blocks = [block.text for block in page.find("pre", "code")]
    traceback = next(block for block in blocks if "deep(n - 1)" in block)
    lines = traceback.splitlines()
    marked = [i for i, line in enumerate(lines) if set(line.strip()) <= set("^~") and line.strip()]
    assert marked, traceback
    for i in marked:
        assert len(lines[i]) <= len(lines[i - 1]), (lines[i - 1], lines[i])

    # A count's chip filters all of its outcomes and shows as pressed, with its parts.
    failing = dump_dom(unittest_report.path, o="failed,error")
    outcomes = {
        " ".join(row.one("span", "badge").text.split()) for row in failing.find("button", "row")
    }
    assert outcomes == {"failed", "error"}, outcomes
    pressed = [
        " ".join(chip.text.split())
        for chip in failing.find("button", "chip")
        if chip.attrs.get("aria-pressed") == "true"
    ]
    assert pressed == ["4 failed", "3 failed", "1 error"], pressed


if __name__ == "__main__":
    run_current_module()
