"""The HTML report of retried cases: a flaky case (failed, then passed) has a chip, a filter
with its count and a note in the headline; a retried case's details show every attempt with
its stages, traceback and output, the last marked as the case's result; a case that failed
every attempt says how many it had. A run without retries shows none of it.

Real runs (`python -m thinking_tests test` on a project on disk, a file counting how often
each case ran), their pages parsed back, and where Chromium is installed opened in it.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from test.reports._e2e_helpers import (
    Element,
    project,
    read_html,
    report_data,
    temporary,
    tree,
)
from test.reports._e2e_helpers import dump_dom as browser_dom
from test.running._helpers import COUNTER
from test.support import Ran, env, run
from thinking_tests import fixture, run_current_module, test
from thinking_tests.model import (
    Attempt,
    CaseResult,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
    StageResult,
)
from thinking_tests.reports.html import TEMPLATE, template_dir, view, write

# The page's own code carried into this text (it sets the title if it ever runs).
PWN = "<img src=x onerror=\"document.title='pwned'\">"

CASES = COUNTER + '''
import logging
import sys

from thinking_tests import test


@test(retries=2)
def flaky():
    times = ran("flaky")
    print(f"flaky out {times} PWN")
    print(f"flaky err {times}", file=sys.stderr)
    logging.getLogger("net").warning("flaky log %d", times)
    assert times >= 2, f"attempt {times} fails"


@test(retries=2)
def broken():
    times = ran("broken")
    print(f"broken out {times}")
    raise ValueError(f"broken {times}")


@test
def steady():
    ran("steady")
'''.replace("PWN", PWN.replace('"', '\\"'))

FLAKY = "test.test_retried::flaky"
BROKEN = "test.test_retried::broken"
STEADY = "test.test_retried::steady"


def words(element: Element) -> str:
    return " ".join(element.text.split())


def headline(page: Element) -> str:
    """The headline's counts, without the duration after them."""
    return words(page.one("p", "headline")).split(" · ")[0]


def chips(page: Element) -> dict[str, str]:
    """Each filter chip's outcomes -> its text, but the "all" chip's."""
    return {
        chip.attrs["data-outcome"]: words(chip)
        for chip in page.find("button", "chip")
        if "all" not in chip.classes
    }


def plain_rows(page: Element) -> dict[str, Element]:
    """The rows of the table shown with JavaScript off, by case id."""
    table = page.one("noscript")
    return {
        words(row.find("span", "id")[0]): row for row in table.find("tr") if row.find("span", "id")
    }


# --- the runs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    root: Path
    ran: Ran
    text: str
    page: Element
    cases: dict[str, dict[str, Any]]
    path: Path


def report_of(files: dict[str, str]) -> Report:
    """A project of `files` run once, its HTML report read back."""
    root = project({"test/__init__.py": "", **files})
    reports = root / "reports"
    ran = run("-m", "thinking_tests", "test", "--report-dir", str(reports), cwd=root)
    path = reports / "report.html"
    parser, text = read_html(path)
    cases = {str(case["id"]): case for case in report_data(parser)["cases"]}
    return Report(root, ran, text, tree(text), cases, path)


@fixture(scope="module")
def retried() -> Report:
    report = report_of({"test/test_retried.py": CASES})
    assert report.ran.code == 1 and report.ran.counts == (2, 1, 0), report.ran
    counted = {
        name: int((report.root / f"RAN-{name}").read_text())
        for name in ("flaky", "broken", "steady")
    }
    assert counted == {"flaky": 2, "broken": 3, "steady": 1}, counted
    return report


def browse(path: Path, **state: str | list[str]) -> Element:
    """The page's DOM after its script ran in headless Chromium, opened with the view state
    `state` in the hash; nothing may reach the browser's console."""
    page = tree(browser_dom(path, (1280, 1400), **state))
    assert page.one("html").attrs.get("data-ready"), "the script did not finish"
    return page


def rows(page: Element) -> dict[str, Element]:
    """The case list the script built, by case id (its module part, then its name)."""
    listed: dict[str, Element] = {}
    for row in page.find("div", "case"):
        ident = row.one("span", "id")
        listed[ident.one("span", "mod").text + ident.one("b").text] = row
    return listed


# --- the tests ----------------------------------------------------------------------------------


@test(
    "a flaky case: a chip and its count among the filters, the headline says it, the plain table marks it"
)
def flaky_chip_and_filter(retried: Report) -> None:
    page = retried.page
    assert headline(page) == "2 passed (1 flaky), 1 failed, 0 skipped", headline(page)
    assert chips(page) == {"passed": "2 passed", "failed": "1 failed", "flaky": "1 flaky"}, chips(
        page
    )
    assert "o-flaky" in page.one("button", "flaky").classes
    flaky_fact = [
        div for div in page.one("dl", "facts").find("div") if words(div.one("dt")) == "flaky"
    ]
    assert [words(div.one("dd")) for div in flaky_fact] == ["1"]
    # Without JavaScript: the row's note and the failed attempt's line.
    plain = plain_rows(page)
    assert [words(n) for n in plain[FLAKY].find("span", "note")] == ["flaky · passed on attempt 2"]
    assert "flaky" in plain[FLAKY].one("span", "note").classes
    line = words(plain[FLAKY].one("div", "attempt"))
    assert line.startswith("attempt 1 of 2, failed in run · "), line
    assert line.endswith(" ms: AssertionError: attempt 1 fails"), line
    assert not plain[STEADY].find("span", "note") and not plain[STEADY].find("div", "attempt")


@test(
    "the data block holds a retried case's failed attempts, oldest first, with their stages and output"
)
def attempts_in_the_data(retried: Report) -> None:
    flaky = retried.cases[FLAKY]
    assert flaky["outcome"] == "passed" and flaky["stdout"].startswith("flaky out 2"), flaky
    (first,) = flaky["attempts"]
    assert first["outcome"] == "failed" and first["message"] == "AssertionError: attempt 1 fails", (
        first
    )
    assert first["explained"] == "assert 1 >= 2", first
    assert first["stdout"] == f"flaky out 1 {PWN}\n" and first["stderr"] == "flaky err 1\n", first
    assert "flaky log 1" in first["log"] and "flaky log 2" in flaky["log"], first
    stages = {stage[0]: stage for stage in first["stages"]}
    assert stages["setup"][1] is True and stages["run"][1] is False, stages
    assert stages["run"][3]["type"] == "AssertionError", stages
    assert 'assert times >= 2, f"attempt {times} fails"' in stages["run"][3]["traceback"], stages
    assert isinstance(first["us"], int) and isinstance(first["start_ms"], int), first
    broken = retried.cases[BROKEN]
    assert broken["message"] == "ValueError: broken 3", broken
    assert [a["message"] for a in broken["attempts"]] == [
        "ValueError: broken 1",
        "ValueError: broken 2",
    ]
    assert [a["stdout"] for a in broken["attempts"]] == ["broken out 1\n", "broken out 2\n"]
    assert "attempts" not in retried.cases[STEADY], "a case run once has no attempts"


@test("a case that fails every attempt says how many beside its outcome and lists every one")
def every_attempt_failed(retried: Report) -> None:
    plain = plain_rows(retried.page)[BROKEN]
    assert [words(note) for note in plain.find("span", "note")] == ["3 attempts"]
    assert "flaky" not in plain.one("span", "note").classes
    lines = [words(line) for line in plain.find("div", "attempt")]
    assert [line.split(" · ")[0] for line in lines] == [
        "attempt 1 of 3, failed in run",
        "attempt 2 of 3, failed in run",
    ]
    assert [line.split(": ", 1)[1] for line in lines] == [
        "ValueError: broken 1",
        "ValueError: broken 2",
    ]
    assert "ValueError: broken 3" in words(plain.one("pre")), (
        "its own traceback is the last attempt's"
    )


@test(
    "in Chromium a retried case's details list every attempt, its traceback and output, the last marked as the case's result",
    timeout=240,
)
def attempts_in_a_browser(retried: Report) -> None:
    page = browse(retried.path, open=[FLAKY, BROKEN])
    assert page.find("title")[0].text.startswith("Tests failed:"), (
        "no case text ran and set the title"
    )
    assert not page.find("img"), "output is text"
    listed = rows(page)
    assert [words(n) for n in listed[FLAKY].find("span", "note")] == ["flaky · passed on attempt 2"]
    assert [words(n) for n in listed[BROKEN].find("span", "note")] == ["3 attempts"]
    assert not listed[STEADY].find("span", "note")

    # The flaky case: its failed attempt, open, with all it left; then the passing last one.
    detail = listed[FLAKY].one("div", "detail")
    facts = dict(zip(map(words, detail.find("dt")), map(words, detail.find("dd"))))
    assert facts["attempts"] == "2 (flaky: passed on attempt 2)", facts
    (failed,) = detail.find("details", "attempt")
    assert "open" in failed.attrs, "a failed attempt shows open"
    summary = words(failed.one("summary"))
    assert summary.startswith("Attempt 1 of 2 — failed in run · "), summary
    blocks = [block.text for block in failed.find("pre")]
    assert any('assert times >= 2, f"attempt {times} fails"' in block for block in blocks), blocks
    assert any(block.startswith("assert 1 >= 2") for block in blocks), blocks
    assert f"flaky out 1 {PWN}\n" in blocks and "flaky err 1\n" in blocks, blocks
    assert any("flaky log 1" in block for block in blocks), blocks
    assert [words(h) for h in failed.find("h3")] == [
        "Stages",
        "Exception in run",
        "Captured stdout",
        "Captured stderr",
        "Captured log",
    ]
    last = detail.one("div", "last")
    head = words(last.one("p", "head"))
    assert head.startswith("Attempt 2 of 2 — passed · ") and head.endswith("(the case's result)"), (
        head
    )
    assert f"flaky out 2 {PWN}\n" in [block.text for block in last.find("pre")]
    assert not last.find("p", "exc"), "the last attempt passed"

    # The case that failed every attempt: three, each with its exception and output.
    detail = listed[BROKEN].one("div", "detail")
    facts = dict(zip(map(words, detail.find("dt")), map(words, detail.find("dd"))))
    assert facts["attempts"] == "3, every one failed", facts
    heads = [words(s) for s in detail.find("summary")] + [words(detail.one("p", "head"))]
    assert [h.split(" · ")[0] for h in heads] == [
        "Attempt 1 of 3 — failed in run",
        "Attempt 2 of 3 — failed in run",
        "Attempt 3 of 3 — failed in run",
    ], heads
    exceptions = [words(p) for p in detail.find("p", "exc")]
    assert exceptions == ["ValueError: broken 1", "ValueError: broken 2", "ValueError: broken 3"], (
        exceptions
    )
    outputs = [block.text for block in detail.find("pre") if block.text.startswith("broken out")]
    assert outputs == ["broken out 1\n", "broken out 2\n", "broken out 3\n"], outputs


@test(
    "in Chromium the flaky filter shows the flaky cases, with an outcome's filter both", timeout=240
)
def flaky_filter_in_a_browser(retried: Report) -> None:
    flaky = browse(retried.path, o="flaky")
    assert list(rows(flaky)) == [FLAKY], list(rows(flaky))
    pressed = [
        words(c) for c in flaky.find("button", "chip") if c.attrs.get("aria-pressed") == "true"
    ]
    assert pressed == ["1 flaky"], pressed
    assert words(flaky.one("div", "status")) == "1 of 3 cases match"
    both = browse(retried.path, o="failed,flaky")
    assert sorted(rows(both)) == [BROKEN, FLAKY], list(rows(both))


@test("a run without retries has no flaky chip, filter, note or attempts")
def no_retries_no_flaky() -> None:
    plain = CASES.replace("@test(retries=2)", "@test")
    report = report_of({"test/test_retried.py": plain})
    assert report.ran.code == 1 and report.ran.counts == (1, 2, 0), report.ran
    page = report.page
    assert headline(page) == "1 passed, 2 failed, 0 skipped", headline(page)
    assert chips(page) == {"passed": "1 passed", "failed": "2 failed"}, chips(page)
    assert not page.find("button", "flaky") and not page.find("span", "note")
    assert not page.find("div", "attempt") and "flaky" not in words(page.one("dl", "facts"))
    assert not [case for case in report.cases.values() if "attempts" in case]
    listed = browse(report.path, open=[BROKEN])
    assert not listed.find("span", "note") and not listed.find("details", "attempt")
    assert not listed.find("div", "last") and "attempts" not in words(listed.one("div", "detail"))


# --- in-process: hostile text, absurd times, the plain table's order -----------------------------

START = 1_700_000_000.0
IMG = "<img src=x onerror=alert(1)>"
CLOSE = "</script><script>alert(1)</script>"


def _result(
    name: str, outcome: Outcome, attempts: tuple[Attempt, ...] = (), **fields: Any
) -> CaseResult:
    return CaseResult(
        id=f"m::{name}",
        module="m",
        name=name,
        outcome=outcome,
        duration=0.01,
        start=START + 1,
        stages=(StageResult(Stage.RUN, outcome is Outcome.PASSED, 0.004),),
        attempts=attempts,
        **fields,
    )


def _attempt(text: str, duration: float = 0.003, start: float = START + 1) -> Attempt:
    boom = ExceptionInfo(f"Evil{IMG}", CLOSE, f"Traceback {CLOSE}\n", explanation=IMG)
    return Attempt(
        Outcome.FAILED,
        text,
        duration,
        (StageResult(Stage.RUN, False, duration, boom),),
        stdout=text,
        stderr=CLOSE,
        log=IMG,
        start=start,
    )


def _page(results: RunResult) -> tuple[str, Element, dict[str, dict[str, Any]]]:
    path = temporary("tt-html-flaky-") / "report.html"
    write(results, path)
    parser, text = read_html(path)
    return text, tree(text), {str(c["id"]): c for c in report_data(parser)["cases"]}


@test("text from an attempt is escaped in the page and comes back exactly from the data")
def attempts_escaped() -> None:
    hostile = f"{IMG}{CLOSE}"
    results = RunResult(
        cases=(
            _result("a", Outcome.PASSED, (_attempt(hostile),)),
            _result("b", Outcome.FAILED, (_attempt(hostile),) * 2),
        ),
        start=START,
        duration=1.0,
    )
    text, page, cases = _page(results)
    assert not page.find("img") and text.count("<script") == 2, "attempt text made a tag"
    (attempt,) = cases["m::a"]["attempts"]
    assert attempt["stdout"] == hostile and attempt["stderr"] == CLOSE and attempt["log"] == IMG, (
        attempt
    )
    assert attempt["stages"][0][3] == {
        "type": f"Evil{IMG}",
        "message": CLOSE,
        "traceback": f"Traceback {CLOSE}\n",
        "explanation": IMG,
    }, attempt
    lines = [words(line) for line in plain_rows(page)["m::b"].find("div", "attempt")]
    assert len(lines) == 2 and all(line.endswith(f": {hostile}") for line in lines), lines


@test("an attempt's NaN or infinite time is shown as 0, the rest of the report kept")
def attempts_with_absurd_times() -> None:
    results = RunResult(
        cases=(
            _result(
                "a",
                Outcome.PASSED,
                (_attempt("x", duration=math.nan), _attempt("y", start=math.inf)),
            ),
        ),
        start=START,
        duration=1.0,
    )
    _, _, cases = _page(results)
    first, second = cases["m::a"]["attempts"]
    assert first["us"] == 0 and first["stages"][0][2] == 0 and second["us"] == 3000, (first, second)
    assert "start_ms" not in second and first["message"] == "x"


@test("without JavaScript the flaky come first among the passed, within the table's limit")
def plain_table_lists_the_flaky_first() -> None:
    passed = [_result(f"passes_{i}", Outcome.PASSED) for i in range(5)]
    flaky = _result("flaky", Outcome.PASSED, (_attempt("first time"),))
    saved = view.NOSCRIPT_OTHERS
    view.NOSCRIPT_OTHERS = 2
    try:
        _, page, _ = _page(RunResult(cases=(*passed, flaky), start=START, duration=1.0))
    finally:
        view.NOSCRIPT_OTHERS = saved
    assert list(plain_rows(page)) == ["m::flaky", "m::passes_0"], list(plain_rows(page))


@test(
    "the page's own text is Latin-1: one wider character would make every page a wider, slower string"
)
def own_text_is_latin1() -> None:
    for name in (TEMPLATE, "report.js", "report.css"):
        (template_dir() / name).read_text(encoding="utf-8").encode("latin-1")


# --- the compiled template's cache ---------------------------------------------------------------

COMPILE = """
import sys
from pathlib import Path
from thinking_tests.reports.html import _template
template = _template(Path(sys.argv[1]))
print(template.render(title=sys.argv[2]))
print(template.root_render_func.__code__.co_filename)
"""


@test(
    "the compiled template's cache keeps an entry per copy of a template, and compiled code names its own copy"
)
def one_cache_file_for_every_copy() -> None:
    cache = temporary("tt-jinja-one-")
    copies = []
    for label in ("first", "second"):
        folder = temporary(f"tt-templates-{label}-")
        (folder / TEMPLATE).write_text("<title>{{ title }}</title>\n", encoding="utf-8")
        copies.append(folder)

    def render(folder: Path) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", COMPILE, str(folder), "<x>"],
            env={**env(), "XDG_CACHE_HOME": str(cache)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        page, filename = done.stdout.rsplit("\n", 2)[:2]
        return page, filename

    folder = cache / "thinking-tests" / "jinja2"
    compiled: dict[str, bytes] = {}
    for round_ in range(2):  # compiled, then loaded from the cache
        for number, copy in enumerate(copies):
            page, filename = render(copy)
            assert page == "<title>&lt;x&gt;</title>", page
            # The code names the file it came from, never another copy's: tracebacks and
            # coverage's omit of the runner's own files go by it.
            assert Path(filename).resolve() == (copy / TEMPLATE).resolve(), (filename, copy)
            entries = sorted(folder.iterdir())
            assert len(entries) == (2 if round_ else number + 1), f"one file a copy: {entries}"
            assert all(e.name.startswith(f"{TEMPLATE}-jinja2-") for e in entries), entries
            if round_:  # a warm entry is loaded, not compiled again: the files stay as they are
                assert {e.name: e.read_bytes() for e in entries} == compiled
        compiled = {e.name: e.read_bytes() for e in folder.iterdir()}
    shutil.rmtree(folder)
    assert render(copies[0])[0] == "<title>&lt;x&gt;</title>" and len(list(folder.iterdir())) == 1

if __name__ == "__main__":
    run_current_module()
