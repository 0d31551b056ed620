"""`python -m thinking_tests [TARGET ...]`, also installed as `thinking-tests`."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence

from thinking_tests.collect import Target
from thinking_tests.engines import backend_argument
from thinking_tests.entry import UsageError, test_packages
from thinking_tests.registry import name_from_path, package_root
from thinking_tests.session import USAGE_ERROR, Options, execute


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # A usage error is exit code 4, as in pytest, not argparse's 2 (which means interrupted).
        self.print_usage(sys.stderr)
        print(f"thinking-tests: {message}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)


def parser() -> argparse.ArgumentParser:
    p = _Parser(
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
    p.add_argument("--journal", help=argparse.SUPPRESS)
    p.add_argument("--only-ids", help=argparse.SUPPRESS)
    p.add_argument("--shard-durations", metavar="JOURNAL",
                   help="balance --shard by the case durations of an earlier run's journal")
    p.add_argument("--run-timeout", type=_seconds, metavar="SECONDS",
                   help="stop the run past this many seconds, as Ctrl-C does (reports written, exit 2)")
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


def resolve(text: str, named: bool = True) -> list[Target]:
    """A command-line target: a path (file or directory), a dotted package/module name, or
    either followed by `::` and a case (a pytest node id).

    `named` is false for the current directory taken when no target was given."""
    where, separator, node = text.partition("::")
    if separator:
        return [_node_target(text, where, node)]
    path = os.path.abspath(text)
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "__init__.py")):
            _on_path(package_root(os.path.join(path, "__init__.py")))
            return [Target("package", name_from_path(os.path.join(path, "__init__.py")), path)]
        _on_path(path)
        found = test_packages(path) + _loose_test_modules(path)
        if named:  # as `pytest DIR`: test modules in folders below without __init__.py too
            known = {t.path for t in found}
            found += [t for t in _below(path) if t.path not in known]
        targets = [Target(t.kind, t.name, t.path, directory=path, named=named) for t in found]
        if not targets:
            raise UsageError(f"{text} holds no test package and no test_*.py module")
        return targets
    if os.path.isfile(path):
        if not path.endswith(".py"):
            raise UsageError(f"{text} is not a Python file")
        _on_path(package_root(path))
        return [Target("module", name_from_path(path), path)]
    if _path_like(text):
        raise UsageError(_no_such_path(text))
    _on_path(os.getcwd())
    found = _find_on_path(text)
    if found is not None:
        return [found]
    missing = f"no module or package named {text!r}, and no file or folder of that name"
    try:
        # Not a file on sys.path (say, a zipped or namespace package): ask the import system,
        # which imports the parent packages to answer.
        spec = importlib.util.find_spec(text)
    except ModuleNotFoundError:
        raise UsageError(missing) from None
    except (ImportError, ValueError) as error:
        raise UsageError(f"{missing} ({error})") from None
    if spec is None or spec.origin is None and not spec.submodule_search_locations:
        raise UsageError(missing)
    if spec.submodule_search_locations:
        directory = list(spec.submodule_search_locations)[0]
        return [Target("package", text, os.path.abspath(directory))]
    return [Target("module", text, os.path.abspath(str(spec.origin)))]


def _node_target(text: str, where: str, node: str) -> Target:
    """A pytest node id: a module's file or dotted name, `::`, then a case (`name`,
    `name[param]`, `Class`, `Class::method`)."""
    if not where or any(not part for part in node.split("::")):
        raise UsageError(
            f"{text!r} is not a node id: give a module's file or name, then ::, then a case, "
            f"as in test/test_x.py::name"
        )
    # A folder is never a node id's module, even one holding a single test module.
    found = [] if os.path.isdir(where) else _resolve_node_module(text, where)
    if len(found) != 1 or found[0].kind != "module":
        folder = os.path.isdir(where) and not os.path.isfile(os.path.join(where, "__init__.py"))
        what = "a folder" if folder else "a package"
        raise UsageError(
            f"{text!r} is not a node id: {where} is {what}, not a module "
            f"(give a module's file or name, then ::, then a case)"
        )
    module = found[0]
    return Target(module.kind, module.name, module.path, node=node)


def _resolve_node_module(text: str, where: str) -> list[Target]:
    try:
        return resolve(where)
    except UsageError as error:
        raise UsageError(f"node id {text}: {error}") from None


def _path_like(text: str) -> bool:
    """Whether a target that names nothing was meant as a path, not a dotted name."""
    separators = tuple(s for s in (os.sep, os.altsep) if s)
    return any(s in text for s in separators) or text.endswith(".py") or text.startswith(".")


def _no_such_path(text: str) -> str:
    before, colon, after = text.rpartition(":")
    if colon and after and os.path.isfile(before):
        # file:line as a traceback shows it, or a node id with one colon.
        case = "NAME" if after.isdigit() else after
        return f"no file {text}: a node id puts :: between the module and its case, as in {before}::{case}"
    return f"no file or folder {text}"


def _find_on_path(dotted: str) -> Target | None:
    """A dotted name found as files on sys.path, without importing anything: the test
    package's __init__.py must not run before __test__.py has been loaded.

    Inside a package (`cd test`), dotted names are also looked up from the project root
    above it, which then goes on sys.path, as for `python -m run_all` there."""
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    for entry in sys.path:
        found = _find_in(os.path.abspath(entry or "."), parts)
        if found is not None:
            return found
    here = os.path.join(os.getcwd(), "__init__.py")
    if os.path.isfile(here):
        root = package_root(here)
        found = _find_in(root, parts)
        if found is not None:
            _on_path(root)
        return found
    return None


def _find_in(entry: str, parts: list[str]) -> Target | None:
    """The package or module `parts` names in one sys.path entry, if its files are there."""
    base = os.path.join(entry, *parts)
    packages = [os.path.join(entry, *parts[:i]) for i in range(1, len(parts))]
    if not all(os.path.isfile(os.path.join(p, "__init__.py")) for p in packages):
        return None
    if os.path.isfile(os.path.join(base, "__init__.py")):
        return Target("package", ".".join(parts), base)
    if os.path.isfile(base + ".py"):
        return Target("module", ".".join(parts), base + ".py")
    return None


def _loose_test_modules(directory: str) -> list[Target]:
    return [
        Target("module", entry.name[:-3], entry.path)
        for entry in sorted(os.scandir(directory), key=lambda e: e.name)
        if entry.is_file()
        and entry.name.endswith(".py")
        and (entry.name.startswith("test_") or entry.name.endswith("_test.py"))
    ]


def _below(directory: str) -> list[Target]:
    """Test modules and test packages in the folders below `directory` that are not
    packages, where `pytest DIR` finds them too (a module is imported by its own name, its
    folder put on sys.path, as pytest's default import mode does). Folders pytest does not
    enter by default (hidden ones, build, dist, node_modules, virtual environments) are
    skipped."""
    from thinking_tests.pytest_config import enters

    found: list[Target] = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if not entry.is_dir(follow_symlinks=False) or not enters(entry.path):
            continue
        if os.path.isfile(os.path.join(entry.path, "__init__.py")):
            if _loose_test_modules(entry.path):  # a package of tests, imported as one
                _on_path(package_root(os.path.join(entry.path, "__init__.py")))
                found.append(Target("package", name_from_path(os.path.join(entry.path, "__init__.py")), entry.path))
            continue
        modules = _loose_test_modules(entry.path)
        if modules:
            _on_path(entry.path)
        found += modules + _below(entry.path)
    return found


def _on_path(directory: str) -> None:
    if directory not in (os.path.abspath(p or ".") for p in sys.path):
        sys.path.insert(0, directory)


def options(args: argparse.Namespace, targets: list[Target], command: tuple[str, ...]) -> Options:
    return Options(
        targets=targets,
        keyword=args.keyword,
        tags=args.tags,
        exitfirst=args.exitfirst,
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
        journal=args.journal,
        only_ids=args.only_ids,
        run_timeout=args.run_timeout,
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
