"""What pytest's report of a failed or skipped item says, as our ExceptionInfo and messages.

pytest's long representation of a failure (a rewritten assert, a fixture it could not find,
a test's failing subtests) becomes the exception type, message and traceback text that our
results and reports show, the same under both engines."""

from __future__ import annotations

import re
from typing import Any

from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult


class _Shown(str):
    """A subtest parameter pytest has already turned into its repr: shown as it is."""

    def __repr__(self) -> str:
        return str(self)


def with_subtests(result: CaseResult, reports: list[Any]) -> CaseResult:
    """`result` failed by its failing subtests, each named with its parameters.

    A test that failed on its own keeps its own message; its failing subtests are added
    to its traceback."""
    from dataclasses import replace

    from thinking_tests.subtests import combine, subtest_label

    failures = []
    for report in reports:
        context = report.context
        params = {k: _Shown(v) if isinstance(v, str) else v for k, v in dict(context.kwargs or {}).items()}
        failures.append((subtest_label(context.msg, params), failure_info(report)))
    message, info = combine(failures)
    stages = list(result.stages)
    at = next((i for i, stage in enumerate(stages) if stage.stage is Stage.RUN), None)
    own = stages[at].exception if at is not None else None
    if own is not None and not _only_subtests(own):
        info = replace(own, traceback=f"{own.traceback}\n{info.traceback}")
        message = result.message
    if at is None:
        stages.append(StageResult(Stage.RUN, False, 0.0, info))
    else:
        stages[at] = replace(stages[at], ok=False, exception=info)
    if result.outcome in (Outcome.PASSED, Outcome.XPASSED, Outcome.FAILED):
        return replace(result, outcome=Outcome.FAILED, message=message, stages=tuple(stages))
    return replace(result, stages=tuple(stages))  # an error, a skip or an expected failure


def _only_subtests(info: ExceptionInfo) -> bool:
    """Whether a test's own failure is only pytest's note that some of its subtests failed."""
    return bool(re.match(r"contains \d+ failed subtests?$", info.message.strip()))


def failure_info(report: Any) -> ExceptionInfo:
    longrepr = getattr(report, "longrepr", None)
    crash = getattr(longrepr, "reprcrash", None)
    text = getattr(report, "longreprtext", "") or str(longrepr)
    if crash is None:
        lookup = _fixture_lookup(longrepr, text)
        if lookup is not None:
            return ExceptionInfo("FixtureLookupError", lookup, text)
    head = crash.message if crash is not None else (text.strip().splitlines() or [""])[-1]
    type_name, _, message = head.partition(": ")
    if " " in type_name or not type_name:
        # A rewritten assert's message has no type in it; the traceback's last entry has.
        try:
            type_name = longrepr.reprtraceback.reprentries[-1].reprfileloc.message  # type: ignore[union-attr]
        except (AttributeError, IndexError):
            type_name = "Error"
        message = head
    return ExceptionInfo(type_name, message, text)


_LOOKUP_LINE = re.compile(r"^[E>] {7}(.*)$")


def _fixture_lookup(longrepr: Any, text: str) -> str | None:
    """The message of a fixture pytest could not find (its own, or one of ours shown as pytest
    shows its own): the lines pytest marks with E and >, not the location below them. Under
    xdist the report holds only the text."""
    message = getattr(longrepr, "errorstring", None)
    if isinstance(message, str):
        return message
    if not isinstance(longrepr, str):
        return None
    lines = [m[1] for m in map(_LOOKUP_LINE.match, text.splitlines()) if m]
    last = text.rstrip().rpartition("\n")[2]
    return "\n".join(lines) if lines and re.search(r":\d+$", last) else None


def skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"
