"""The pytest engine: `pytest.main` in-process with the plugin and our result collector.

pytest is handed the targets as `pytest TARGET` would be (a directory, a file), imports and
collects them itself, with the project's own pytest settings; the collector
(`pytest_results`) turns its reports into CaseResults. A unittest suite's `load_tests`
decides its tests here as under unittest (see `pytest_suite`). `--list` asks pytest what it
would run. `config.pytest_args` pass through, so `-n 4` (pytest-xdist) and other plugins
work; the selection travels to xdist workers in a file named by an environment variable that
the plugin reads."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from thinking_tests.config import config
from thinking_tests.engines import Listener, Plan
from thinking_tests.engines.pytest_results import ResultCollector, case_id
from thinking_tests.items import Target
from thinking_tests.registry import name_from_path
from thinking_tests.runner import CaseRunner

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
    from thinking_tests.pytest_collect import SELECT_ENV  # imports pytest, which runs next

    selection = {
        "keyword": plan.keyword,
        "tags": list(plan.tags),
        "shard": list(plan.shard) if plan.shard else None,
        "durations": plan.shard_durations or {},
        "failed_before": plan.failed_before or [],
        "failed_only": plan.failed_only,
        "left_out": plan.left_out or [],
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
