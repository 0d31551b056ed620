"""The HTML report: one self-contained file that opens offline and reads with JavaScript off.

How the page is built, and why:

- The summary, the chart, the environment and a plain table of cases (failures first) are
  rendered by the template, so the report reads with JavaScript off. That table sits inside
  `<noscript>`: with JavaScript on the browser keeps it as unparsed text, so it costs bytes
  but no DOM. It is capped at `NOSCRIPT_ROWS` rows, and the first `NOSCRIPT_TRACEBACKS`
  failures carry their traceback in a native `<details>`.
- Every case goes into one `<script type="application/json">` block (through `|tojson`,
  which escapes `<`, `>`, `&` and `'`, so no text can close the block). The script builds
  the interactive list from it a page at a time, and a case's details (traceback, output,
  logs, parameters) only when it is expanded, always through `textContent`.
- Rendering 20,000 rows through a template loop would double the file and the write time
  for a list the script replaces anyway; building plain dicts and one `json.dumps` is fast.
- The Content-Security-Policy allows exactly the page's own inline script and style, by
  hash: even text that slipped past escaping could not run.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import os
import re
import shlex
import sys
from collections import Counter
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from thinking_tests.model import CaseResult, Counts, ExceptionInfo, Outcome, RunResult
from thinking_tests.reports._files import truncate, write_atomic

if TYPE_CHECKING:
    import jinja2
    import markupsafe

TEMPLATE = "report.html.j2"
SCRIPT = "report.js"
STYLE = "report.css"

NOSCRIPT_ROWS = 5000  # the plain table shown with JavaScript off; the JSON holds every case
NOSCRIPT_TRACEBACKS = 100  # failures whose traceback the plain table carries
NOSCRIPT_TEXT = 20_000  # characters of each such traceback
MESSAGE_LINE = 300  # characters of a message in the plain table

PACKAGES: tuple[str, ...] = ("thinking-tests", "pytest", "coverage", "jinja2")

# Worst first: the order of the default sort and of the plain table.
SEVERITY: dict[Outcome, int] = {
    Outcome.ERROR: 0,
    Outcome.FAILED: 1,
    Outcome.XPASSED: 2,
    Outcome.XFAILED: 3,
    Outcome.SKIPPED: 4,
    Outcome.PASSED: 5,
}

_FAILING = (Outcome.FAILED, Outcome.ERROR)

Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"

# Terminal colour and title sequences mean nothing in a browser; drop them from long texts.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Control characters are HTML parse errors and lone surrogates cannot be encoded as UTF-8;
# JSON escapes C0 itself, so one pass over the finished page catches what is left.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Row(NamedTuple):
    """One line of the plain (no JavaScript) table."""

    id: str
    outcome: str
    duration: str
    message: str
    traceback: str


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
    # Building tens of thousands of small dicts and lists would set off repeated collections
    # of the whole heap (which holds the run's results); nothing built here is cyclic.
    results = _finite(results)
    collecting = gc.isenabled()
    gc.disable()
    try:
        directory = template_dir()
        environment = _jinja(directory)
        script = _static(directory / SCRIPT)
        style = _static(directory / STYLE)
        counts = results.counts()
        status = _status(results, counts)
        outcomes = _outcome_counts(results)
        page = environment.get_template(TEMPLATE).render(
            title=f"Tests {status}: {counts.summary_line()}",
            status=status,
            counts=counts,
            summary_line=counts.summary_line(),
            outcomes=outcomes,
            segments=_segments(outcomes),
            duration=format_duration(results.duration),
            started=_format_start(results.start),
            started_iso=_iso(results.start),
            interrupted=results.interrupted,
            tags=_tags(results),
            rows=_rows(results, max_output),
            total=len(results.cases),
            environment=_environment_info(results),
            data=_data(results, max_output),
            script=_markup(script),
            style=_markup(style),
            csp=_csp(script, style),
            icon=_icon(status),
            coverage=_coverage(results, path),
        )
        encoded = _UNSAFE.sub("\ufffd", page).encode("utf-8")
    finally:
        if collecting:
            gc.enable()
    write_atomic(path, encoded)


def _coverage(results: RunResult, path: Path) -> dict[str, str] | None:
    """The coverage total, and a link to its HTML report relative to this page."""
    summary = results.coverage
    if summary is None:
        return None
    href = ""
    if summary.html_index:
        href = Path(os.path.relpath(summary.html_index, path.parent)).as_posix()
    return {"percent": f"{summary.percent:.1f}%", "href": href}


def _finite(results: RunResult) -> RunResult:
    """Times that are NaN or infinite (a hand-edited or hostile journal) shown as 0."""
    import math
    from dataclasses import replace

    def ok(value: float) -> bool:
        return math.isfinite(value)

    if ok(results.start) and ok(results.duration) and all(
        ok(c.duration) and ok(c.start) and all(ok(s.duration) for s in c.stages)
        for c in results.cases
    ):
        return results

    def fix(value: float) -> float:
        return value if ok(value) else 0.0

    cases = tuple(
        replace(
            c,
            duration=fix(c.duration),
            start=fix(c.start),
            stages=tuple(replace(s, duration=fix(s.duration)) for s in c.stages),
        )
        for c in results.cases
    )
    return replace(results, cases=cases, start=fix(results.start), duration=fix(results.duration))


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


@lru_cache(maxsize=4)
def _jinja(directory: Path) -> jinja2.Environment:
    # Imported here, not at the top: most runs never write HTML and start-up time matters.
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        bytecode_cache=_bytecode_cache(jinja2),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Compact JSON; non-ASCII kept as is (smaller), `_UNSAFE` cleans what HTML cannot hold.
    environment.policies["json.dumps_kwargs"] = {
        "ensure_ascii": False,
        "separators": (",", ":"),
        "sort_keys": False,
    }
    return environment


def _bytecode_cache(jinja2: Any) -> Any:
    """Compiled templates kept in the user's cache folder: compiling costs each run ~20 ms."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "thinking-tests", "templates")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return None  # no writable cache: compile every time
    return jinja2.FileSystemBytecodeCache(directory)


def _static(path: Path) -> str:
    # The CSP hash is of the element's text as the browser parses it: newlines normalised.
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def _markup(text: str) -> markupsafe.Markup:
    import markupsafe  # comes with jinja2

    return markupsafe.Markup(text)


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _csp(script: str, style: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src {_hash(script)}; "
        f"style-src {_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _icon(status: str) -> str:
    colour = {"passed": "#1a7f37", "failed": "#d1242f"}.get(status, "#9a6700")
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
        f"<circle cx='8' cy='8' r='7' fill='{colour}'/></svg>"
    )
    # Base64 keeps the SVG namespace URL out of the page's attributes.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("ascii")).decode("ascii")


def _status(results: RunResult, counts: Counts) -> str:
    if results.interrupted:
        return "interrupted"
    if counts.failed:
        return "failed"
    if not counts.total:
        return "empty"
    return "passed"


def _outcome_counts(results: RunResult) -> list[tuple[str, int]]:
    """Each outcome that occurred, worst first, with its count."""
    tally = Counter(case.outcome._value_ for case in results.cases)
    ordered = sorted(Outcome, key=SEVERITY.__getitem__)
    return [(outcome.value, tally[outcome.value]) for outcome in ordered if tally[outcome.value]]


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


def _format_start(start: float) -> str:
    if not start:
        return "unknown"
    return datetime.fromtimestamp(start).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _iso(start: float) -> str:
    return datetime.fromtimestamp(start).astimezone().isoformat(timespec="seconds") if start else ""


def _long(text: str, limit: int) -> str:
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return text if len(text) <= limit else truncate(text, limit)


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= MESSAGE_LINE else line[: MESSAGE_LINE - 1] + "…"


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


def _rows(results: RunResult, limit: int) -> list[Row]:
    ordered = sorted(results.cases, key=lambda case: SEVERITY[case.outcome])[:NOSCRIPT_ROWS]
    rows: list[Row] = []
    tracebacks = 0
    for case in ordered:
        traceback = ""
        if case.outcome in _FAILING and tracebacks < NOSCRIPT_TRACEBACKS:
            exception = case.exception
            if exception is not None and exception.traceback:
                traceback = _long(exception.traceback, min(limit, NOSCRIPT_TEXT))
                tracebacks += 1
        rows.append(
            Row(
                id=truncate(case.id, limit),
                outcome=case.outcome.value,
                duration=format_duration(case.duration) if case.duration else "",
                message=_first_line(_message(case)),
                traceback=traceback,
            )
        )
    return rows


def _exception(info: ExceptionInfo, limit: int) -> dict[str, Json]:
    record: dict[str, Json] = {"type": info.type_name, "message": _long(info.message, limit)}
    if info.traceback:
        record["traceback"] = _long(info.traceback, limit)
    if info.explanation:
        record["explanation"] = _long(info.explanation, limit)
    return record


def _case(case: CaseResult, run_start: float, limit: int) -> dict[str, Json]:
    """One case for the page's script.

    Durations are whole microseconds and the start is milliseconds after the run's start,
    and empty fields are left out: 20,000 cases stay small and quick to encode and parse.
    """
    record: dict[str, Json] = {
        "id": case.id if len(case.id) <= limit else truncate(case.id, limit),
        "outcome": case.outcome._value_,  # _value_: a plain attribute, .value a slow descriptor
        "us": int(case.duration * 1e6 + 0.5),
    }
    if case.tags:
        record["tags"] = list(case.tags)
    if case.description:
        record["description"] = _long(case.description, limit)
    if case.file:
        record["file"] = case.file
        if case.line:
            record["line"] = case.line
    if case.start:
        record["start_ms"] = int((case.start - run_start) * 1000 + 0.5)
    if case.params:
        record["params"] = [[name, _long(value, limit)] for name, value in case.params]
    message = case.message
    if case.stages:
        stages: list[Json] = []
        for stage in case.stages:
            entry: list[Json] = [stage.stage._value_, stage.ok, int(stage.duration * 1e6 + 0.5)]
            exception = stage.exception
            if exception is not None:
                entry.append(_exception(exception, limit))
                if not message:  # the list shows the first exception when there is no message
                    message = exception.type_name
                    if exception.message:
                        message += ": " + exception.message
            stages.append(entry)
        record["stages"] = stages
    if message:
        record["message"] = _long(message, limit)
    if case.stdout:
        record["stdout"] = _long(case.stdout, limit)
    if case.stderr:
        record["stderr"] = _long(case.stderr, limit)
    if case.log:
        record["log"] = _long(case.log, limit)
    return record


def _data(results: RunResult, limit: int) -> dict[str, Json]:
    start = results.start
    return {
        "version": 1,
        "start": start,
        "cases": [_case(case, start, limit) for case in results.cases],
    }


# Modules whose __version__ answers without importlib.metadata, which costs a run ~10 ms.
_VERSION_MODULES = {"thinking-tests": "thinking_tests", "pytest": "pytest", "coverage": "coverage", "jinja2": "jinja2"}


def _package_version(name: str) -> str | None:
    """The version of a package this run loaded; None for one it did not (say, pytest under
    the unittest engine), which the environment section then leaves out."""
    module = sys.modules.get(_VERSION_MODULES.get(name, ""))
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None


def _environment_info(results: RunResult) -> list[tuple[str, str]]:
    """What a reader needs to reproduce the run; packages that are not installed are left out."""
    import platform

    uname = platform.uname()  # cached; platform.platform() would read the libc binary
    rows = [
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Platform", f"{uname.system} {uname.release} ({uname.machine})"),
    ]
    for name in PACKAGES:
        version = _package_version(name)
        if version is not None:
            rows.append((name, version))
    if results.command:
        rows.append(("Command", shlex.join(results.command)))
    rows.append(("Backend", results.backend))
    rows.append(("Executable", sys.executable))
    return rows
