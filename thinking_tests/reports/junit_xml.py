"""The JUnit XML report: `testsuites > testsuite > testcase`, one testsuite per module.

The XML text is written directly, strings appended to one list and joined once: the shape
is fixed, and a tree of elements would cost an object per element and a second pass
(`python -m bench.junit_writers` compares it with junit-xml). The hostname comes from
`os.uname()` where there is one, without importing `socket`.

What the schema CI servers check requires (the Jenkins xunit schema, which pytest's
report also follows), and what is written to meet it:

- `testsuites` allows only `name`, `tests`, `failures`, `errors` and `time`; `testsuite`
  requires `name`, `tests`, `failures` and `errors` (the report adds `skipped`, `time`,
  `timestamp`, `hostname`); `testcase` requires `name` and allows only `classname`, `time`
  and `group`. Nothing else, so no `disabled`, `file` or `line`.
- `time` is a plain decimal with at most 3 decimals, never an exponent: written as `%.3f`
  of the duration, with NaN, infinite and negative durations shown as `0.000`.
- A `testcase` holds its `failure`, `error` or `skipped` (at most one here, with `type`
  and `message`), then `system-out`, then `system-err`.
- A case run again after failing (`retries`) keeps its failed attempts as Maven Surefire
  writes reruns, which Jenkins and GitLab read, in the order Surefire's schema wants them:
  a passed case has a `flakyFailure` or `flakyError` per failed attempt, a case that failed
  every attempt has its last attempt as the `failure` or `error` and each earlier one as a
  `rerunFailure` or `rerunError`. Each of these has `type` and `message`, then
  `stackTrace`, `system-out` and `system-err` elements of its own (the Jenkins schema's
  `rerunType`).
- Every character must be one XML 1.0 allows: each string is made safe *visibly*
  (`\\x1b` becomes `#x1B`, see `_xmltext.visible`) and then escaped exactly as ElementTree
  escapes it (`_xmltext.attribute`, `_xmltext.content`).

The layout is the one `ElementTree.indent(space="  ")` gives: a line per element, two
spaces per level, empty elements closed with ` />`, element content written as it is.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from thinking_tests.journal import hostname as journal_hostname
from thinking_tests.model import Attempt, CaseResult, Outcome, RunResult, Stage
from thinking_tests.reports._files import truncate, write_atomic
from thinking_tests.reports._xmltext import attribute, content, plain, visible

_gmtime = time.gmtime  # bound at import: a case may leave time's functions mocked

__all__ = ["write"]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_LOG_HEADER = "----- captured log -----\n"
_ROOT_NAME = "thinking-tests"
_INFINITY = math.inf

_PASSED = Outcome.PASSED
_FAILED = Outcome.FAILED
_ERROR = Outcome.ERROR
_SKIPPED = Outcome.SKIPPED
_XFAILED = Outcome.XFAILED
_XPASSED = Outcome.XPASSED


def write(results: RunResult, path: Path, *, max_output: int = 1024 * 1024) -> None:
    """Write the JUnit XML report of `results` to `path`, atomically, as UTF-8.

    Captured output, messages and tracebacks are each cut to `max_output` characters.
    """
    # Strict UTF-8 on purpose: `visible` removed every surrogate, so this cannot fail
    # silently the way an `xmlcharrefreplace` encoder would (it writes `&#55296;`).
    write_atomic(Path(path), _document(results, max_output).encode("utf-8"))


def _document(results: RunResult, limit: int) -> str:
    # Grouped by the name as written, so two modules that look the same once escaped
    # share one suite and (classname, name) stays unique. Dicts keep insertion order:
    # suites come in run order.
    by_classname: dict[str, list[CaseResult]] = {}
    by_module: dict[str, list[CaseResult]] = {}  # the same lists, found without escaping
    for case in results.cases:
        cases = by_module.get(case.module)
        if cases is None:
            cases = by_module[case.module] = by_classname.setdefault(visible(case.module), [])
        cases.append(case)

    parts = [_DECLARATION, ""]  # the root's start tag goes in parts[1] once counted
    failures = errors = 0
    if by_classname:
        hostname = attribute(journal_hostname() or "localhost")
        properties = _properties(results)
        for classname, cases in by_classname.items():
            # Digits, `-`, `:`, `T` and `+` only: nothing to escape.
            timestamp = _timestamp(cases[0].start or results.start, results.start)
            failed, broke = _suite(parts, classname, cases, limit, timestamp, hostname, properties)
            failures += failed
            errors += broke
    root = (
        f'<testsuites name="{_ROOT_NAME}" tests="{len(results.cases)}"'
        f' failures="{failures}" errors="{errors}" time="{_seconds(results.duration)}"'
    )
    if by_classname:
        parts[1] = root + ">\n"
        parts.append("</testsuites>\n")
    else:
        parts[1] = root + " />\n"
    return "".join(parts)


def _suite(
    parts: list[str],
    classname: str,
    cases: list[CaseResult],
    limit: int,
    timestamp: str,
    hostname: str,
    properties: str = "",
) -> tuple[int, int]:
    """Append one `testsuite` element to `parts`; give back its failures and errors.

    A passing case without output is written in the loop itself, one line; any other case
    goes through `_children`.
    """
    head = len(parts)
    parts.append("")  # the start tag, written once the cases are counted
    if properties:
        parts.append(properties)

    names = [case.name for case in cases]
    # The common case, checked for the whole suite at once: nothing to make visible or
    # escape in any name, and no name twice.
    if not plain("".join(names)) or len(set(names)) != len(names):
        names = [attribute(name) for name in _unique_names(cases)]
    shown_classname = attribute(classname)
    opening = f'    <testcase classname="{shown_classname}" name="'

    durations: list[float] = []
    failures = errors = skipped = 0
    for case, name in zip(cases, names):
        seconds = case.duration
        if not 0.0 < seconds < _INFINITY:  # NaN, infinite, negative and -0.0 become 0
            seconds = 0.0
        durations.append(seconds)
        outcome = case.outcome
        if outcome is _PASSED and not (case.stdout or case.stderr or case.log or case.attempts):
            parts.append(f'{opening}{name}" time="{seconds:.3f}" />\n')
            continue
        if outcome is _FAILED:
            failures += 1
        elif outcome is _ERROR:
            errors += 1
        elif outcome is _SKIPPED or outcome is _XFAILED:
            skipped += 1
        children = _children(case, limit)
        if children:
            parts.append(f'{opening}{name}" time="{seconds:.3f}">\n{children}    </testcase>\n')
        else:
            parts.append(f'{opening}{name}" time="{seconds:.3f}" />\n')

    parts[head] = (
        f'  <testsuite name="{shown_classname}" tests="{len(cases)}" failures="{failures}"'
        f' errors="{errors}" skipped="{skipped}" time="{math.fsum(durations):.3f}"'
        f' timestamp="{timestamp}" hostname="{hostname}">\n'
    )
    parts.append("  </testsuite>\n")
    return failures, errors


def _properties(results: RunResult) -> str:
    """What the run covered and notes on it, as `properties` of every suite: a partial run's
    report says so wherever a reader looks (CI servers show a suite's properties)."""
    pairs: list[tuple[str, str]] = []
    selection = results.selection
    if selection.targets:
        pairs.append(("thinking-tests.targets", " ".join(selection.targets)))
    if selection.partial:
        pairs.append(("thinking-tests.selection", "partial run: " + selection.describe()))
    pairs.extend(("thinking-tests.note", note) for note in results.notes)
    if not pairs:
        return ""
    lines = "".join(
        f'      <property name="{name}" value="{attribute(value)}" />\n' for name, value in pairs
    )
    return f"    <properties>\n{lines}    </properties>\n"


def _children(case: CaseResult, limit: int) -> str:
    """The elements inside one `testcase`, each on its own indented line."""
    lines: list[str] = []
    outcome = case.outcome
    if outcome is _FAILED or outcome is _ERROR:
        tag = "failure" if outcome is _FAILED else "error"
        exception = case.exception
        # Never without a message, so never an empty element a reader could skip.
        message = case.message or (exception.message if exception else "") or tag
        kind = (attribute(exception.type_name) if exception else "") or tag
        message = attribute(truncate(message, limit))
        failure = _element(tag, f'type="{kind}" message="{message}"', _details(case, limit))
        if case.attempts:
            lines.extend(_attempts(case, limit, failure, "rerun"))
        else:
            lines.append(failure)
    elif case.attempts:  # passed after failed attempts
        lines.extend(_attempts(case, limit, "", "flaky"))
    elif outcome is _SKIPPED:
        message = truncate(case.message, limit)
        shown = f' message="{attribute(message)}"' if message else ""  # none when not given
        lines.append(f'      <skipped type="skipped"{shown} />\n')
    elif outcome is _XFAILED:
        reason = attribute(truncate(f"xfail: {case.message}" if case.message else "xfail", limit))
        lines.append(_element("skipped", f'type="skipped" message="{reason}"', _details(case, limit)))

    stdout = truncate(case.stdout, limit)
    if outcome is _XPASSED:
        # Counted as passed (DESIGN.md); JUnit has no such state, so say it in the output.
        reason = f" ({case.message})" if case.message else ""
        note = f"XPASS: expected to fail{reason}, but passed"
        stdout = f"{note}\n{stdout}" if stdout else note
    if stdout:
        lines.append(f"      <system-out>{content(stdout)}</system-out>\n")
    stderr = _stderr_and_log(case, limit)
    if stderr:
        lines.append(f"      <system-err>{content(stderr)}</system-err>\n")
    return "".join(lines)


def _attempts(case: CaseResult, limit: int, last: str, prefix: str) -> list[str]:
    """The failed attempts of a retried case as `<prefix>Failure` and `<prefix>Error`
    elements, in the order Surefire's schema puts them: the last attempt's `failure`
    first, then the failures of the attempts, then the last attempt's `error`, then the
    errors of the attempts. `last` is the last attempt's element ("" when it passed)."""
    failures: list[str] = []
    errors: list[str] = []
    for attempt in case.attempts:
        failed = attempt.outcome is _FAILED
        exception = attempt.exception
        message = attribute(truncate(attempt.message or (exception.message if exception else "") or "failed", limit))
        kind = (attribute(exception.type_name) if exception else "") or ("failure" if failed else "error")
        tag = f"{prefix}{'Failure' if failed else 'Error'}"
        inner = [f"        <stackTrace>{content(_details(attempt, limit))}</stackTrace>\n"]
        stdout = truncate(attempt.stdout, limit)
        if stdout:
            inner.append(f"        <system-out>{content(stdout)}</system-out>\n")
        stderr = _stderr_and_log(attempt, limit)
        if stderr:
            inner.append(f"        <system-err>{content(stderr)}</system-err>\n")
        element = f'      <{tag} type="{kind}" message="{message}">\n{"".join(inner)}      </{tag}>\n'
        (failures if failed else errors).append(element)
    if case.outcome is _ERROR:
        return [*failures, last, *errors]
    return [last, *failures, *errors] if last else [*failures, *errors]


def _element(tag: str, attributes: str, text: str) -> str:
    """One child of a `testcase`: `attributes` already escaped, `text` not yet."""
    if text:
        return f"      <{tag} {attributes}>{content(text)}</{tag}>\n"
    return f"      <{tag} {attributes} />\n"


def _stderr_and_log(case: CaseResult | Attempt, limit: int) -> str:
    stderr = truncate(case.stderr, limit)
    if not case.log:
        return stderr
    if stderr and not stderr.endswith("\n"):
        stderr += "\n"
    return stderr + _LOG_HEADER + truncate(case.log, limit)


def _details(case: CaseResult | Attempt, limit: int) -> str:
    """The traceback (and assert explanation) of every stage that raised."""
    raised = [stage for stage in case.stages if stage.exception is not None]
    # Name the stage when it is not obvious: an error in setup or teardown, or several.
    headed = len(raised) > 1 or any(stage.stage is not Stage.RUN for stage in raised)
    parts: list[str] = []
    for stage in raised:
        exception = stage.exception
        assert exception is not None
        body = exception.traceback.rstrip("\n") or f"{exception.type_name}: {exception.message}"
        if exception.explanation:
            body += "\n" + exception.explanation.rstrip("\n")
        parts.append(f"----- {stage.stage} -----\n{body}" if headed else body)
    return truncate("\n".join(parts), limit)


def _unique_names(cases: list[CaseResult]) -> list[str]:
    """One name per case, unique within its module: a repeat becomes `name (2)`, ...

    Uniqueness is checked after escaping, since two different names can look the same
    once made visible (`"\\x00"` and `"#x00"`).
    """
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    names: list[str] = []
    for case in cases:
        base = visible(case.name)
        name = base
        if name in taken:
            suffix = next_suffix.get(base, 2)
            while f"{base} ({suffix})" in taken:
                suffix += 1
            next_suffix[base] = suffix + 1
            name = f"{base} ({suffix})"
        taken.add(name)
        names.append(name)
    return names


def _seconds(seconds: float) -> str:
    # Never omitted, never negative, never an exponent, at most 3 decimals.
    return "%.3f" % (seconds if 0.0 < seconds < _INFINITY else 0.0)


def _timestamp(seconds: float, fallback: float) -> str:
    """UTC, ISO 8601, to the second: `2024-05-01T12:00:00+00:00` (as datetime's isoformat
    writes it, without importing datetime)."""
    for value in (seconds, fallback, 0.0):
        try:
            t = _gmtime(value)
        except (OverflowError, OSError, ValueError):
            continue
        if 1 <= t.tm_year <= 9999:  # the years datetime (and the schema's xs:dateTime) takes
            return (
                f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
                f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}+00:00"
            )
    return "1970-01-01T00:00:00+00:00"
