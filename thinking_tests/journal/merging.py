"""Several shards' runs as one (`python -m thinking_tests merge`): a case in more than one
input keeps its worst result, and each disagreement is a note."""

from __future__ import annotations

import time
from collections.abc import Sequence

from thinking_tests.journal.reading import printable
from thinking_tests.model import CaseResult, Outcome, RunResult


# Which result of a case wins when merged inputs disagree: the worst, so a failure anywhere
# is never hidden by a pass elsewhere. An unexpected pass (xpassed) ranks above an expected
# failure, and a case that did not run (skipped) above one that passed.
SEVERITY = (
    Outcome.ERROR, Outcome.FAILED, Outcome.XPASSED, Outcome.XFAILED, Outcome.SKIPPED, Outcome.PASSED
)
_RANK = {outcome: rank for rank, outcome in enumerate(SEVERITY)}


def merge(runs: Sequence[RunResult], names: Sequence[str] | None = None) -> RunResult:
    """Several shards' runs as one. A case in more than one input keeps its worst result,
    whatever the order of the inputs; each disagreement is a note (`merge: ID is failed in
    B but passed in A; kept failed`). `names` name the inputs in those notes."""
    if not runs:
        return RunResult(cases=(), start=time.time(), duration=0.0)
    labels = list(names) if names is not None else [f"input {n}" for n in range(1, len(runs) + 1)]
    start = min(run.start for run in runs)
    end = max(run.start + run.duration for run in runs)
    seen: dict[str, list[tuple[CaseResult, str]]] = {}
    for run, label in zip(runs, labels):
        for case in run.cases:
            seen.setdefault(case.id, []).append((case, label))
    cases: list[CaseResult] = []
    conflicts: list[str] = []
    for identifier, found in seen.items():
        # sorted is stable: of equally bad results, the first input's stays.
        ranked = sorted(found, key=lambda pair: _RANK[pair[0].outcome])
        kept = ranked[0][0]
        cases.append(kept)
        if len({case.outcome for case, _ in found}) > 1:
            conflicts.append(_conflict(identifier, ranked))
    ordered = sorted(cases, key=lambda c: (c.module, c.start))
    notes = [note for run in runs for note in run.notes]
    return RunResult(
        cases=tuple(ordered),
        start=start,
        duration=end - start,
        interrupted=any(run.interrupted for run in runs),
        backend=runs[0].backend,
        command=runs[0].command,
        coverage=None,
        notes=(*notes, *conflicts),
    )


def _conflict(identifier: str, ranked: list[tuple[CaseResult, str]]) -> str:
    """One line: `merge: ID is failed in B but passed in A, skipped in C; kept failed`."""
    kept = ranked[0][0].outcome
    where = _places([label for case, label in ranked if case.outcome is kept])
    others = ", ".join(
        f"{outcome.value} in {_places([label for case, label in ranked if case.outcome is outcome])}"
        for outcome in dict.fromkeys(case.outcome for case, _ in ranked if case.outcome is not kept)
    )
    return f"merge: {printable(identifier)} is {kept.value} in {where} but {others}; kept {kept.value}"


def _places(labels: list[str]) -> str:
    return " and ".join(dict.fromkeys(labels))
