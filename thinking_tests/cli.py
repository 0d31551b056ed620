"""`python -m thinking_tests [TARGET ...]`, also installed as `thinking-tests`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from thinking_tests.items import Target
from thinking_tests.engines import backend_argument
from thinking_tests.options import Options
from thinking_tests.session import execute
from thinking_tests.targets import resolve
from thinking_tests.arguments import UsageParser
from thinking_tests.usage import USAGE_ERROR, UsageError


def parser() -> argparse.ArgumentParser:
    p = UsageParser(
        prog="thinking-tests",
        description="Run thinking-tests cases: packages, modules or paths (default: the test "
        "packages of the current directory).",
        epilog="Also: `thinking-tests init` sets up a repository; "
        "`thinking-tests report [DIR]` rebuilds reports from a run's journal; "
        "`thinking-tests merge DIR... [--into DIR]` merges the reports of several shards.",
    )
    p.add_argument("targets", nargs="*", metavar="TARGET", help="package, module or path")
    p.add_argument("-k", dest="keyword", metavar="EXPR",
                   help="only cases whose id, name or tags match: substrings with and/or/not")
    p.add_argument("-t", "--tag", dest="tags", action="append", default=[], metavar="TAG",
                   help="only cases with this tag (repeatable: any of them)")
    p.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first failure")
    p.add_argument("--lf", "--last-failed", dest="last_failed", action="store_true",
                   help="only the cases that failed in the last run (its journal); all when none did")
    p.add_argument("--ff", "--failed-first", dest="failed_first", action="store_true",
                   help="the cases that failed in the last run first, then the rest")
    p.add_argument("--affected", action="store_true",
                   help="only the cases that ran a file changed since the last run measured with "
                   "coverage, and those new, failed last time or without a coverage record")
    p.add_argument("--resume", action="store_true",
                   help="continue the last run that did not finish, from its journal: cases "
                   "with a result keep it, the rest run, the reports cover the whole run")
    p.add_argument("--list", dest="list_only", action="store_true",
                   help="list the selected case ids and exit")
    p.add_argument("--backend", type=backend_argument, metavar="NAME",
                   help="the engine to run on: unittest, pytest or an installed one")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, only the end")
    p.add_argument("--durations", type=_count, metavar="N", help="show the N slowest cases")
    p.add_argument("--no-reports", dest="reports", action="store_false", default=None,
                   help="write no report files")
    p.add_argument("--no-coverage", dest="coverage", action="store_false", default=None,
                   help="do not measure coverage")
    p.add_argument("--report-dir", metavar="DIR", help="directory for every report")
    p.add_argument("--shard", metavar="K/N",
                   help="run only the K-th of N shares of the cases (split by case id)")
    p.add_argument("--isolate", action="store_true",
                   help="run each module in a child process: a crash costs only that module")
    p.add_argument("-n", "--numprocesses", dest="workers", type=_workers, metavar="N",
                   help="run whole modules in N worker processes (auto: one per core; 0: none); "
                   "under the pytest engine, pytest-xdist's -n")
    p.add_argument("--journal", help=argparse.SUPPRESS)
    p.add_argument("--only-ids", help=argparse.SUPPRESS)
    p.add_argument("--shard-durations", metavar="JOURNAL",
                   help="balance --shard by the case durations of an earlier run's journal")
    p.add_argument("--run-timeout", type=_seconds, metavar="SECONDS",
                   help="stop the run past this many seconds, as Ctrl-C does (reports written, exit 2)")
    p.add_argument("--reruns", type=_count, metavar="N",
                   help="run a failed case again up to N times (over config.retries; a case's "
                   "own @test(retries=...) wins); one that then passes is flaky, counted as passed")
    p.add_argument("--compare", metavar="JOURNAL",
                   help="compare this run with the run that journal recorded (default: the last run, "
                   "whose journal each run keeps as journal.prev.jsonl in the report folder)")
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    return p


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < seconds < float("inf"):  # NaN too
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds: {text!r}")
    return seconds


def _workers(text: str) -> int:
    from thinking_tests.workers import count

    try:
        return count(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


class _Version(argparse.Action):
    """--version, looked up only when asked: importlib.metadata costs every run ~20 ms."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"thinking-tests {_version()}")
        parser.exit()


def _version() -> str:
    """The installed distribution's version, which may add to the package's own (a local or
    dev suffix); the package's `__version__` when not installed, or when the metadata found
    is another release's (an old thinking-tests installed beside this checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    from thinking_tests import __version__

    try:
        installed = version("thinking-tests")
    except PackageNotFoundError:
        return __version__
    return installed if installed.startswith(__version__) else __version__


def options(args: argparse.Namespace, targets: list[Target], command: tuple[str, ...]) -> Options:
    return Options(
        targets=targets,
        keyword=args.keyword,
        tags=args.tags,
        exitfirst=args.exitfirst,
        last_failed=args.last_failed,
        failed_first=args.failed_first,
        affected=args.affected,
        resume=args.resume,
        list_only=args.list_only,
        verbose=args.verbose,
        quiet=args.quiet,
        durations=args.durations,
        backend=args.backend,
        reports=args.reports,
        coverage=args.coverage,
        report_dir=args.report_dir,
        shard=args.shard,
        shard_durations=args.shard_durations,
        isolate=args.isolate,
        workers=args.workers,
        journal=args.journal,
        only_ids=args.only_ids,
        run_timeout=args.run_timeout,
        reruns=args.reruns,
        compare=args.compare,
        command=command,
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(argv if argv is not None else sys.argv[1:])
    if arguments and arguments[0] in ("init", "report", "merge"):
        from thinking_tests.commands import main as subcommand

        return subcommand(arguments)
    args = parser().parse_args(arguments)
    try:
        targets: list[Target] = []
        for text in args.targets or [os.getcwd()]:
            targets.extend(resolve(text, named=bool(args.targets)))
    except UsageError as error:
        print(f"thinking-tests: {error}", file=sys.stderr)
        return USAGE_ERROR
    return execute(options(args, targets, ("thinking-tests", *arguments)))


def console_main() -> None:
    from thinking_tests.shutdown import exit_process

    exit_process(main())
