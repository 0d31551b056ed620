"""The JSON report in the Common Test Report Format (CTRF, https://ctrf.io), spec 0.0.0.

GitHub's CTRF summary actions and other dashboards read it. CTRF knows five statuses;
each outcome maps to the one the run's summary line counts it as, so the report's counts
are the summary line's, and the exact outcome is kept in `rawStatus` and `extra.outcome`:

    passed -> passed     failed -> failed     error -> failed
    skipped -> skipped   xfailed -> skipped   xpassed -> passed

A case run again after failing (`retries`) has `retries` (its attempts after the first),
`flaky` (whether it passed in the end) and `retryAttempts` (each failed attempt with its
status, message, trace and output), and the summary counts the flaky cases.

Times are whole milliseconds (since the epoch for `start`/`stop`); stdout and stderr are
lists of lines; messages, traces and output are cut to `max_output` characters each. The
document is written by `json.dumps` in one pass (its C encoder: no indent). Control
characters are JSON escapes, given back exactly; lone surrogates, which UTF-8 cannot
encode, become a visible `#xD800`, as in the other reports.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from thinking_tests.journal import hostname
from thinking_tests.model import Attempt, CaseResult, Outcome, RunResult
from thinking_tests.reports._files import truncate, write_atomic

# Bound at import: reports are written after the cases ran, and a case may mock these.
_gmtime = time.gmtime
_urandom = os.urandom

__all__ = ["write", "SPEC_VERSION"]

SPEC_VERSION = "0.0.0"
_TOOL = "thinking-tests"

_STATUS = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.ERROR: "failed",
    Outcome.SKIPPED: "skipped",
    Outcome.XFAILED: "skipped",
    Outcome.XPASSED: "passed",
}
_SURROGATE = re.compile("[\ud800-\udfff]")


def write(results: RunResult, path: Path, *, max_output: int = 1024 * 1024) -> None:
    """Write the CTRF JSON report of `results` to `path`, atomically, as UTF-8."""
    write_atomic(Path(path), _encoded(document(results, max_output)))


def document(results: RunResult, max_output: int = 1024 * 1024) -> str:
    """The report as JSON text (before lone surrogates are made visible, see `_encoded`)."""
    quoted: dict[tuple[str, str], str] = {}
    tests = ",".join([_test(case, max_output, quoted) for case in results.cases])
    head = _dumps(_report(results))
    # The tests go into the empty list `_report` leaves for them.
    at = head.index(_TESTS_SLOT) + len(_TESTS_SLOT) - 1
    return f"{head[:at]}{tests}{head[at:]}\n"


def _encoded(text: str) -> bytes:
    """`text` as UTF-8. A lone surrogate can only be in a string value (JSON escapes
    nothing else), so replacing it in the whole text replaces it where it was printed."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda match: f"#x{ord(match[0]):04X}", text).encode("utf-8")


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_quote = encode_basestring  # a str as a JSON string, quotes included (json's C function)
_TESTS_SLOT = '"tests":[]'


def _report(results: RunResult) -> dict[str, Any]:
    """Everything but the tests, which `document` writes into the empty list."""
    start = _ms(results.start)
    counts = results.counts()
    summary: dict[str, Any] = {
        "tests": len(results.cases),
        "passed": counts.passed,
        "failed": counts.failed,
        "skipped": counts.skipped,
        "pending": 0,
        "other": 0,
        "suites": len({case.module for case in results.cases}),
        "start": start,
        "stop": start + _ms(results.duration),
        "duration": _ms(results.duration),
        "extra": {"errors": counts.errors, "xfailed": counts.xfailed, "xpassed": counts.xpassed},
    }
    if counts.flaky:
        summary["flaky"] = counts.flaky
    extra: dict[str, Any] = {"interrupted": results.interrupted, "engine": results.backend}
    if results.selection.partial:
        extra["selection"] = results.selection.describe()
    if results.notes:
        extra["notes"] = list(results.notes)
    if results.coverage is not None:
        extra["coverage"] = {"percent": results.coverage.percent}
    comparison = getattr(results, "comparison", None)  # compare.ComparedRun: what changed
    if comparison is not None:
        from thinking_tests.compare import as_json

        extra["comparison"] = as_json(comparison)
    return {
        "reportFormat": "CTRF",
        "specVersion": SPEC_VERSION,
        "reportId": _uuid4(),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", _gmtime()),
        "generatedBy": _TOOL,
        "results": {
            "tool": {"name": _TOOL, "version": _version()},
            "summary": summary,
            "tests": [],
            "environment": _environment(results),
            "extra": extra,
        },
    }


# Per outcome value: the members every test has that depend on the outcome alone. Looked up
# by the enum's `_value_`: hashing an Enum member runs Python code, a str's does not, and
# this is done for every case.
_FIXED = {o.value: f'"status":"{_STATUS[o]}","rawStatus":"{o.value}"' for o in Outcome}
_EXTRA = {o.value: f',"extra":{{"outcome":"{o.value}"' for o in Outcome}
# Braces and quotes are not f-string friendly. threadId: the worker of a parallel run.
_START, _STOP, _LINE, _THREAD = '"start":', '"stop":', '"line":', '"threadId":'
_FOREVER = 1e15  # seconds: past this a time is not one (see `_ms`)


def _test(case: CaseResult, limit: int, quoted: dict[tuple[str, str], str]) -> str:
    """One test as JSON text. The members every test has are formatted here; the rest,
    present only when a case did not pass, printed or was tagged, go through json.dumps.
    `quoted` keeps the suite and file members of modules and files already written."""
    value = case.outcome._value_
    identifier = _quote(case.id or case.name or "<unnamed>")
    seconds = case.duration
    duration = int(seconds * 1000.0 + 0.5) if 0.0 < seconds < _FOREVER else 0  # `_ms`, inline: per case
    seconds = case.start
    start = int(seconds * 1000.0 + 0.5) if 0.0 < seconds < _FOREVER else 0
    key = (case.module, case.file)
    where = quoted.get(key)
    if where is None:
        where = quoted[key] = _where(*key)
    text = (
        f'{{"name":{identifier},{_FIXED[value]},"duration":{duration},"testId":{identifier}'
        f'{f",{_START}{start},{_STOP}{start + duration}" if start else ""}{where}'
        f'{f",{_LINE}{case.line}" if case.line > 0 else ""}'
        f'{f",{_THREAD}{_quote(case.worker)}" if case.worker else ""}'
    )
    if value == "passed" and not (
        case.tags or case.params or case.message or case.stdout or case.stderr or case.log or case.description
        or case.attempts
    ):
        return text + _EXTRA[value] + "}}"  # most cases of most runs: nothing more to say
    parts = [text]
    more: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if case.tags:
        more["tags"] = list(case.tags)
    if case.params:
        more["parameters"] = dict(case.params)
    if case.message:
        more["message"] = truncate(case.message, limit)
    info = case.exception
    if info is not None:
        trace = info.traceback
        if info.explanation:
            trace = f"{trace.rstrip()}\n{info.explanation}" if trace else info.explanation
        if trace:
            more["trace"] = truncate(trace, limit)
        extra["exception"] = info.type_name
    stage = case.failed_stage
    if stage is not None:
        extra["stage"] = stage.value
    if case.stdout:
        more["stdout"] = _lines(case.stdout, limit)
    if case.stderr:
        more["stderr"] = _lines(case.stderr, limit)
    if case.attempts:
        more["retries"] = len(case.attempts)
        more["flaky"] = case.flaky
        more["retryAttempts"] = [_attempt(a, n, limit) for n, a in enumerate(case.attempts, 1)]
    if case.description:
        extra["description"] = case.description
    if case.log:
        extra["log"] = _lines(case.log, limit)
    if more:
        parts.append("," + _dumps(more)[1:-1])
    parts.append(_EXTRA[value])
    if extra:
        parts.append("," + _dumps(extra)[1:-1])
    parts.append("}}")
    return "".join(parts)


def _attempt(attempt: Attempt, number: int, limit: int) -> dict[str, Any]:
    """A failed attempt before a case's last one, as CTRF's `retryAttempts` holds it."""
    info = attempt.exception
    shown: dict[str, Any] = {
        "attempt": number,
        "status": _STATUS[attempt.outcome],
        "duration": _ms(attempt.duration),
    }
    if attempt.message:
        shown["message"] = truncate(attempt.message, limit)
    if info is not None:
        trace = info.traceback
        if info.explanation:
            trace = f"{trace.rstrip()}\n{info.explanation}" if trace else info.explanation
        if trace:
            shown["trace"] = truncate(trace, limit)
    if attempt.stdout:
        shown["stdout"] = _lines(attempt.stdout, limit)
    if attempt.stderr:
        shown["stderr"] = _lines(attempt.stderr, limit)
    start = _ms(attempt.start)
    if start:
        shown["start"], shown["stop"] = start, start + shown["duration"]
    extra: dict[str, Any] = {"outcome": attempt.outcome.value}
    if info is not None:
        extra["exception"] = info.type_name
    if attempt.log:
        extra["log"] = _lines(attempt.log, limit)
    shown["extra"] = extra
    return shown


def _where(module: str, file: str) -> str:
    """The suite and filePath members of a test (each left out when unknown)."""
    suite = ',"suite":' + _dumps(module.split(".")) if module else ""
    return suite + (',"filePath":' + _quote(file) if file else "")


def _lines(text: str, limit: int) -> list[str]:
    """Output as CTRF wants it: a list of lines, without their line breaks."""
    return truncate(text, limit).removesuffix("\n").split("\n")


def _ms(seconds: float) -> int:
    """Whole milliseconds; NaN, infinite and negative times are 0."""
    if 0.0 < seconds < _FOREVER:
        return int(seconds * 1000.0 + 0.5)
    return 0


def _uuid4() -> str:
    """A random UUID (version 4), without importing uuid."""
    raw = bytearray(_urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _version() -> str:
    version = getattr(sys.modules.get("thinking_tests"), "__version__", "")
    return version if isinstance(version, str) else ""


def _environment(results: RunResult) -> dict[str, Any]:
    environment: dict[str, Any] = {"osPlatform": sys.platform}
    uname = getattr(os, "uname", None)
    if uname is not None:
        environment["osRelease"] = uname().release
    extra: dict[str, Any] = {"python": sys.version.split()[0], "hostname": hostname() or "localhost"}
    if results.command:
        extra["command"] = list(results.command)
    environment["extra"] = extra
    return environment
