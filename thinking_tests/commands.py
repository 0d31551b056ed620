"""The command line's subcommands besides running: `init`, `report` and `merge`.

    python -m thinking_tests init [DIR]                   make a repository a thinking-tests one
    python -m thinking_tests report [DIR]                 rebuild reports from DIR's journal
    python -m thinking_tests merge DIR [DIR ...] [--into DIR]   one set of reports from shards
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.config import ConfigError, config, validate
from thinking_tests.configure import load_config
from thinking_tests.journal import JournalError, merge, printable, read_warning
from thinking_tests.run_reports import rebuild_reports, report_directory, report_root
from thinking_tests.terminal import Terminal
from thinking_tests.arguments import UsageParser
from thinking_tests.usage import USAGE_ERROR

if TYPE_CHECKING:
    from thinking_tests.compare import Previous

SUBCOMMANDS = ("init", "report", "merge")


def _journal_in(directory: Path) -> Path:
    name = config.reports.journal or "journal.jsonl"
    return directory / name


def main(argv: Sequence[str]) -> int:
    command, rest = argv[0], list(argv[1:])

    parser = UsageParser(prog=f"thinking-tests {command}")
    if command == "init":
        parser.description = (
            "Make a repository a thinking-tests one: a __test__.py with the settings, a "
            "run_all.py in every test package, reports/ in .gitignore. Never overwrites a file."
        )
        parser.add_argument("directory", nargs="?", default=".", help="the repository root")
        from thinking_tests.scaffold import init

        return init(Path(parser.parse_args(rest).directory))
    if command == "report":
        parser.description = (
            "Rebuild the JUnit XML and HTML reports from a run's journal, e.g. after the test "
            "process was killed: finished cases keep their results, the running one is an error."
        )
        parser.add_argument("directory", nargs="?", help="the report directory (default: configured)")
        parser.add_argument("--compare", metavar="JOURNAL",
                            help="compare the run with the run that journal recorded (default: the "
                            "journal.prev.jsonl beside the run's journal, when there is one)")
    else:
        parser.description = (
            "Merge the journals and coverage data of several shards' report directories "
            "into one set of reports."
        )
        parser.add_argument("directories", nargs="+", metavar="DIR")
        parser.add_argument("--into", metavar="DIR", help="where to write (default: configured)")
    args = parser.parse_args(rest)
    terminal = Terminal()
    try:
        config_file = load_config(Path.cwd())
        validate(config)
    except ConfigError as error:
        print(f"thinking-tests: {error}", file=sys.stderr)
        return USAGE_ERROR
    root = report_root(config_file)
    try:
        if command == "report":
            directory = Path(args.directory) if args.directory else report_directory(root)
            journal = _journal_in(directory)
            earlier = _earlier(journal, args.compare)  # before the reports are written again
            run = read_warning(journal)
            config.reports.directory = str(directory.resolve())
            compared: list[str] = []
            if earlier is not None:  # as a run compares: a failure is one line, never the reports
                from thinking_tests.compare import compared_safely

                run, compared = compared_safely(run, earlier, args.compare is not None, config.pytest_args)
            return rebuild_reports(run, root, terminal, compared)
        sources = [Path(d) for d in args.directories]
        runs = [read_warning(_journal_in(d)) for d in sources]
        target = Path(args.into).resolve() if args.into else report_directory(root)
        config.reports.directory = str(target)
        notes = _merge_coverage(sources, target) if config.coverage.enabled else []
        for note in notes:
            terminal.write(note + "\n")
        merged = merge(runs, [printable(str(d)) for d in sources])
        # merge's own notes, the conflicts, follow the inputs' (already on stderr).
        for conflict in merged.notes[sum(len(run.notes) for run in runs):]:
            terminal.write(conflict + "\n")
        return rebuild_reports(merged, root, terminal)
    except JournalError as error:
        print(f"thinking-tests: {error}", file=sys.stderr)
        return USAGE_ERROR


def _earlier(journal: Path, named: str | None) -> "Previous | Path | None":
    """The run `report` compares with: --compare's journal, read now (JournalError when it is
    no journal), else the one kept beside the run's journal (journal.prev.jsonl, read as a
    run reads it, by `compare.compared_run`), else none."""
    from thinking_tests.journal import previous

    if named is not None:
        from thinking_tests.compare import read_compared

        return read_compared(Path(named))
    kept = previous(journal)
    return kept if kept.is_file() else None


def _merge_coverage(sources: list[Path], target: Path) -> list[str]:
    """Combine the shards' coverage data files and write the coverage reports from them."""
    name = Path(config.coverage.data_file).name
    found = [str(d / name) for d in sources if (d / name).is_file()]
    if not found:
        return []
    import coverage

    target.mkdir(parents=True, exist_ok=True)
    data_file = target / name
    combined = coverage.Coverage(data_file=str(data_file))
    combined.combine(found, keep=True)
    combined.save()
    lines = [f"coverage data: combined {len(found)} file{'s' if len(found) != 1 else ''}"]
    if config.coverage.xml is not None:
        combined.xml_report(outfile=str(target / config.coverage.xml))
    if config.coverage.html is not None:
        combined.html_report(directory=str(target / config.coverage.html))
    import io

    total = combined.report(file=io.StringIO())
    lines.append(f"coverage: {total:.1f}%")
    return lines
