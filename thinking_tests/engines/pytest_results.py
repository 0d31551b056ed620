"""The pytest engine's collector: pytest's reports of each item become one CaseResult.

Every item pytest runs (our cases and plain pytest tests alike) is reported in three phases;
they become one neutral CaseResult, failing subtests folded into their test, so the reports
are the same whichever engine ran. pytest-rerunfailures' reruns (`--reruns`,
`@test(retries=N)`) become the failed attempts of one result, as the unittest engine's retries
do; an item a pytest-xdist worker died in, or the case running when the run was interrupted,
is an error saying so. The journal learns which case runs before it runs. Used by the engine
and, under plain pytest, by our reports (`pytest_reports`)."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from typing import Any

from thinking_tests.case import Case
from thinking_tests.items import ImportFailure
from thinking_tests.engines import Listener, import_failure_result
from thinking_tests.engines.pytest_failures import failure_info, skip_reason, with_subtests
from thinking_tests.exception_text import exception_info, first_line, interrupted_by
from thinking_tests.model import Attempt, CaseResult, ExceptionInfo, Outcome, Stage, StageResult, error_result
from thinking_tests.registry import REGISTRY, name_from_path
from thinking_tests.retry_loop import as_attempt

_STAGES = {"setup": Stage.SETUP, "call": Stage.RUN, "teardown": Stage.TEARDOWN}


def case_id(nodeid: str, rootdir: str) -> tuple[str, str, str]:
    """(id, module, name) of a pytest node id, in thinking-tests' `module::name` form."""
    path, _, rest = nodeid.partition("::")
    module = name_from_path(os.path.join(rootdir, path))
    return f"{module}::{rest}", module, rest


_PYTEST_FRAME = re.compile(r"[/\\](_pytest|pluggy)[/\\]")


def _rerun(report: Any) -> bool:
    """A report of an attempt pytest-rerunfailures runs again: a failure it set aside."""
    return report.outcome == "rerun"


def _failed(report: Any) -> bool:
    """A failed phase, set aside for a rerun or not. A rerun's call report without a
    traceback stands for its failed subtests, which say why themselves."""
    return bool(report.failed) or (_rerun(report) and report.longrepr is not None)


def _with_attempts(result: CaseResult, attempts: list[Attempt]) -> CaseResult:
    """The last attempt's result with the failed ones before it: from the first one's start,
    for all of them."""
    if not attempts:
        return result
    duration = sum(attempt.duration for attempt in attempts) + result.duration
    return replace(result, attempts=tuple(attempts), start=attempts[0].start, duration=duration)


class ResultCollector:
    """A pytest plugin object: turns each item's three reports into one CaseResult."""

    def __init__(self, listener: Listener, exitfirst: bool = False) -> None:
        self.listener = listener
        self.exitfirst = exitfirst
        self.rootdir = os.getcwd()
        self.pending: dict[str, list[Any]] = {}
        self.subtests: dict[str, list[Any]] = {}  # a node id -> its failed subtests' reports
        self.cases = _registered()
        self.failed = False
        self.modules: dict[str, str] = {}  # a node id's path -> its module's name
        self.selected: list[str] | None = None  # the ids of the cases pytest runs, in order
        # The case between its start and its teardown report, with where it is and when it
        # started: an interrupt there leaves it without a report from pytest.
        self.running: tuple[str, Any, float] | None = None
        self.interrupt: Any = None  # pytest's ExceptionInfo of a KeyboardInterrupt
        self.reason = ""  # why the run was interrupted, when not by a person (the run timeout)
        # A node id -> its failed attempts so far, which pytest-rerunfailures runs again.
        self.attempts: dict[str, list[Attempt]] = {}
        self.unapplied: list[str] = []  # cases whose retries pytest cannot apply

    def case_id(self, nodeid: str) -> tuple[str, str, str]:
        """`case_id` of a node id, each file's module name found once."""
        path, _, rest = nodeid.partition("::")
        module = self.modules.get(path)
        if module is None:
            module = self.modules[path] = name_from_path(os.path.join(self.rootdir, path))
        return f"{module}::{rest}", module, rest

    def pytest_sessionstart(self, session: Any) -> None:
        self.rootdir = str(session.config.rootpath)
        self.modules.clear()

    def pytest_collection_finish(self, session: Any) -> None:
        """The cases are known once pytest imported their modules: a result then has the
        case's description, tags and params, as under the unittest engine."""
        self.cases = _registered()
        self.selected = [self.case_id(item.nodeid)[0] for item in session.items]
        from thinking_tests.pytest_items import unapplied_retries

        self.unapplied = unapplied_retries(session.config)

    def pytest_collectreport(self, report: Any) -> None:
        if not report.failed:
            return
        path = report.nodeid.partition("::")[0]
        module = name_from_path(os.path.join(self.rootdir, path)) if path else "<collection>"
        text = str(report.longrepr)
        last = text.strip().splitlines()[-1] if text.strip() else ""
        info = ExceptionInfo("CollectionError", last.removeprefix("E").strip(), text)
        failure = ImportFailure(
            id=f"{module}::<import>",
            module=module,
            name="<import>",
            file=os.path.join(self.rootdir, path),
            line=0,
            info=info,
            message=f"module {module} failed to import: {info.message}",
        )
        self.listener.finished(import_failure_result(failure))

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        """The journal learns which case runs now, so a process dying in it names it."""
        from types import SimpleNamespace

        unfinished = self.pending.pop(nodeid, None)
        if unfinished:  # an attempt pytest-rerunfailures logged no teardown of
            attempt = as_attempt(self._result(nodeid, unfinished))
            self.attempts.setdefault(nodeid, []).append(attempt)
        identifier, module, _ = self.case_id(nodeid)
        case: Case | None = self.cases.get(identifier)
        path, line, _ = location
        where = SimpleNamespace(
            id=identifier,
            module=module,
            file=case.file if case else os.path.join(self.rootdir, path),
            line=case.line if case else (line or 0) + 1,
        )
        self.running = (nodeid, where, time.time())
        if nodeid not in self.attempts:  # a rerun: the journal knows it runs
            self.listener.started(where)  # type: ignore[arg-type]

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        self.interrupt = excinfo

    def finish_interrupted(self) -> None:
        """The case that was running when the run was interrupted (Ctrl-C, SIGTERM, the run
        timeout): an error saying so, as on the unittest engine, where pytest reports nothing."""
        if self.running is None:
            return
        nodeid, where, start = self.running
        self.running = None
        self.pending.pop(nodeid, None)
        error = self.interrupt.value if self.interrupt is not None else KeyboardInterrupt()
        if self.reason and not error.args:
            error = KeyboardInterrupt(self.reason).with_traceback(error.__traceback__)
        # From the first frame of the user's code: pytest's and pluggy's say nothing here.
        tb = error.__traceback__
        while tb is not None and _PYTEST_FRAME.search(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        info = exception_info(error.with_traceback(tb) if tb is not None else error, explain=False)
        name = where.id.partition("::")[2]
        result = error_result(
            where.id, where.module, name, info, interrupted_by(info),
            stage=Stage.RUN, file=where.file, line=where.line, start=start,
        )
        result = replace(result, duration=max(time.time() - start, 0.0))
        self.listener.finished(_with_attempts(result, self.attempts.pop(nodeid, [])))

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when not in _STAGES:
            # pytest-xdist's report (when "???") of an item its worker died in: no teardown
            # report follows, so the case ends here, as an error saying the process died.
            from thinking_tests.journal import process_died

            self.pending.pop(report.nodeid, None)
            self.running = None
            identifier, module, _ = self.case_id(report.nodeid)
            case: Case | None = self.cases.get(identifier)
            file, line = _location(report, self.rootdir)
            where = {"id": identifier, "module": module, "file": case.file if case else file,
                     "line": case.line if case else line}
            died = process_died(where, time.time())
            if _worker(report):
                died = replace(died, worker=_worker(report))
            if _rerun(report):  # pytest-rerunfailures gives the item to a fresh worker
                self.attempts.setdefault(report.nodeid, []).append(as_attempt(died))
                return
            self.listener.finished(_with_attempts(died, self.attempts.pop(report.nodeid, [])))
            return
        if getattr(report, "context", None) is not None:
            # A subtest's report (pytest's own subtests, a TestCase's subTest, the
            # pytest-subtests plugin): a failing one fails its test, kept aside to be named.
            if report.failed:
                self.subtests.setdefault(report.nodeid, []).append(report)
            return
        reports = self.pending.setdefault(report.nodeid, [])
        reports.append(report)
        if report.when == "teardown":
            del self.pending[report.nodeid]
            self.running = None
            result = self._result(report.nodeid, reports)
            failed_subtests = self.subtests.pop(report.nodeid, None)
            if failed_subtests:
                result = with_subtests(result, failed_subtests)
            if any(_rerun(each) for each in reports):  # pytest-rerunfailures runs it again
                self.attempts.setdefault(report.nodeid, []).append(as_attempt(result))
                return
            result = _with_attempts(result, self.attempts.pop(report.nodeid, []))
            if report.user_properties:
                # A test of a load_tests suite: its outcome as unittest gave it, and the class
                # and module fixture results reported around it (see pytest_suite).
                from thinking_tests.pytest_suite_results import results_of

                for each in results_of(result, report.user_properties):
                    self.listener.finished(each)
                return
            self.listener.finished(result)

    def _result(self, nodeid: str, reports: list[Any]) -> CaseResult:
        identifier, module, name = self.case_id(nodeid)
        by_when = {r.when: r for r in reports}
        stages: list[StageResult] = []
        outcome, message = Outcome.PASSED, ""
        for when in ("setup", "call", "teardown"):
            report = by_when.get(when)
            if report is None:
                continue
            failed = _failed(report)
            info = failure_info(report) if failed else None
            stages.append(StageResult(_STAGES[when], not failed, report.duration, info))
            xfail = getattr(report, "wasxfail", None)
            if report.skipped:
                if xfail is not None:
                    outcome, message = Outcome.XFAILED, xfail or "expected to fail"
                else:
                    outcome, message = Outcome.SKIPPED, skip_reason(report)
            elif info is not None:  # failed
                timed_out = info.type_name.endswith("CaseTimeout")
                if when == "call" and not timed_out:
                    outcome, message = Outcome.FAILED, first_line(info)
                elif outcome is not Outcome.FAILED:
                    outcome, message = Outcome.ERROR, f"error in {_STAGES[when]}: {first_line(info)}"
            elif when == "call" and xfail is not None:
                outcome, message = Outcome.XPASSED, f"passed unexpectedly (xfail: {xfail})"
        first, last = reports[0], reports[-1]
        sections = dict(last.sections) if getattr(last, "sections", None) else None
        case: Case | None = self.cases.get(identifier)
        file, line = (case.file, case.line) if case else _location(first, self.rootdir)
        start = first.start if hasattr(first, "start") else time.time()
        return CaseResult(
            id=identifier,
            module=module,
            name=name,
            outcome=outcome,
            duration=sum(r.duration for r in reports),
            file=file,
            line=line,
            description=case.description if case else "",
            tags=case.tags if case else (),
            params=_params(case),
            stages=tuple(stages),
            stdout=_joined(sections, "stdout") if sections else "",
            stderr=_joined(sections, "stderr") if sections else "",
            log=_joined(sections, "log") if sections else "",
            message=message,
            start=start,
            worker=_worker(first),
        )


def _worker(report: Any) -> str:
    """The pytest-xdist worker that ran a report's item ("gw0"); "" in a run without workers."""
    worker = getattr(report, "worker_id", None)
    if worker is None:
        node = getattr(report, "node", None)
        worker = getattr(getattr(node, "gateway", None), "id", "")
    return worker if isinstance(worker, str) else ""


def _registered() -> dict[str, Case]:
    return {case.id: case for entry in REGISTRY.modules.values() for case in entry.cases}


def _location(report: Any, rootdir: str) -> tuple[str, int]:
    location = getattr(report, "location", None)
    if not location:
        return "", 0
    path, line, _ = location
    return os.path.join(rootdir, path), (line or 0) + 1


def _joined(sections: dict[str, str], kind: str) -> str:
    return "".join(text for title, text in sections.items() if title.startswith("Captured") and title.split()[1] == kind)


def _params(case: Case | None) -> tuple[tuple[str, str], ...]:
    if case is None or not case.args:
        return ()
    from thinking_tests.runner import _params as params_of

    return params_of(case)
