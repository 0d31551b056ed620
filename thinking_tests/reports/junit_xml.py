"""The JUnit XML report: `testsuites > testsuite > testcase`, one testsuite per module.

The document is built with the `junit-xml` package and then normalised, because what it
writes on its own is not accepted by the schema CI servers check (the Jenkins xunit
schema, which pytest's report also follows):

- it adds a `disabled` attribute to every suite and the root;
- it writes times as `str(float)` or `%f` (`0.30000000000000004`, `1e-05`) and leaves
  `time` out when it is 0; the schema wants a plain decimal with at most 3 decimals;
- it deletes only some illegal characters, and a lone surrogate (an undecodable byte a
  test printed) makes it raise or write malformed XML.

So every string is made XML-safe *visibly* before junit-xml sees it (`\\x1b` becomes
`#x1B`, see `_xmltext.visible`), each element junit-xml builds keeps only the attributes
the schema allows, in a fixed order, and the document is serialised by ElementTree
directly: junit-xml's own writer re-parses the whole text with minidom to indent it, which
is most of its cost.
"""

from __future__ import annotations

import math
import socket
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from thinking_tests.model import CaseResult, Outcome, RunResult, Stage
from thinking_tests.reports._files import truncate, write_atomic
from thinking_tests.reports._xmltext import visible

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    import junit_xml

__all__ = ["write"]

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_LOG_HEADER = "----- captured log -----\n"
_ROOT_NAME = "thinking-tests"


def write(results: RunResult, path: Path, *, max_output: int = 1024 * 1024) -> None:
    """Write the JUnit XML report of `results` to `path`, atomically, as UTF-8.

    Captured output, messages and tracebacks are each cut to `max_output` characters.
    """
    # Imported here, not at module import: a run that writes no JUnit report (and every
    # `--list`) should not pay for them.
    import xml.etree.ElementTree as ET

    import junit_xml

    root = _document(results, max_output, junit_xml, ET)
    ET.indent(root, space="  ")  # only whitespace between elements: texts are untouched
    text = ET.tostring(root, encoding="unicode")
    # Strict UTF-8 on purpose: `visible` removed every surrogate, so this cannot fail
    # silently the way an `xmlcharrefreplace` encoder would (it writes `&#55296;`).
    write_atomic(Path(path), _DECLARATION + text.encode("utf-8") + b"\n")


def _document(
    results: RunResult, limit: int, junit: ModuleType, etree: ModuleType
) -> ET.Element:
    # Grouped by the name as written, so two modules that look the same once escaped
    # share one suite and (classname, name) stays unique. Dicts keep insertion order:
    # suites come in run order.
    by_classname: dict[str, list[CaseResult]] = {}
    shown: dict[str, str] = {}
    for case in results.cases:
        classname = shown.get(case.module)
        if classname is None:
            classname = shown[case.module] = visible(case.module)
        by_classname.setdefault(classname, []).append(case)

    hostname = visible(socket.gethostname() or "localhost")
    root: ET.Element = etree.Element("testsuites")
    tests = failures = errors = 0
    for classname, cases in by_classname.items():
        names = _unique_names(cases)
        timestamp = _timestamp(cases[0].start or results.start, results.start)
        suite = junit.TestSuite(
            classname,
            [_junit_case(case, name, classname, limit, junit) for case, name in zip(cases, names)],
            hostname=hostname,
            timestamp=timestamp,
        )
        element = suite.build_xml_doc()
        _normalise_suite(element, cases, classname, timestamp, hostname)
        tests += int(element.get("tests", "0"))
        failures += int(element.get("failures", "0"))
        errors += int(element.get("errors", "0"))
        root.append(element)

    # The Jenkins schema allows only these five on the root (no `disabled`, no `skipped`).
    root.attrib = {
        "name": _ROOT_NAME,
        "tests": str(tests),
        "failures": str(failures),
        "errors": str(errors),
        "time": _seconds(results.duration),
    }
    return root


def _normalise_suite(
    element: ET.Element, cases: list[CaseResult], name: str, timestamp: str, hostname: str
) -> None:
    """Keep only schema-valid attributes, with times in the one format it accepts."""
    attrib = element.attrib
    element.attrib = {
        "name": name,
        "tests": attrib["tests"],
        "failures": attrib["failures"],
        "errors": attrib["errors"],
        "skipped": attrib["skipped"],
        "time": _seconds(math.fsum(_clamp(case.duration) for case in cases)),
        "timestamp": timestamp,
        "hostname": hostname,
    }
    testcases = element.findall("testcase")
    if len(testcases) != len(cases):  # junit-xml changed shape: fail loudly, never misreport
        raise RuntimeError(
            f"junit-xml wrote {len(testcases)} testcases for {len(cases)} results"
        )
    for testcase, case in zip(testcases, cases):
        attrib = testcase.attrib
        testcase.attrib = {
            "classname": name,
            "name": attrib["name"],
            "time": _seconds(case.duration),
        }


def _junit_case(
    case: CaseResult, name: str, classname: str, limit: int, junit: ModuleType
) -> junit_xml.TestCase:
    stdout = truncate(case.stdout, limit)
    if case.outcome is Outcome.XPASSED:
        # Counted as passed (DESIGN.md); JUnit has no such state, so say it in the output.
        reason = f" ({case.message})" if case.message else ""
        note = f"XPASS: expected to fail{reason}, but passed"
        stdout = f"{note}\n{stdout}" if stdout else note
    stderr = _stderr_and_log(case, limit)

    result = junit.TestCase(
        name,
        classname=classname,
        stdout=visible(stdout) or None,
        stderr=visible(stderr) or None,
    )
    outcome = case.outcome
    if outcome is Outcome.FAILED or outcome is Outcome.ERROR:
        word = "failure" if outcome is Outcome.FAILED else "error"
        exception = case.exception
        # junit-xml silently drops a failure without message and text: never let it.
        message = case.message or (exception.message if exception else "") or word
        kind = exception.type_name if exception else word
        details = visible(_details(case, limit)) or None
        message = visible(truncate(message, limit))
        if outcome is Outcome.FAILED:
            result.add_failure_info(message=message, output=details, failure_type=visible(kind))
        else:
            result.add_error_info(message=message, output=details, error_type=visible(kind))
    elif outcome is Outcome.SKIPPED:
        result.add_skipped_info(message=visible(truncate(case.message, limit)) or None)
    elif outcome is Outcome.XFAILED:
        reason = f"xfail: {case.message}" if case.message else "xfail"
        result.add_skipped_info(
            message=visible(truncate(reason, limit)),
            output=visible(_details(case, limit)) or None,
        )
    return result


def _stderr_and_log(case: CaseResult, limit: int) -> str:
    stderr = truncate(case.stderr, limit)
    if not case.log:
        return stderr
    if stderr and not stderr.endswith("\n"):
        stderr += "\n"
    return stderr + _LOG_HEADER + truncate(case.log, limit)


def _details(case: CaseResult, limit: int) -> str:
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


def _clamp(seconds: float) -> float:
    """A duration a report can show: NaN, infinite, negative and -0.0 become 0."""
    return seconds if seconds > 0 and math.isfinite(seconds) else 0.0


def _seconds(seconds: float) -> str:
    # Never omitted, never negative, never an exponent, at most 3 decimals.
    return "%.3f" % _clamp(seconds)


def _timestamp(seconds: float, fallback: float) -> str:
    """UTC, ISO 8601, to the second: `2024-05-01T12:00:00+00:00`."""
    for value in (seconds, fallback, 0.0):
        try:
            return datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            continue
    return "1970-01-01T00:00:00+00:00"
