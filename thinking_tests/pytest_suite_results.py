"""What a `load_tests` suite test's pytest report carries: the results unittest gave while
it ran (its own, and its class's and module's fixtures'), as plain values in the report's
`user_properties`, which pytest-xdist sends from its workers; and those values read back
into results. Imported without pytest, by the results collector (see `pytest_suite`).
"""

from __future__ import annotations

from typing import Any

from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult

# A SuiteTest's report carries its unittest results under this key of `user_properties`
# (kept through pytest-xdist): plain strings and numbers only.
KEY = "thinking_tests.unittest"


def failure_text(result: CaseResult) -> str:
    """What pytest shows for a failed result: its traceback and explanation, or its message."""
    info = result.exception
    if info is None:
        return result.message
    explanation = f"\n{info.explanation}" if info.explanation else ""
    return f"{info.traceback}{explanation}" or result.message


def dump(kind: str, result: CaseResult) -> dict[str, Any]:
    """A result as a report's user property: `kind` is "before", "own" or "after" (the item's
    place among the results unittest reported while it ran)."""
    stage = result.stages[0] if result.stages else StageResult(Stage.RUN, True, 0.0)
    info = stage.exception
    return {
        "kind": kind,
        "id": result.id,
        "module": result.module,
        "name": result.name,
        "file": result.file,
        "line": result.line,
        "description": result.description,
        "outcome": result.outcome.value,
        "message": result.message,
        "start": result.start,
        "stage": stage.stage.value,
        "ok": stage.ok,
        "exception": None if info is None else [info.type_name, info.message, info.traceback, info.explanation],
    }


def _load(data: dict[str, Any], duration: float = 0.0) -> CaseResult:
    info = ExceptionInfo(*data["exception"]) if data["exception"] else None
    return CaseResult(
        id=data["id"],
        module=data["module"],
        name=data["name"],
        outcome=Outcome(data["outcome"]),
        duration=duration,
        file=data["file"],
        line=data["line"],
        description=data["description"],
        stages=(StageResult(Stage(data["stage"]), data["ok"], duration, info),),
        message=data["message"],
        start=data["start"],
    )


def results_of(result: CaseResult, properties: list[tuple[str, Any]]) -> list[CaseResult]:
    """The results an item's reports stand for: for a suite test, the class and module
    fixture results reported around it, and its own as unittest gave it (none when unittest
    did not run it: the fixture that stopped it is its result); `result` otherwise."""
    payloads = [value for key, value in properties if key == KEY]
    if not payloads:
        return [result]
    from dataclasses import replace

    results = [_load(p) for p in payloads if p["kind"] == "before"]
    own = next((p for p in payloads if p["kind"] == "own"), None)
    if own is not None:
        # pytest measured and captured it; unittest said how it went.
        loaded = _load(own, result.duration)
        results.append(
            replace(
                result,
                id=loaded.id,
                module=loaded.module,
                name=loaded.name,
                outcome=loaded.outcome,
                file=loaded.file or result.file,
                line=loaded.line or result.line,
                description=loaded.description,
                message=loaded.message,
                stages=loaded.stages,
            )
        )
    elif not any(p["kind"] == "covered" for p in payloads):
        results.append(result)
    results.extend(_load(p) for p in payloads if p["kind"] == "after")
    return results
