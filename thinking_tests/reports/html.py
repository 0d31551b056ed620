"""The HTML report: one self-contained file that opens offline and reads with JavaScript off.

- The page is `templates/report.html`, plain HTML with a `$name` slot for each value; the
  few loops and conditionals (chips, tag options, chart segments, environment rows, banners)
  are small functions here. Every value is escaped as it fills its slot (`_html`: control
  characters and lone surrogates made visible, then `& < > " '` escaped); only a `_Safe`
  fragment built here from escaped texts goes in as it is, and a slot left empty raises.
- The summary, chart, environment and a table of cases (failures first, within limits its
  caption states) are in the page itself, the table inside `<noscript>`, so the report reads
  without JavaScript at no DOM cost with it.
- Every case is in one `<script type="application/json">` block, formatted by hand through
  `json`'s ASCII encoder with `< > & '` escaped, so no text can close the block; the script
  builds the list from it a page at a time and a case's details only when opened, always
  through `textContent`.
- The Content-Security-Policy allows only the page's own inline script and style, by hash.

Writing it is part of every run, so it makes one pass over the cases; `python -m bench`
times it (report-writing figures in the README's Speed section).
"""

from __future__ import annotations

import gc
import math
import os
import re
import sys
import time
from collections import Counter
from functools import lru_cache
from itertools import chain, compress, islice, repeat
from json.encoder import encode_basestring_ascii as _quote
from operator import attrgetter, eq
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from thinking_tests.model import (
    CaseResult,
    Counts,
    ExceptionInfo,
    Outcome,
    RunResult,
    Stage,
)
from thinking_tests.reports._files import truncate, write_atomic

# Bound at import: a case may leave time's or os's functions mocked, and the report is
# written after every case ran.
_localtime = time.localtime
_strftime = time.strftime
_uname = getattr(os, "uname", None)

if TYPE_CHECKING:
    from string import Template

TEMPLATE = "report.html"
SCRIPT = "report.js"
STYLE = "report.css"

NOSCRIPT_FAILURES = 5000  # failed, erroring and xpassed cases in the plain table, at most
NOSCRIPT_OTHERS = 500  # xfailed, skipped and passed cases after them; the JSON holds every case
NOSCRIPT_TRACEBACKS = 100  # failures whose traceback the plain table carries
NOSCRIPT_TEXT = 20_000  # characters of each such traceback
MESSAGE_LINE = 300  # characters of a message in the plain table

PACKAGES: tuple[str, ...] = ("thinking-tests", "pytest", "coverage")

# Worst first: the order of the default sort and of the plain table.
SEVERITY: dict[Outcome, int] = {
    Outcome.ERROR: 0,
    Outcome.FAILED: 1,
    Outcome.XPASSED: 2,
    Outcome.XFAILED: 3,
    Outcome.SKIPPED: 4,
    Outcome.PASSED: 5,
}
_ORDER = [outcome._value_ for outcome in sorted(Outcome, key=SEVERITY.__getitem__)]
# What a reader without JavaScript is shown in full: the outcomes that need a look.
_ATTENTION = frozenset({Outcome.ERROR._value_, Outcome.FAILED._value_, Outcome.XPASSED._value_})
_FAILING = frozenset({Outcome.FAILED._value_, Outcome.ERROR._value_})
# The summary line's three counts (DESIGN.md) and the outcomes each is made of, its own outcome
# first: the headline and the outcome chips show each count broken down the same way.
_BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (
        bucket,
        tuple(
            outcome._value_
            for outcome in sorted(Outcome, key=lambda o: (o._value_ != bucket, SEVERITY[o]))
            if outcome.counts_as == bucket
        ),
    )
    for bucket in ("passed", "failed", "skipped")
)

_OUTCOME = attrgetter("outcome._value_")  # _value_: a plain attribute, .value a slow descriptor
_DURATION = attrgetter("duration")
_START = attrgetter("start")
_STAGES = attrgetter("stages")

# Terminal colour and title sequences mean nothing in a browser; drop them from long texts.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Control characters are HTML parse errors and lone surrogates cannot be encoded as UTF-8.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Segment(NamedTuple):
    """One outcome's share of the summary chart, in percent of the bar."""

    outcome: str
    cases: int
    x: float
    width: float


def template_dir() -> Path:
    """The folder of the report templates.

    Installed from a wheel, the templates sit inside the package (`thinking_tests/templates`);
    in a source checkout or an editable install, in the repository's top-level `templates/`.
    """
    package = Path(__file__).resolve().parent.parent
    candidates = (package / "templates", package.parent / "templates")
    for candidate in candidates:
        if (candidate / TEMPLATE).is_file():
            return candidate
    tried = " nor ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(f"the HTML report template {TEMPLATE} is in neither {tried}")


def write(results: RunResult, path: Path, *, max_output: int = 1024 * 1024) -> None:
    """Write the HTML report of `results` to `path`, atomically, as UTF-8.

    Every text of a case (output, logs, traceback, message) is cut to about `max_output`
    characters, keeping its head and tail.
    """
    # Building tens of thousands of small strings would set off repeated collections of the
    # whole heap (which holds the run's results); nothing built here is cyclic.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            page = _page(results, path, max_output)
        except (ValueError, OverflowError):
            # A NaN, infinite or absurd time (a hand-edited or hostile journal) fails the
            # conversion to whole microseconds. Looking for one up front would cost every run
            # a pass over all cases and stages; a run without one re-raises.
            finite = _finite(results)
            if finite is results:
                raise
            page = _page(finite, path, max_output)
        encoded = page.encode("utf-8")
    finally:
        if collecting:
            gc.enable()
    write_atomic(path, encoded)


def _page(results: RunResult, path: Path, limit: int) -> str:
    if not (_usable(results.start) and _usable(results.duration)):
        raise ValueError("the run's start or duration is not a usable time")
    directory = template_dir()
    script = _static(directory / SCRIPT)
    style = _static(directory / STYLE)
    outcomes = list(map(_OUTCOME, results.cases))
    tally = Counter(outcomes)
    counts = _counts(tally)
    status = _status(results, counts)
    summary_line = counts.summary_line()
    duration = format_duration(results.duration)
    present = [(outcome, tally[outcome]) for outcome in _ORDER if tally[outcome]]
    breakdown = _breakdown(tally)
    version = _own_version()
    generator = f"thinking-tests {version}" if version else "thinking-tests"
    tags = _tags(results)
    listed = _listed(results.cases, outcomes, tally)
    return _fill(
        _template(directory),
        csp=_csp(script, style),
        title=f"Tests {status}{' (partial run)' if results.selection.partial else ''}: {summary_line}",
        icon=_icon(status),
        style=_Safe(style),
        status=status,
        summary_line=summary_line,
        headline=_headline(breakdown),
        generator=generator,
        duration=duration,
        total=len(outcomes),
        chips=_chips(breakdown),
        tag_hidden=_Safe("" if tags else " hidden"),
        tag_options=_tag_options(tags),
        banner=_banner(results),
        passed=counts.passed,
        failed=counts.failed,
        skipped=counts.skipped,
        segments=_chart(_segments(present)),
        errors=counts.errors,
        xfailed=counts.xfailed,
        xpassed=counts.xpassed,
        coverage=_coverage(results, path),
        started=_started(results.start),
        caption=_caption(len(outcomes), tally, listed),
        rows=_Safe(_rows(listed, limit)),
        environment=_environment(_environment_info(results)),
        data=_Safe(_data(results, limit)),
        script=_Safe(script),
    )


# --- the page's template and what fills it -----------------------------------------------------


class _Safe(str):
    """HTML this module built, every text in it escaped and cleaned: it fills its slot as it
    is. Any other value is text, and `_html` escapes it."""

    __slots__ = ()


def _html(value: object) -> str:
    """A value as HTML text, in an element or a quoted attribute: control characters and lone
    surrogates replaced, then `&`, `<`, `>`, `"` and `'` escaped as markupsafe does (`&#34;`,
    `&#39;`). A `_Safe` fragment is left alone."""
    if isinstance(value, _Safe):
        return value
    text = _UNSAFE.sub("\ufffd", value if type(value) is str else str(value))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


@lru_cache(maxsize=4)
def _template(directory: Path) -> Template:
    """The page with a `$name` or `${name}` slot for every value; no logic. Newlines are
    normalised, and the file's final newline left out: the page ends with `</html>`."""
    from string import Template  # logging, which a run imports, has imported it already

    text = (directory / TEMPLATE).read_text(encoding="utf-8").replace("\r\n", "\n")
    return Template(text.removesuffix("\n"))


def _fill(template: Template, **values: object) -> str:
    """The page: every slot of `template` filled, each value through `_html`. A slot without a
    value, or a value without a slot, is a mistake of this module, not of the run."""
    slots = set(template.get_identifiers())
    if slots != values.keys():
        missing, unused = sorted(slots - values.keys()), sorted(values.keys() - slots)
        raise KeyError(
            f"{TEMPLATE}: slots without a value {missing}, values without a slot {unused}"
        )
    return template.substitute({name: _html(value) for name, value in values.items()})


class Bucket(NamedTuple):
    """One of the summary line's three counts and the outcomes that made it, those that
    occurred, in `_BUCKETS` order."""

    name: str  # passed, failed or skipped
    cases: int
    parts: tuple[tuple[str, int], ...]

    @property
    def mixed(self) -> bool:
        """Whether the count holds another outcome than its own (an error, an xpass, an
        xfail), which the headline and the chips then name."""
        return any(outcome != self.name for outcome, _ in self.parts)


def _breakdown(tally: Counter[str]) -> list[Bucket]:
    """The three counts of the summary line, each with its outcomes."""
    buckets: list[Bucket] = []
    for name, outcomes in _BUCKETS:
        parts = tuple((outcome, tally[outcome]) for outcome in outcomes if tally[outcome])
        buckets.append(Bucket(name, sum(count for _, count in parts), parts))
    return buckets


def _noun(outcome: str, count: int) -> str:
    """The word for `count` cases of `outcome`, as the headline and the chips say it."""
    return "errors" if outcome == "error" and count != 1 else outcome


def _headline(breakdown: list[Bucket]) -> _Safe:
    """The summary line's three counts, each followed by its parts when it holds more than
    its own outcome: `2 passed (1 passed, 1 xpassed), 6 failed (4 failed, 2 errors), ...`."""
    items: list[str] = []
    for bucket in breakdown:
        item = f'<span class="count o-{bucket.name}">{bucket.cases:d} {bucket.name}'
        if bucket.mixed:
            parts = ", ".join(f"{n:d} {_noun(outcome, n)}" for outcome, n in bucket.parts)
            item += f' <span class="parts">({parts})</span>'
        items.append(item + "</span>")
    return _Safe(", ".join(items))


def _chip(outcomes: str, count: int, word: str, classes: str) -> str:
    return (
        f'<button type="button" class="chip {classes}" data-outcome="{outcomes}" '
        f'aria-pressed="false"><span class="n">{count:d}</span> {word}</button>'
    )


def _chips(breakdown: list[Bucket]) -> _Safe:
    """The outcome filters, grouped as the headline counts them: a count made of its own
    outcome only is one chip; a mixed one is a group, a chip for the whole count (filtering
    all its outcomes) followed by a chip per outcome, with the headline's words."""
    chips: list[str] = []
    for bucket in breakdown:
        if not bucket.parts:
            continue
        if not bucket.mixed:
            chips.append(_chip(bucket.name, bucket.cases, bucket.name, f"o-{bucket.name}"))
            continue
        whole = ",".join(outcome for outcome, _ in bucket.parts)
        members = "".join(
            _chip(outcome, count, _noun(outcome, count), f"o-{outcome}")
            for outcome, count in bucket.parts
        )
        chips.append(
            f'<span class="group" role="group" aria-label="{bucket.cases:d} {bucket.name}">'
            f'{_chip(whole, bucket.cases, bucket.name, f"head o-{bucket.name}")}{members}</span>'
        )
    return _Safe("".join(f"\n      {chip}" for chip in chips))


def _tag_options(tags: list[tuple[str, int]]) -> _Safe:
    """An option of the tag filter for each tag, with the number of cases that carry it."""
    options: list[str] = []
    for tag, count in tags:
        text = _html(tag)
        options.append(f'\n        <option value="{text}">{text} ({count:d})</option>')
    return _Safe("".join(options))


def _banner(results: RunResult) -> _Safe:
    """Notices above the summary: an interrupted run, a partial selection, notes on the run."""
    lines: list[str] = []
    if results.interrupted:
        lines.append("The run was interrupted: the cases below are those that finished.")
    selection = results.selection
    if selection.partial:
        lines.append(f"Partial run: {selection.describe()}. Cases outside this selection did not run.")
    lines.extend(results.notes)
    return _Safe("".join(f'\n  <p class="banner">{_html(line)}</p>' for line in lines))


def _chart(segments: list[Segment]) -> _Safe:
    """The chart's rectangles; a grey one for a run without cases."""
    if not segments:
        return _Safe('\n      <rect class="seg-empty" x="0" y="0" width="100" height="4"></rect>')
    return _Safe(
        "".join(
            f'\n      <rect class="seg-{_html(s.outcome)}" x="{s.x!r}" y="0" width="{s.width!r}" '
            f'height="4"><title>{s.cases:d} {_html(s.outcome)}</title></rect>'
            for s in segments
        )
    )


def _coverage(results: RunResult, path: Path) -> _Safe:
    """The coverage total, linked to its HTML report (relative to this page) when there is one;
    nothing without coverage."""
    summary = results.coverage
    if summary is None:
        return _Safe("")
    percent = _html(f"{summary.percent:.1f}%")
    if summary.html_index:
        href = Path(os.path.relpath(summary.html_index, path.parent)).as_posix()
        percent = f'<a href="{_html(href)}">{percent}</a>'
    return _Safe(f"<div><dt>coverage</dt><dd>{percent}</dd></div>")


def _started(start: float) -> _Safe:
    """The run's start as `<time>`; "unknown" when there is none or it is beyond the calendar."""
    shown, iso = _start(start)
    if not iso:
        return _Safe(_html(shown))
    return _Safe(f'<time datetime="{_html(iso)}">{_html(shown)}</time>')


def _environment(rows: list[tuple[str, str]]) -> _Safe:
    """The environment section's rows, one name and value each."""
    return _Safe(
        "".join(
            f"\n      <div><dt>{_html(name)}</dt><dd>{_html(value)}</dd></div>"
            for name, value in rows
        )
    )


def _usable(seconds: float) -> bool:
    """Finite, and small enough (1.8e302 s at most) that its microseconds are finite too."""
    return math.isfinite(seconds * 1e6)


def _finite(results: RunResult) -> RunResult:
    """Times that are NaN, infinite or absurd (a hand-edited or hostile journal) shown as 0;
    `results` itself when every time is usable."""
    cases = results.cases
    stages = chain.from_iterable(map(_STAGES, cases))
    times = chain(
        (results.start, results.duration),
        map(_DURATION, cases),
        map(_START, cases),
        map(_DURATION, stages),
    )
    if all(map(_usable, times)):
        return results

    from dataclasses import replace

    def fix(value: float) -> float:
        return value if _usable(value) else 0.0

    fixed = tuple(
        replace(
            c,
            duration=fix(c.duration),
            start=fix(c.start),
            stages=tuple(replace(s, duration=fix(s.duration)) for s in c.stages),
        )
        for c in cases
    )
    return replace(results, cases=fixed, start=fix(results.start), duration=fix(results.duration))


def format_duration(seconds: float) -> str:
    """A duration as a person reads it: 850 µs, 12 ms, 1.25 s, 3 min 05 s, 1 h 02 min."""
    if seconds < 0.001:
        return f"{seconds * 1_000_000:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@lru_cache(maxsize=None)
def _static(path: Path) -> str:
    # The CSP hash is of the element's text as the browser parses it: newlines normalised.
    # Read once a process: a run writes its page twice (the unfinished-run stand-in, then
    # the real one).
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


@lru_cache(maxsize=8)
def _hash(text: str) -> str:
    import base64

    digest = _sha256()(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _sha256() -> Any:
    """SHA-256 from the interpreter's own module when there is one: hashlib first loads
    OpenSSL, which costs a run ~2 ms, for two short hashes."""
    for name in ("_sha256", "_sha2"):  # Python 3.11; 3.12 and later
        try:
            return getattr(__import__(name), "sha256")
        except (ImportError, AttributeError):
            continue
    import hashlib

    return hashlib.sha256


def _csp(script: str, style: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src {_hash(script)}; "
        f"style-src {_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _icon(status: str) -> str:
    import base64

    colour = {"passed": "#1a7f37", "failed": "#d1242f"}.get(status, "#9a6700")
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
        f"<circle cx='8' cy='8' r='7' fill='{colour}'/></svg>"
    )
    # Base64 keeps the SVG namespace URL out of the page's attributes.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("ascii")).decode("ascii")


def _counts(tally: Counter[str]) -> Counts:
    """What `RunResult.counts()` gives, from the outcomes tallied once for the whole page."""
    buckets: Counter[str] = Counter()
    for outcome in Outcome:
        buckets[outcome.counts_as] += tally[outcome._value_]
    return Counts(
        passed=buckets["passed"],
        failed=buckets["failed"],
        skipped=buckets["skipped"],
        errors=tally[Outcome.ERROR._value_],
        xfailed=tally[Outcome.XFAILED._value_],
        xpassed=tally[Outcome.XPASSED._value_],
    )


def _status(results: RunResult, counts: Counts) -> str:
    if results.interrupted:
        return "interrupted"
    if counts.failed:
        return "failed"
    if not counts.total:
        return "empty"
    return "passed"


def _segments(outcomes: list[tuple[str, int]]) -> list[Segment]:
    """The chart's bar: one segment per outcome, best first, so red sits at the end."""
    total = sum(count for _, count in outcomes)
    segments: list[Segment] = []
    x = 0.0
    for outcome, count in reversed(outcomes):
        width = 100.0 * count / total
        segments.append(Segment(outcome, count, round(x, 3), round(width, 3)))
        x += width
    return segments


def _tags(results: RunResult) -> list[tuple[str, int]]:
    tally: dict[str, int] = {}
    for case in results.cases:
        for tag in case.tags:
            tally[tag] = tally.get(tag, 0) + 1
    return sorted(tally.items())


def _start(start: float) -> tuple[str, str]:
    """The run's start in local time as a person reads it, and as ISO 8601 for `<time>`;
    ("unknown", "") when there is none or it is beyond the calendar."""
    if not start:
        return "unknown", ""
    try:
        local = _localtime(start)
    except (OverflowError, OSError, ValueError):
        return "unknown", ""
    shown = _strftime("%Y-%m-%d %H:%M:%S %Z", local).strip()
    minutes = round(local.tm_gmtoff / 60)
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return shown, _strftime("%Y-%m-%dT%H:%M:%S", local) + offset


def _long(text: str, limit: int) -> str:
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return text if len(text) <= limit else truncate(text, limit)


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= MESSAGE_LINE else line[: MESSAGE_LINE - 1] + "…"


def _explained(case: CaseResult, message: str) -> str:
    """The first line of a failure's assert explanation, `assert 3 == 4`: the values that
    differed, which a row shows under its message. "" without one, or when the message
    already ends with it (an assert of literals)."""
    exception = case.exception
    if exception is None or not exception.explanation:
        return ""
    line = _first_line(exception.explanation)
    return "" if message.rstrip().endswith(line) else line


def _message(case: CaseResult) -> str:
    """The one line a list shows: the case's message, else its first exception."""
    if case.message:
        return case.message
    exception = case.exception
    if exception is None:
        return ""
    if not exception.message:
        return exception.type_name
    return f"{exception.type_name}: {exception.message}"


# --- the plain table, shown with JavaScript off -------------------------------------------------


def _listed(
    cases: tuple[CaseResult, ...], outcomes: list[str], tally: Counter[str]
) -> list[CaseResult]:
    """The cases of the plain table, worst first and in run order within an outcome: every
    failure up to `NOSCRIPT_FAILURES`, then up to `NOSCRIPT_OTHERS` of the rest."""
    listed: list[CaseResult] = []
    others = 0
    for outcome in _ORDER:
        if not tally[outcome]:
            continue
        if outcome in _ATTENTION:
            room = NOSCRIPT_FAILURES - (len(listed) - others)
        else:
            room = NOSCRIPT_OTHERS - others
        if room <= 0:
            continue
        # C-level selection that stops at the cap: the first 500 of 20,000 passing cases cost
        # no more than 500.
        chosen = list(islice(compress(cases, map(eq, outcomes, repeat(outcome))), room))
        listed.extend(chosen)
        if outcome not in _ATTENTION:
            others += len(chosen)
    return listed


def _caption(total: int, tally: Counter[str], listed: list[CaseResult]) -> str:
    """What the plain table lists: all cases, or which of them and where to see the rest."""
    if len(listed) >= total:
        return f"{total} cases, failures first."
    failures = sum(tally[outcome] for outcome in _ATTENTION)
    shown = sum(1 for case in listed if case.outcome._value_ in _ATTENTION)
    parts = []
    if failures:
        noun = "failed, erroring or unexpectedly passing case" + ("" if failures == 1 else "s")
        if shown == failures:
            parts.append(f"{'the' if failures == 1 else 'all'} {failures} {noun}")
        else:
            parts.append(f"the first {shown} of the {failures} {noun}")
    others = total - failures
    if len(listed) > shown:
        first = "the first" if len(listed) - shown == 1 else f"the first {len(listed) - shown}"
        parts.append(f"{first} of the {others} {'others' if failures else 'cases'}")
    elif others:
        parts.append(f"none of the {others} others")
    return (
        f"{total} cases, failures first. Listed here: {' and '.join(parts)}; "
        f"with JavaScript on, the page lists all {total}."
    )


def _escape(text: str) -> str:
    """Text as the content of an element: `html.escape` without quotes, or its 1 ms import."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rows(listed: list[CaseResult], limit: int) -> str:
    """The plain table's rows as HTML: every text escaped, control characters replaced."""
    rows: list[str] = []
    tracebacks = 0
    text_limit = min(limit, NOSCRIPT_TEXT)
    for case in listed:
        outcome = case.outcome._value_
        ident = case.id
        if len(ident) > limit:
            ident = truncate(ident, limit)
        cell = f'<span class="id">{_escape(ident)}</span>'
        if outcome in _FAILING and tracebacks < NOSCRIPT_TRACEBACKS:
            exception = case.exception
            if exception is not None and exception.traceback:
                traceback = _escape(_long(exception.traceback, text_limit))
                cell = (
                    f"<details><summary>{cell}</summary>"
                    f'<pre class="code">{traceback}</pre></details>'
                )
                tracebacks += 1
        message = _first_line(_message(case))
        if message:
            cell += f'<div class="msg">{_escape(message)}</div>'
        if outcome in _FAILING:
            explained = _explained(case, message)
            if explained:
                cell += f'<div class="msg why">{_escape(explained)}</div>'
        duration = format_duration(case.duration) if case.duration else ""
        rows.append(
            f'          <tr class="o-{outcome}"><td><span class="badge">{outcome}</span></td>'
            f'<td>{cell}</td><td class="dur">{duration}</td></tr>'
        )
    return _UNSAFE.sub("\ufffd", "\n".join(rows))


# --- the data the page's script reads ------------------------------------------------------------


def _data(results: RunResult, limit: int) -> str:
    """Every case as the JSON text of the page's data block, formatted by hand (see above).

    Durations are whole microseconds and the start is milliseconds after the run's start,
    and empty fields are left out: 20,000 cases stay small and quick to encode and parse.
    """
    start = results.start
    files: dict[str, str] = {}  # each file's JSON text: a module's cases share one
    cases = ",".join([_case(case, start, limit, files) for case in results.cases])
    text = f'{{"version":1,"start":{float(start)!r},"cases":[{cases}]}}'
    # As jinja's `tojson`: no `</script>` or `<!--` can form inside the block. Each character
    # is looked for first: a search is far quicker than a replace that finds nothing.
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _case(case: CaseResult, run_start: float, limit: int, files: dict[str, str]) -> str:
    """One case as a JSON object; the keys in the order `json.dumps` of a dict gave them."""
    ident = case.id
    if len(ident) > limit:
        ident = truncate(ident, limit)
    text = (
        f'{{"id":{_quote(ident)},"outcome":"{case.outcome._value_}",'
        f'"us":{int(case.duration * 1e6 + 0.5)}'
    )
    if case.tags:
        text += ',"tags":[' + ",".join(map(_quote, case.tags)) + "]"
    if case.description:
        text += ',"description":' + _quote(_long(case.description, limit))
    if case.file:
        quoted = files.get(case.file)
        if quoted is None:
            quoted = files[case.file] = ',"file":' + _quote(case.file)
        text += quoted
        if case.line:
            text += f',"line":{int(case.line)}'
    if case.start:
        text += f',"start_ms":{int((case.start - run_start) * 1000 + 0.5)}'
    if case.params:
        pairs = [f"[{_quote(name)},{_quote(_long(value, limit))}]" for name, value in case.params]
        text += ',"params":[' + ",".join(pairs) + "]"
    message = case.message
    if case.stages:
        stages: list[str] = []
        for stage in case.stages:
            exception = stage.exception
            if exception is None and stage.ok:  # the common case, formatted in line
                seconds = stage.duration
                if seconds == 0.0:  # a stage with nothing to run
                    stages.append(_EMPTY_STAGES[stage.stage._value_])
                else:
                    stages.append(f"{_PASSED_STAGES[stage.stage._value_]}{int(seconds * 1e6 + 0.5)}]")
                continue
            entry = (
                f'["{stage.stage._value_}",{"true" if stage.ok else "false"},'
                f"{int(stage.duration * 1e6 + 0.5)}"
            )
            if exception is not None:
                entry += "," + _exception(exception, limit)
                if not message:  # the list shows the first exception when there is no message
                    message = exception.type_name
                    if exception.message:
                        message += ": " + exception.message
            stages.append(entry + "]")
        text += ',"stages":[' + ",".join(stages) + "]"
    if message:
        text += ',"message":' + _quote(_long(message, limit))
        if case.outcome._value_ in _FAILING:
            explained = _explained(case, message)
            if explained:
                text += ',"explained":' + _quote(explained)
    if case.stdout:
        text += ',"stdout":' + _quote(_long(case.stdout, limit))
    if case.stderr:
        text += ',"stderr":' + _quote(_long(case.stderr, limit))
    if case.log:
        text += ',"log":' + _quote(_long(case.log, limit))
    return text + "}"


_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))
_EMPTY_STAGES = {stage.value: f'["{stage.value}",true,0]' for stage in Stage}
_PASSED_STAGES = {stage.value: f'["{stage.value}",true,' for stage in Stage}


def _exception(info: ExceptionInfo, limit: int) -> str:
    text = f'{{"type":{_quote(info.type_name)},"message":{_quote(_long(info.message, limit))}'
    if info.traceback:
        text += ',"traceback":' + _quote(_long(info.traceback, limit))
    if info.explanation:
        text += ',"explanation":' + _quote(_long(info.explanation, limit))
    return text + "}"


# Modules whose __version__ answers without importlib.metadata, which costs a run ~10 ms.
_VERSION_MODULES = {"thinking-tests": "thinking_tests", "pytest": "pytest", "coverage": "coverage"}


def _package_version(name: str) -> str | None:
    """The version of a package this run loaded; None for one it did not (say, pytest under
    the unittest engine), which the environment section then leaves out."""
    if name == "thinking-tests":
        return _own_version() or None
    module = sys.modules.get(_VERSION_MODULES.get(name, ""))
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None


def _own_version() -> str:
    """This package's version, which the report names: its `__version__`, else the installed
    distribution's metadata; "" when neither knows it."""
    version = getattr(sys.modules.get("thinking_tests"), "__version__", None)
    if isinstance(version, str) and version:
        return version
    try:
        from importlib.metadata import version as installed

        return installed("thinking-tests")
    except (ImportError, OSError, ValueError):  # not installed (PackageNotFoundError is an
        # ImportError), or unreadable metadata: the report goes on without it
        return ""


def _environment_info(results: RunResult) -> list[tuple[str, str]]:
    """What a reader needs to reproduce the run; packages that are not installed are left out."""
    rows = list(_platform())
    for name in PACKAGES:
        version = _package_version(name)
        if version is not None:
            rows.append((name, version))
    if results.command:
        import shlex

        rows.append(("Command", shlex.join(results.command)))
    rows.append(("Backend", results.backend))
    if results.selection.targets:
        rows.append(("Targets", " ".join(results.selection.targets)))
    if results.selection.partial:
        rows.append(("Selection", results.selection.describe()))
    rows.append(("Executable", sys.executable))
    return rows


# platform.python_implementation()'s names; platform itself costs a report 1.5 ms to import.
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}


def _platform() -> tuple[tuple[str, str], tuple[str, str]]:
    """("Python", "CPython 3.12.1") and ("Platform", "Linux 6.1.0 (x86_64)")."""
    name = sys.implementation.name
    python = f"{_IMPLEMENTATIONS.get(name, name)} {sys.version.split(maxsplit=1)[0]}"
    if _uname is not None:
        system, _, release, _, machine = _uname()
    else:  # Windows
        import platform

        system, _, release, _, machine, _ = platform.uname()
    return ("Python", python), ("Platform", f"{system} {release} ({machine})")
