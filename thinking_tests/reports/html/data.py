"""The HTML report's data block: every case as the JSON the page's script reads.

It is data, not markup, so it is formatted here by hand, not by the template: one f-string
per case through `json`'s ASCII encoder (a dict per case through `json.dumps` costs twice as
much, and this is the part of the report that grows with the run). The text is printable
ASCII, with `< > & '` escaped as jinja2's `tojson` does, so no text of a case can close the
`<script type="application/json">` block; the page gets it as markup, unescaped.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _quote

from thinking_tests.model import (
    Attempt,
    CaseResult,
    ExceptionInfo,
    RunResult,
    Stage,
    StageResult,
    passed_alone,
)
from thinking_tests.reports._files import truncate
from thinking_tests.reports.html.text import FAILING, explained, long
from thinking_tests.reports.html.text import message as line

_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))
_EMPTY_STAGES = {stage.value: f'["{stage.value}",true,0]' for stage in Stage}
_PASSED_STAGES = {stage.value: f'["{stage.value}",true,' for stage in Stage}
_NOTHING_SET_UP = f"{_EMPTY_STAGES['setup']},{_PASSED_STAGES['run']}"
_NOTHING_TORN_DOWN = f"],{_EMPTY_STAGES['teardown']}"


def data(results: RunResult, limit: int, retried: list[CaseResult] | None = None) -> str:
    """Every case as the JSON text of the page's data block.

    Durations are whole microseconds and the start is milliseconds after the run's start,
    and empty fields are left out: 20,000 cases stay small and quick to encode and parse.
    A case run again (`retries`) has its failed attempts, oldest first, in "attempts"; each
    such case is appended to `retried`, so the page learns of them without another pass.
    A NaN or infinite time raises ValueError or OverflowError.
    """
    start = results.start
    files: dict[str, str] = {}  # each file's JSON text: a module's cases share one
    found = [] if retried is None else retried
    cases = ",".join([_case(case, start, limit, files, found) for case in results.cases])
    text = f'{{"version":1,"start":{float(start)!r},"cases":[{cases}]}}'
    # Each character is looked for first: a search is far quicker than a replace that finds
    # nothing.
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _case(
    case: CaseResult, run_start: float, limit: int, files: dict[str, str], retried: list[CaseResult]
) -> str:
    """One case as a JSON object; the keys in the order `json.dumps` of a dict gave them."""
    ident = case.id
    if len(ident) > limit:
        ident = truncate(ident, limit)
    elif not (
        case.tags or case.description or case.params or case.message or case.stdout
        or case.stderr or case.log or case.attempts
    ) and case.line and case.start and len(case.stages) == 3:
        # Most cases: passed, nothing printed, three stages that passed; one f-string.
        setup, run, teardown = case.stages
        if passed_alone(case.stages) is not None:
            passed: str | None = f"{_NOTHING_SET_UP}{int(run.duration * 1e6 + 0.5)}{_NOTHING_TORN_DOWN}"
        elif (
            setup.ok and run.ok and teardown.ok
            and setup.exception is None and run.exception is None and teardown.exception is None
        ):
            passed = f"{_passed_stage(setup)},{_passed_stage(run)},{_passed_stage(teardown)}"
        else:
            passed = None
        if passed is not None:
            quoted = files.get(case.file)
            if quoted is None:
                quoted = files[case.file] = ',"file":' + _quote(case.file)
            return (
                f'{{"id":{_quote(ident)},"outcome":"{case.outcome._value_}",'
                f'"us":{int(case.duration * 1e6 + 0.5)}{quoted},"line":{int(case.line)},'
                f'"start_ms":{int((case.start - run_start) * 1000 + 0.5)}'
                f'{_worker(case.worker) if case.worker else ""},"stages":[{passed}]}}'
            )
    text = (
        f'{{"id":{_quote(ident)},"outcome":"{case.outcome._value_}",'
        f'"us":{int(case.duration * 1e6 + 0.5)}'
    )
    if case.tags:
        text += ',"tags":[' + ",".join(map(_quote, case.tags)) + "]"
    if case.description:
        text += ',"description":' + _quote(long(case.description, limit))
    if case.file:
        quoted = files.get(case.file)
        if quoted is None:
            quoted = files[case.file] = ',"file":' + _quote(case.file)
        text += quoted
        if case.line:
            text += f',"line":{int(case.line)}'
    if case.start:
        text += f',"start_ms":{int((case.start - run_start) * 1000 + 0.5)}'
    if case.worker:
        text += _worker(case.worker)
    if case.params:
        pairs = [f"[{_quote(name)},{_quote(long(value, limit))}]" for name, value in case.params]
        text += ',"params":[' + ",".join(pairs) + "]"
    message = case.message
    if case.stages:
        stages: list[str] = []
        for stage in case.stages:
            exception = stage.exception
            if exception is None and stage.ok:  # the common case
                stages.append(_passed_stage(stage))
                continue
            stages.append(_stage(stage, limit))
            if exception is not None and not message:
                # The list shows the first exception when there is no message.
                message = exception.type_name
                if exception.message:
                    message += ": " + exception.message
        text += ',"stages":[' + ",".join(stages) + "]"
    if message:
        text += ',"message":' + _quote(long(message, limit))
        if case.outcome._value_ in FAILING:
            why = explained(case, message)
            if why:
                text += ',"explained":' + _quote(why)
    text += _output(case, limit)
    if case.attempts:
        retried.append(case)
        attempts = [_attempt(attempt, run_start, limit) for attempt in case.attempts]
        text += ',"attempts":[' + ",".join(attempts) + "]"
    return text + "}"


def _worker(worker: str) -> str:
    """The process of a parallel run that ran a case, as a JSON field after a comma."""
    return ',"worker":' + _quote(worker)


def _passed_stage(stage: StageResult) -> str:
    seconds = stage.duration
    if seconds == 0.0:  # a stage with nothing to run
        return _EMPTY_STAGES[stage.stage._value_]
    return f"{_PASSED_STAGES[stage.stage._value_]}{int(seconds * 1e6 + 0.5)}]"


def _attempt(attempt: Attempt, run_start: float, limit: int) -> str:
    """A failed attempt before the case's last, as the case's own fields: outcome, us,
    start_ms, stages, message, explained, stdout, stderr, log."""
    text = f'{{"outcome":"{attempt.outcome._value_}","us":{int(attempt.duration * 1e6 + 0.5)}'
    if attempt.start:
        text += f',"start_ms":{int((attempt.start - run_start) * 1000 + 0.5)}'
    if attempt.stages:
        text += ',"stages":[' + ",".join([_stage(stage, limit) for stage in attempt.stages]) + "]"
    message = line(attempt)
    if message:
        text += ',"message":' + _quote(long(message, limit))
        why = explained(attempt, message)
        if why:
            text += ',"explained":' + _quote(why)
    return text + _output(attempt, limit) + "}"


def _output(result: CaseResult | Attempt, limit: int) -> str:
    """What a case or an attempt printed and logged, as JSON fields (none when empty)."""
    text = ""
    if result.stdout:
        text += ',"stdout":' + _quote(long(result.stdout, limit))
    if result.stderr:
        text += ',"stderr":' + _quote(long(result.stderr, limit))
    if result.log:
        text += ',"log":' + _quote(long(result.log, limit))
    return text


def _stage(stage: StageResult, limit: int) -> str:
    """One stage: [name, ok, us] and its exception, if any."""
    text = (
        f'["{stage.stage._value_}",{"true" if stage.ok else "false"},'
        f"{int(stage.duration * 1e6 + 0.5)}"
    )
    if stage.exception is not None:
        text += "," + _exception(stage.exception, limit)
    return text + "]"


def _exception(info: ExceptionInfo, limit: int) -> str:
    text = f'{{"type":{_quote(info.type_name)},"message":{_quote(long(info.message, limit))}'
    if info.traceback:
        text += ',"traceback":' + _quote(long(info.traceback, limit))
    if info.explanation:
        text += ',"explanation":' + _quote(long(info.explanation, limit))
    return text + "}"
