"""Aspects shared by the training tests.

`stage_timings` (put into `config.aspects` by `__test__.py`) times the SETUP, RUN and
TEARDOWN stage of every case and keeps `stage_timings.json` in the reports directory up to
date: after each case the whole file is rewritten, so it is complete even when the run is
cut short. It shows where a slow test spends its time: building a session fixture shows up
in the SETUP of the first case that asked for it, and a module fixture's cleanup in the
TEARDOWN of the module's last case. With reports off (`--no-reports`, and in the child
processes of `--isolate`) it prints one line per case into the case's output instead.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests import Stage, aspect, config

if TYPE_CHECKING:
    from thinking_tests import Case

PROJECT = Path(__file__).resolve().parents[1]  # where __test__.py is: report paths start there
REPORT_NAME = "stage_timings.json"

# case id -> {"setup": seconds, "run": ..., "teardown": ..., "errors": {stage: exception type}}
_recorded: dict[str, dict[str, object]] = {}


def recorded(case_id: str) -> dict[str, object]:
    """What `stage_timings` has recorded so far of one case (empty if nothing)."""
    return dict(_recorded.get(case_id, {}))


def report_path() -> Path | None:
    """Where the timings go: the run's reports directory, or None when reports are off."""
    if not config.reports.enabled:
        return None
    directory = Path(config.reports.directory)
    return (directory if directory.is_absolute() else PROJECT / directory) / REPORT_NAME


@aspect
def stage_timings(stage: Stage, case: Case) -> Iterator[None]:
    """Record how long each stage of each case took, and which stage raised what."""
    record = _recorded.setdefault(case.id, {"errors": {}})
    began = time.perf_counter()
    try:
        yield
    except BaseException as error:
        errors = record["errors"]
        assert isinstance(errors, dict)
        errors[str(stage)] = type(error).__name__
        raise
    finally:
        record[str(stage)] = time.perf_counter() - began
        if stage is Stage.TEARDOWN:  # the last stage: every case that started has one
            _publish(case)


def _publish(case: Case) -> None:
    path = report_path()
    if path is None:
        record = _recorded[case.id]
        parts = ", ".join(f"{s} {record.get(s, 0.0):.4f} s" for s in ("setup", "run", "teardown"))
        print(f"stage timings of {case.id}: {parts}")
        return
    cases = []
    totals = {"setup": 0.0, "run": 0.0, "teardown": 0.0}
    for case_id, record in _recorded.items():
        seconds = {s: float(record.get(s, 0.0)) for s in totals}  # type: ignore[arg-type]
        for s, value in seconds.items():
            totals[s] += value
        cases.append({"id": case_id, **seconds, "total": sum(seconds.values()), "errors": record["errors"]})
    report = {
        "cases": cases,
        "totals": totals,
        "slowest": [c["id"] for c in sorted(cases, key=lambda c: -c["total"])[:5]],  # type: ignore[operator]
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(report, indent=1), encoding="utf-8")
    os.replace(partial, path)  # written whole or not at all
