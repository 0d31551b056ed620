"""The HTML report: written to disk, parsed back, and opened in a real headless browser."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from test.reports._e2e_helpers import VOID
from test.reports._e2e_helpers import dump_dom as browser_dom
from thinking_tests import run_current_module, test
from thinking_tests.model import (
    Attempt,
    CaseResult,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
    StageResult,
)
from thinking_tests.reports import html
from thinking_tests.reports.html import facts, template_dir, view, write
from thinking_tests.reports.html.view import format_duration

REPO_ROOT = Path(__file__).resolve().parents[2]
START = 1_700_000_000.0
SCRIPTS_IN_TEMPLATE = 2  # the JSON data block and the page's own script

IMG = "<img src=x onerror=alert(1)>"
CLOSE = "</script><script>alert(1)</script>"
# Changes the title if it ever runs, which the browser test can see.
PWN = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"

TRACEBACK = (
    'Traceback (most recent call last):\n  File "test/test_ops.py", line 3, in divides\n'
    "    assert 1 / 0\nZeroDivisionError: division by zero\n"
)


def case(
    name: str,
    outcome: Outcome = Outcome.PASSED,
    module: str = "test.test_sample",
    *,
    exception: ExceptionInfo | None = None,
    **fields: object,
) -> CaseResult:
    stages = (
        StageResult(Stage.SETUP, True, 0.0001),
        StageResult(Stage.RUN, exception is None, 0.002, exception),
        StageResult(Stage.TEARDOWN, True, 0.0001),
    )
    values: dict[str, object] = {"duration": 0.0025, "start": START + 1, "stages": stages}
    values.update(fields)
    return CaseResult(id=f"{module}::{name}", module=module, name=name, outcome=outcome, **values)  # type: ignore[arg-type]


def run(*cases: CaseResult, **fields: object) -> RunResult:
    values: dict[str, object] = {
        "start": START,
        "duration": 12.5,
        "backend": "unittest",
        "command": ("python", "-m", "test.run_all"),
    }
    values.update(fields)
    return RunResult(cases=tuple(cases), **values)  # type: ignore[arg-type]


def mixed() -> RunResult:
    """One case of every outcome, with output, parameters, tags and an exception."""
    boom = ExceptionInfo("ZeroDivisionError", "division by zero", TRACEBACK, "left: 1\nright: 0")
    return run(
        case("adds", tags=("fast",), file="test/test_sample.py", line=4),
        case(
            "divides",
            Outcome.FAILED,
            exception=boom,
            stdout="dividing\n",
            stderr="careful\n",
            log="INFO calc: divide(1, 0)\n",
            message="ZeroDivisionError: division by zero",
        ),
        case("connects", Outcome.ERROR, exception=ExceptionInfo("OSError", "refused", TRACEBACK)),
        case("trains", Outcome.SKIPPED, message="no GPU here", tags=("slow", "gpu"), stages=()),
        case("known_bug", Outcome.XFAILED, message="bug 12"),
        case("fixed_bug", Outcome.XPASSED, message="bug 13 passed"),
        case("adds_params[0]", params=(("a", "1"), ("b", "2")), description="one plus two"),
    )


def hostile() -> RunResult:
    """Markup and script-closing text in every field a test can influence."""
    exception = ExceptionInfo(f"Evil{IMG}", CLOSE, PWN, explanation=IMG)
    return run(
        case(
            IMG,
            Outcome.FAILED,
            module="test.<b>evil</b>",
            exception=exception,
            message=CLOSE,
            tags=(IMG, "fast"),
            params=((IMG, CLOSE),),
            stdout=PWN,
            stderr=CLOSE,
            log=PWN,
            description=IMG,
            file=IMG,
        ),
        case("plain", Outcome.PASSED),
        command=("python", "-m", "test.run_all", "-k", CLOSE),
    )


class Page(HTMLParser):
    """Checks nesting as it parses, and keeps what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.titles: list[str] = []
        self.captions: list[str] = []
        self.pres: list[str] = []
        self.counts: dict[str, str] = {}  # data-outcome -> text of that summary figure
        self.text: list[str] = []  # every text node outside script and style
        self.rows: list[str] = []  # class of each case row the script built
        self.noscript_rows: list[str] = []
        self._captures: list[tuple[str, dict[str, str | None], int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        if tag == "div" and "case" in classes:
            self.rows.append(" ".join(classes))
        if tag == "tr" and "noscript" in self.stack and classes:
            self.noscript_rows.append(" ".join(classes))
        wanted = tag in ("script", "style", "pre", "title", "caption")
        if wanted or ("data-outcome" in attributes and tag != "button"):
            self._captures.append((tag, attributes, len(self.stack), []))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if self._captures and self._captures[-1][2] == len(self.stack):
            name, attributes, _, parts = self._captures.pop()
            text = "".join(parts)
            if name == "script":
                self.scripts.append((attributes, text))
            elif name == "style":
                self.styles.append(text)
            elif name == "pre":
                self.pres.append(text)
            elif name == "title":
                self.titles.append(text)
            elif name == "caption":
                self.captions.append(text)
            else:
                self.counts[attributes.get("data-outcome") or ""] = text

    def handle_data(self, data: str) -> None:
        for capture in self._captures:
            capture[3].append(data)
        if not self.stack or self.stack[-1] not in ("script", "style"):
            self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def render(results: RunResult, **options: int) -> tuple[str, Page]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.html"
        write(results, path, **options)
        text = path.read_bytes().decode("utf-8")
    return text, parse(text)


def data_of(page: Page) -> dict[str, object]:
    blocks = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    assert len(blocks) == 1, f"expected one JSON block, found {len(blocks)}"
    # The page reads the block's text as it is (script text has no entities) and JSON.parse-s it.
    loaded = json.loads(blocks[0])
    assert isinstance(loaded, dict)
    return loaded


def cases_of(page: Page) -> list[dict[str, object]]:
    cases = data_of(page)["cases"]
    assert isinstance(cases, list)
    return cases


@test
def writes_a_well_formed_page() -> None:
    text, page = render(mixed())
    assert text.startswith("<!DOCTYPE html>")
    assert not page.problems, page.problems
    assert page.stack == [], f"left open: {page.stack}"
    assert len(page.scripts) == SCRIPTS_IN_TEMPLATE
    assert any(tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in page.tags)


@test("the Content-Security-Policy allows exactly the page's own script and style")
def allows_only_its_own_script_and_style() -> None:
    _, page = render(mixed())
    policies = [
        attrs.get("content") or ""
        for tag, attrs in page.tags
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(policies) == 1
    policy = policies[0]
    assert "default-src 'none'" in policy
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    code = [text for attrs, text in page.scripts if "type" not in attrs]
    assert len(code) == 1 and code[0].strip()
    assert f"script-src 'sha256-{digest(code[0])}'" in policy
    assert len(page.styles) == 1 and f"style-src 'sha256-{digest(page.styles[0])}'" in policy


@test
def escapes_hostile_text() -> None:
    text, page = render(hostile())
    assert not page.problems, page.problems
    assert len(page.scripts) == SCRIPTS_IN_TEMPLATE, "text from a case opened a <script>"
    assert not [tag for tag, _ in page.tags if tag in ("img", "b")], "text from a case made a tag"
    handlers = [name for _, attrs in page.tags for name in attrs if name.startswith("on")]
    assert not handlers, f"event handler attributes: {handlers}"
    for raw in (IMG, CLOSE, PWN):
        assert raw not in text
    # Shown as text where the page renders it on the server: the no-script table, the command.
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    shown = "".join(page.text)
    assert IMG in shown and CLOSE in shown


@test("the JSON data block gives back every field exactly, hostile text included")
def embeds_cases_as_json() -> None:
    results = hostile()
    _, page = render(results)
    data = data_of(page)
    assert data["start"] == START
    evil = cases_of(page)[0]
    original = results.cases[0]
    assert evil["id"] == original.id and evil["outcome"] == "failed"
    assert evil["message"] == CLOSE and evil["description"] == IMG
    assert evil["tags"] == [IMG, "fast"] and evil["params"] == [[IMG, CLOSE]]
    assert evil["stdout"] == PWN and evil["stderr"] == CLOSE and evil["log"] == PWN
    assert evil["us"] == 2500 and evil["start_ms"] == 1000
    stages = evil["stages"]
    assert isinstance(stages, list) and [s[0] for s in stages] == ["setup", "run", "teardown"]
    assert stages[1][:3] == ["run", False, 2000]
    assert stages[1][3] == {
        "type": f"Evil{IMG}",
        "message": CLOSE,
        "traceback": PWN,
        "explanation": IMG,
    }
    plain = cases_of(page)[1]
    assert set(plain) == {"id", "outcome", "us", "start_ms", "stages"}, "empty fields left out"


@test
def shows_the_counts() -> None:
    results = mixed()
    text, page = render(results)
    counts = results.counts()
    assert (counts.passed, counts.failed, counts.skipped) == (3, 2, 2)
    assert counts.summary_line() in text
    for outcome, number in (
        ("passed", 3),
        ("failed", 2),
        ("skipped", 2),
        ("error", 1),
        ("xfailed", 1),
        ("xpassed", 1),
    ):
        assert re.search(rf"\b{number}\b", page.counts[outcome]), (outcome, page.counts[outcome])
    # A chart segment per outcome that occurred, and the duration and start are shown.
    segments = [attrs.get("class") or "" for tag, attrs in page.tags if tag == "rect"]
    assert sorted(segments) == sorted(
        f"seg-{o}" for o in ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
    )
    assert format_duration(12.5) in text
    assert any(tag == "time" for tag, _ in page.tags)


@test("failures come first in the plain table shown with JavaScript off")
def lists_failures_first_without_javascript() -> None:
    _, page = render(mixed())
    assert page.noscript_rows == [
        "o-error", "o-failed", "o-xpassed", "o-xfailed", "o-skipped", "o-passed", "o-passed"
    ]
    assert page.captions == ["7 cases, failures first."], "all listed: nothing more to say"
    assert TRACEBACK.strip() in [p.strip() for p in page.pres], "a failure's traceback is there"
    shown = "".join(page.text)
    assert "test.test_sample::divides" in shown and "division by zero" in shown
    assert format_duration(0.0025) in shown


@contextmanager
def capped(failures: int, others: int) -> Iterator[None]:
    """The plain table's caps set to `failures` and `others` for the block."""
    saved = view.NOSCRIPT_FAILURES, view.NOSCRIPT_OTHERS
    view.NOSCRIPT_FAILURES, view.NOSCRIPT_OTHERS = failures, others
    try:
        yield
    finally:
        view.NOSCRIPT_FAILURES, view.NOSCRIPT_OTHERS = saved


@test("without JavaScript: every failure, error and xpass is listed, only the first other cases")
def caps_passing_rows_without_javascript() -> None:
    results = run(
        *(case(f"passes_{i}") for i in range(6)),
        case("skips", Outcome.SKIPPED, stages=()),
        case("fails", Outcome.FAILED, exception=ExceptionInfo("AssertionError", "no", TRACEBACK)),
        case("xpasses", Outcome.XPASSED),
        case("errs", Outcome.ERROR, exception=ExceptionInfo("OSError", "refused", TRACEBACK)),
    )
    with capped(failures=5000, others=2):
        _, page = render(results)
    assert page.noscript_rows == ["o-error", "o-failed", "o-xpassed", "o-skipped", "o-passed"]
    assert page.captions == [
        "10 cases, failures first. Listed here: all 3 failed, erroring or unexpectedly passing "
        "cases and the first 2 of the 7 others; with JavaScript on, the page lists all 10."
    ]
    shown = "".join(page.text)
    assert "test.test_sample::passes_0" in shown and "test.test_sample::passes_1" not in shown
    assert len(cases_of(page)) == 10, "the data holds every case"

    with capped(failures=2, others=1):
        _, page = render(results)
    assert page.noscript_rows == ["o-error", "o-failed", "o-skipped"]
    assert page.captions == [
        "10 cases, failures first. Listed here: the first 2 of the 3 failed, erroring or "
        "unexpectedly passing cases and the first of the 7 others; with JavaScript on, "
        "the page lists all 10."
    ]

    with capped(failures=2, others=3):
        _, page = render(run(*(case(f"passes_{i}") for i in range(5))))
    assert page.noscript_rows == ["o-passed"] * 3
    assert page.captions == [
        "5 cases, failures first. Listed here: the first 3 of the 5 cases; "
        "with JavaScript on, the page lists all 5."
    ]


@test
def references_nothing_outside_the_file() -> None:
    text, page = render(hostile())
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "xlink:href", "poster", "srcset", "data"):
            value = (attrs.get(name) or "").strip().lower()
            if value:
                assert value.startswith(("data:", "#")), f"<{tag} {name}={value!r}>"
    assert not any(tag == "link" and attrs.get("rel") == "stylesheet" for tag, attrs in page.tags)
    for style in page.styles:
        assert "@import" not in style and "url(" not in style
    for _, script in page.scripts:
        assert not re.search(r"\b(fetch|XMLHttpRequest|import\s*\(|eval|innerHTML)\b", script)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", text, re.IGNORECASE)


@test
def truncates_long_text() -> None:
    long = "head-" + "x" * 100_000 + "-tail"
    results = run(case("chatty", Outcome.FAILED, stdout=long, log=long, message="short"))
    _, page = render(results, max_output=1000)
    chatty = cases_of(page)[0]
    for name in ("stdout", "log"):
        kept = chatty[name]
        assert isinstance(kept, str)
        assert kept.startswith("head-") and kept.endswith("-tail") and "[truncated" in kept
        assert len(kept) < 1100
    assert chatty["message"] == "short"


@test("control characters, terminal colours and invalid Unicode leave a valid UTF-8 page")
def survives_control_characters() -> None:
    dirty = "a\x00b\x07c\x1b[31mred\x1b[0m\x7f\x85\ud800\udcffend\r\n\tok"
    text, page = render(run(case(f"dirty{dirty}", Outcome.FAILED, stdout=dirty, message=dirty)))
    assert not page.problems
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text)
    stdout = cases_of(page)[0]["stdout"]
    assert isinstance(stdout, str)
    assert "\x1b" not in stdout and "red" in stdout and stdout.endswith("end\r\n\tok")


@test("a time that is NaN, infinite or too large for microseconds is shown as 0, the rest kept")
def survives_absurd_times() -> None:
    bad_stage = (StageResult(Stage.RUN, True, float("nan")),)
    results = run(
        case("huge", duration=1e305, start=1e305),
        case("bad_stage", stages=bad_stage),
        case("fine", duration=0.5),
        start=float("inf"),
    )
    _, page = render(results)
    assert not page.problems
    huge, bad, fine = cases_of(page)
    assert huge["us"] == 0 and "start_ms" not in huge
    assert bad["stages"] == [["run", True, 0]]
    assert fine["us"] == 500_000 and fine["start_ms"] == 1000 + round(START * 1000)
    assert data_of(page)["start"] == 0
    block = next(text for attrs, text in page.scripts if attrs.get("type") == "application/json")
    assert not re.search(r"\b(nan|inf|NaN|Infinity)\b", block), "JSON.parse refuses these"


@test
def writes_atomically() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "nested" / "report.html"
        path.parent.mkdir()
        path.write_text("old report")
        write(mixed(), path)
        assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        assert os.listdir(path.parent) == ["report.html"], "no temporary file left behind"
        fresh = Path(directory) / "made" / "by" / "write.html"
        write(mixed(), fresh)
        assert fresh.is_file()


@test
def describes_the_environment() -> None:
    saved = facts.PACKAGES
    facts.PACKAGES = (*saved, "no-such-package-for-thinking-tests")
    try:
        text, page = render(
            run(case("adds"), backend="pytest", command=("thinking-tests", "test", "-k", "a b"))
        )
    finally:
        facts.PACKAGES = saved
    shown = "".join(page.text)
    assert f"{sys.version_info.major}.{sys.version_info.minor}." in shown
    import thinking_tests

    assert "thinking-tests" in shown and thinking_tests.__version__ in shown
    assert "no-such-package-for-thinking-tests" not in shown
    assert "thinking-tests test -k 'a b'" in shown and "pytest" in shown


@test("20,000 cases: under 15 MB, every case in the data, the plain table capped")
def stays_small_for_20000_cases() -> None:
    boom = ExceptionInfo("AssertionError", "assert 1 == 2", TRACEBACK)
    results = run(
        *(
            case(
                f"case_{i}[{i % 7}]",
                Outcome.FAILED if i % 10 == 0 else Outcome.PASSED,
                module=f"test.pkg{i % 20}.test_mod{i % 50}",
                exception=boom if i % 10 == 0 else None,
                message="assert 1 == 2" if i % 10 == 0 else "",
                tags=("fast",) if i % 3 else (),
                params=(("n", str(i % 7)),),
                file=f"test/pkg{i % 20}/test_mod{i % 50}.py",
                line=i,
                start=START + i / 100,
            )
            for i in range(20_000)
        )
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.html"
        write(results, path)
        size = path.stat().st_size
        page = parse(path.read_text(encoding="utf-8"))
    # Speed is measured by hand (about 0.1 s for these cases), not asserted: a busy CI
    # machine would make such a bound flaky.
    assert size < 15 * 1024 * 1024, f"{size / 1e6:.1f} MB"
    assert len(cases_of(page)) == 20_000
    # Every failure, then the first of the passing cases.
    assert page.noscript_rows == ["o-failed"] * 2000 + ["o-passed"] * view.NOSCRIPT_OTHERS
    assert len(page.pres) == view.NOSCRIPT_TRACEBACKS
    assert page.captions == [
        f"20000 cases, failures first. Listed here: all 2000 failed, erroring or unexpectedly "
        f"passing cases and the first {view.NOSCRIPT_OTHERS} of the 18000 others; with "
        "JavaScript on, the page lists all 20000."
    ]


# A text with markup, a closing script tag, a control character and a lone surrogate.
SLOT = "\"'<b id=x>&amp;</script><!--${title} $$x\x01\ud800é日"
SHOWN = "\"'<b id=x>&amp;</script><!--${title} $$x\ufffd\ufffdé日"  # as the reader sees it


# Markup, a script-closing tag, a comment opener, quotes for either attribute style, an
# entity, template syntax and non-ASCII text.
TEXT = "\"'<b id=x>&amp;</script><!--{{ title }}{% if x %} $$x\ufffdé日"


def model_of(results: RunResult, path: Path) -> dict[str, object]:
    """The view model the report of `results` at `path` is rendered from."""
    style, script, csp = html._statics(template_dir())
    return view.page(results, path, 1024 * 1024, style=style, script=script, csp=csp)


def every_text(value: object, text: str) -> object:
    """`value` with every string in it, but markup, replaced by `text`."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return text
    if isinstance(value, dict):
        return {key: every_text(item, text) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(every_text(item, text) for item in value))
    if isinstance(value, (tuple, list)):
        return type(value)(every_text(item, text) for item in value)
    return value


def every_branch() -> RunResult:
    """A run that takes every branch of the template: banners, coverage, tags, tracebacks."""
    from dataclasses import replace

    from thinking_tests.model import CoverageSummary

    coverage = CoverageSummary(percent=50.0, html_index="/elsewhere/htmlcov/index.html")
    base = mixed()
    failed = base.cases[1]
    attempt = Attempt(
        Outcome.FAILED, failed.message, 0.002, failed.stages, stdout="first\n", start=START + 1
    )
    # A flaky case and one that failed every attempt: the chip, the notes, the attempt lines.
    retried = (
        replace(base.cases[0], attempts=(attempt,)),
        replace(failed, attempts=(attempt, attempt)),
        *base.cases[2:],
    )
    return replace(base, cases=retried, interrupted=True, notes=("a note",), coverage=coverage)


def attribute_names(page: Page) -> list[tuple[str, list[str]]]:
    return [(tag, sorted(attrs)) for tag, attrs in page.tags]


@test("a text in any field of the view model is escaped: it reads back as itself and makes no tag")
def escapes_every_text() -> None:
    path = Path("/reports/report.html")
    model = model_of(every_branch(), path)
    template = html._template(template_dir())
    page_text = template.render(every_text(model, TEXT))
    page = parse(page_text)
    plain = parse(template.render(every_text(model, "x")))
    assert not page.problems, page.problems
    assert [tag for tag, _ in page.tags] == [tag for tag, _ in plain.tags], "a text made a tag"
    assert attribute_names(page) == attribute_names(plain), "a text made an attribute"
    assert "<b id" not in page_text and "<!--{" not in page_text and "</script><" not in page_text
    # Each attribute holding a text gives it back whole, quotes and all.
    filled = [value for _, attrs in page.tags for value in attrs.values() if value and "id=x" in value]
    assert len(filled) >= 10 and all(TEXT in value for value in filled), filled
    # So does each element's text (script and style are raw text: no entity in them is read).
    assert "".join(page.text).count(TEXT) >= 20


@test("the view model is plain values: no HTML built in Python but the page's style, script and data")
def builds_a_plain_view_model() -> None:
    from markupsafe import Markup

    model = model_of(every_branch(), Path("/reports/report.html"))
    markup = sorted(key for key, value in model.items() if isinstance(value, Markup))
    assert markup == ["data", "script", "style"], markup

    def texts(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from texts(item)
        elif isinstance(value, (tuple, list)):
            for item in value:
                yield from texts(item)
        else:
            assert value is None or isinstance(value, (int, float)) or hasattr(value, "summary_line"), value

    shown = [text for key, value in model.items() if key not in markup for text in texts(value)]
    assert shown and not [text for text in shown if "<" in text or "&" in text], shown


@test("the report is written with hostile text in every field, escaped")
def writes_hostile_text_everywhere() -> None:
    script = f"""
import sys
from pathlib import Path
from thinking_tests.model import CaseResult, CoverageSummary, Outcome, RunResult
from thinking_tests.reports.html import write
SLOT = {SLOT!r}
path = Path(sys.argv[1])
sys.executable = "/usr/bin/python" + SLOT
cases = (
    CaseResult(id="m::" + SLOT, module="m", name=SLOT, outcome=Outcome.FAILED, duration=0.5,
               message=SLOT, tags=(SLOT, "fast"), stdout=SLOT),
    CaseResult(id="m::b", module="m", name="b", outcome=Outcome.PASSED, duration=0.5,
               tags=(SLOT,)),
)
index = path.parent / SLOT.replace("/", "|") / "index.html"
coverage = CoverageSummary(percent=50.0, html_index=str(index))
write(
    RunResult(cases=cases, start={START!r}, duration=1.0, interrupted=True, backend=SLOT,
              command=("python", SLOT), coverage=coverage),
    path,
)
"""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.html"
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        text = path.read_bytes().decode("utf-8")
    page = parse(text)
    assert not page.problems and page.stack == [], page.problems
    assert len(page.scripts) == SCRIPTS_IN_TEMPLATE
    assert not [tag for tag, _ in page.tags if tag == "b"], "text from the run made a tag"
    attributes = [value for _, attrs in page.tags for value in attrs.values() if value]
    assert attributes.count(SHOWN) == 1, "the tag filter's option"
    assert SHOWN.replace("/", "|") + "/index.html" in attributes, "the coverage link"
    texts = [text for text in page.text if text.strip()]
    for label in ("Backend", "Executable"):
        assert SHOWN in texts[texts.index(label) + 1], label
    shown = "".join(page.text)
    assert f"{SHOWN} (2)" in shown, "the tag filter"
    assert f"m::{SHOWN}" in shown, "the plain table"
    assert "The run was interrupted" in shown and "50.0%" in shown
    assert cases_of(page)[0]["stdout"] == SLOT, "the data gives the text back exactly"


@test
def finds_its_templates() -> None:
    folder = template_dir()
    assert folder == REPO_ROOT / "templates" or folder.parent.name == "thinking_tests"
    for name in (html.TEMPLATE, html.SCRIPT, html.STYLE):
        assert (folder / name).is_file(), name


@test
def formats_durations() -> None:
    assert format_duration(0.00042) == "420 µs"
    assert format_duration(0.0123) == "12 ms"
    assert format_duration(1.234) == "1.23 s"
    assert format_duration(125) == "2 min 05 s"
    assert format_duration(3725) == "1 h 02 min"


def dump_dom(path: Path, **state: str | list[str]) -> Page:
    """The page's DOM after its script ran, opened with the view state `state` in the hash."""
    return parse(browser_dom(path, **state))


@test("in a real browser the script builds the rows, filters by the hash and runs no case text")
def renders_in_a_browser() -> None:
    many = [case(f"case_{i}", Outcome.FAILED if i % 4 == 0 else Outcome.PASSED) for i in range(300)]
    results = run(*hostile().cases, *mixed().cases, *many)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.html"
        write(results, path)
        everything = dump_dom(path)
        evil = results.cases[0].id
        failed = dump_dom(path, o="failed", open=[evil, "test.test_sample::divides"])

    def ready(page: Page) -> str | None:
        return next((attrs.get("data-ready") for tag, attrs in page.tags if tag == "html"), None)

    assert ready(everything) == str(len(results.cases)), "the script did not finish"
    assert len(everything.rows) == 200, "the first page of rows"
    assert everything.rows[0] == "case o-error"
    assert not [tag for tag, _ in everything.tags if tag == "img"]

    assert ready(failed) == str(len(results.cases))
    assert failed.rows and all("o-failed" in row for row in failed.rows)
    assert len(failed.rows) == 1 + 1 + 75, "the hostile case, divides, and every fourth case"
    assert not [tag for tag, _ in failed.tags if tag == "img"]
    assert failed.titles[0].startswith("Tests failed:"), "no case text ran and set the title"
    pres = "\n".join(failed.pres)
    assert PWN in pres, "the opened hostile case shows its output as text"
    assert "dividing" in pres and TRACEBACK.strip() in pres


if __name__ == "__main__":
    run_current_module()
