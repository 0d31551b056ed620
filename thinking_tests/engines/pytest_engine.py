"""The pytest engine: `pytest.main` in-process with the plugin, and a collector of results.

pytest is handed the targets as `pytest TARGET` would be (a directory, a file), imports and
collects them itself, with the project's own pytest settings, and its reports of every item
(our cases and plain pytest tests alike, failing subtests folded into their test) become
neutral CaseResults, so the reports are the same whichever engine ran. A unittest suite's
`load_tests` decides its tests here as under unittest (see `pytest_suite`). `--list` asks pytest
what it would run. `config.pytest_args` pass through, so `-n 4` (pytest-xdist) and other
plugins work; the selection travels to xdist workers in a file named by an environment
variable. pytest-rerunfailures' reruns (`--reruns`, `@test(retries=N)`) become the failed
attempts of one result, as the unittest engine's retries do."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from thinking_tests.case import Case
from thinking_tests.collect import ImportFailure, Target
from thinking_tests.config import config
from thinking_tests.engines import Listener, Plan, import_failure_result
from thinking_tests.model import Attempt, CaseResult, ExceptionInfo, Outcome, Stage, StageResult, error_result
from thinking_tests.registry import REGISTRY, name_from_path
from thinking_tests.runner import CaseRunner, _attempt, exception_info, interrupted_by

SELECT_ENV = "THINKING_TESTS_SELECT"  # read by the plugin, in xdist workers too

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
            self.attempts.setdefault(nodeid, []).append(_attempt(self._result(nodeid, unfinished)))
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
            from thinking_tests.journal import _died_in

            self.pending.pop(report.nodeid, None)
            self.running = None
            identifier, module, _ = self.case_id(report.nodeid)
            case: Case | None = self.cases.get(identifier)
            file, line = _location(report, self.rootdir)
            where = {"id": identifier, "module": module, "file": case.file if case else file,
                     "line": case.line if case else line}
            died = _died_in(where, time.time())
            if _rerun(report):  # pytest-rerunfailures gives the item to a fresh worker
                self.attempts.setdefault(report.nodeid, []).append(_attempt(died))
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
                result = _with_subtests(result, failed_subtests)
            if any(_rerun(each) for each in reports):  # pytest-rerunfailures runs it again
                self.attempts.setdefault(report.nodeid, []).append(_attempt(result))
                return
            result = _with_attempts(result, self.attempts.pop(report.nodeid, []))
            if report.user_properties:
                # A test of a load_tests suite: its outcome as unittest gave it, and the class
                # and module fixture results reported around it (see pytest_suite).
                from thinking_tests.pytest_suite import results_of

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
            info = _info(report) if failed else None
            stages.append(StageResult(_STAGES[when], not failed, report.duration, info))
            xfail = getattr(report, "wasxfail", None)
            if report.skipped:
                if xfail is not None:
                    outcome, message = Outcome.XFAILED, xfail or "expected to fail"
                else:
                    outcome, message = Outcome.SKIPPED, _skip_reason(report)
            elif failed:
                timed_out = info is not None and info.type_name.endswith("CaseTimeout")
                if when == "call" and not timed_out:
                    outcome, message = Outcome.FAILED, _first(info)
                elif outcome is not Outcome.FAILED:
                    outcome, message = Outcome.ERROR, f"error in {_STAGES[when]}: {_first(info)}"
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
        )


class _Shown(str):
    """A subtest parameter pytest has already turned into its repr: shown as it is."""

    def __repr__(self) -> str:
        return str(self)


def _with_subtests(result: CaseResult, reports: list[Any]) -> CaseResult:
    """`result` failed by its failing subtests, each named with its parameters.

    A test that failed on its own keeps its own message; its failing subtests are added
    to its traceback."""
    from dataclasses import replace

    from thinking_tests.subtests import combine, subtest_label

    failures = []
    for report in reports:
        context = report.context
        params = {k: _Shown(v) if isinstance(v, str) else v for k, v in dict(context.kwargs or {}).items()}
        failures.append((subtest_label(context.msg, params), _info(report)))
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


def _registered() -> dict[str, Case]:
    return {case.id: case for entry in REGISTRY.modules.values() for case in entry.cases}


def _info(report: Any) -> ExceptionInfo:
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


def _first(info: ExceptionInfo | None) -> str:
    if info is None:
        return ""
    lines = info.message.strip().splitlines()
    return f"{info.type_name}: {lines[0]}" if lines else info.type_name


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


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


# thinking_tests itself is imported before pytest starts in this process, so pytest cannot
# rewrite its asserts (it has none to rewrite) and says so; under `filterwarnings = error`
# that notice would stop the run. Only that notice, about our package, is silenced.
_OWN_REWRITE_NOTICE = (
    "ignore:Module already imported so cannot be rewritten; thinking_tests:"
    "pytest.PytestAssertRewriteWarning"
)


def pytest_paths(targets: Sequence[Target]) -> list[str]:
    """What to hand pytest for the targets, as `pytest TARGET` would be given them: a
    package's directory, a module's file, never the files below a package one by one, so
    the project's own collection rules (`python_files`, `collect_ignore`, folders without
    `__init__.py`) apply. Targets found in a directory named on the command line become that
    directory again; those found in the current directory because no target was named
    become no path at all, so pytest's `testpaths` apply as under plain `pytest`."""
    paths: list[str] = []
    for target in targets:
        directory = target.directory
        if directory and not target.named:
            continue
        path = directory or target.path
        if target.node:  # a node id: pytest's own
            path = f"{path}::{target.node}"
        if path not in paths:
            paths.append(path)
    return paths


@contextlib.contextmanager
def _selection(plan: Plan) -> Iterator[None]:
    """-k, -t and --shard for the plugin, in a file named by an environment variable that
    xdist workers inherit."""
    selection = {
        "keyword": plan.keyword,
        "tags": list(plan.tags),
        "shard": list(plan.shard) if plan.shard else None,
        "durations": plan.shard_durations or {},
        "failed_before": plan.failed_before or [],
        "failed_only": plan.failed_only,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(selection, handle)
    previous = os.environ.get(SELECT_ENV)
    os.environ[SELECT_ENV] = handle.name
    try:
        yield
    finally:
        os.unlink(handle.name)
        if previous is None:
            os.environ.pop(SELECT_ENV, None)
        else:
            os.environ[SELECT_ENV] = previous


def _arguments(plan: Plan, *extra: str) -> list[str]:
    return [
        *pytest_paths(plan.targets),
        "-p",
        "thinking_tests.pytest_plugin",
        "-q",
        "--no-header",
        "--no-summary",
        "-p",
        "no:cacheprovider",
        "-W",
        _OWN_REWRITE_NOTICE,
        "--continue-on-collection-errors",  # a broken module is one error case, as in run_all
        *extra,
        *config.pytest_args,
    ]


def _main(args: list[str], plugins: list[object]) -> int:
    """pytest.main with its terminal output held back: ours replaces it, and it is shown
    only if pytest itself broke."""
    import pytest

    pytest_output = io.StringIO()
    with contextlib.redirect_stdout(pytest_output):
        code = int(pytest.main(args, plugins=plugins))
    if code in (int(pytest.ExitCode.INTERNAL_ERROR), int(pytest.ExitCode.USAGE_ERROR)):
        sys.stderr.write(pytest_output.getvalue())
    return code


@dataclass(frozen=True)
class Listed:
    """A case pytest would run (or a module it could not collect), as `--list` shows it."""

    id: str


class _Lister:
    """A pytest plugin object: the ids of the items left after selection, and of the
    modules that failed to collect (each an error case of the run)."""

    def __init__(self) -> None:
        self.rootdir = os.getcwd()
        self.ids: list[str] = []

    def pytest_sessionstart(self, session: Any) -> None:
        self.rootdir = str(session.config.rootpath)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            path = report.nodeid.partition("::")[0]
            module = name_from_path(os.path.join(self.rootdir, path)) if path else "<collection>"
            self.ids.append(f"{module}::<import>")

    def pytest_collection_finish(self, session: Any) -> None:
        self.ids.extend(case_id(item.nodeid, self.rootdir)[0] for item in session.items)


def listed(plan: Plan) -> list[Listed]:
    """What a run of the plan on this engine would run: pytest collects and selects it,
    with the project's own settings, and nothing runs."""
    lister = _Lister()
    with _selection(plan):
        code = _main(_arguments(plan, "--collect-only"), [lister])
    import pytest

    if code in (int(pytest.ExitCode.INTERNAL_ERROR), int(pytest.ExitCode.USAGE_ERROR)):
        from thinking_tests.usage import UsageError

        raise UsageError(f"pytest could not collect the targets (exit code {code})")
    return [Listed(identifier) for identifier in lister.ids]


def run(plan: Plan, runner: CaseRunner, listener: Listener) -> None:
    import pytest

    collector = ResultCollector(listener, plan.exitfirst)
    with _selection(plan):
        code = _main(_arguments(plan, *(["-x"] if plan.exitfirst else [])), [collector])
    plan.selected = collector.selected
    if collector.unapplied:  # pytest's own terminal, which would say it, is held back
        from thinking_tests.retries import not_applied

        sys.stderr.write(not_applied(collector.unapplied) + "\n")
    if code == int(pytest.ExitCode.INTERRUPTED):
        runner.interrupted = True
        collector.finish_interrupted()
    elif code == int(pytest.ExitCode.USAGE_ERROR):
        from thinking_tests.usage import UsageError

        # A node id whose case pytest cannot find, or an option in config.pytest_args it does
        # not know: pytest said which.
        check = "the node ids given and config.pytest_args" if any(t.node for t in plan.targets) else "config.pytest_args"
        raise UsageError(
            f"pytest refused its command line (exit code 4; its own message says why): check {check}"
        )
