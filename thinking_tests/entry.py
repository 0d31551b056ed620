"""The run_all convention: `run_all()`, `run_current_package()`, `run_current_module()`.

Each looks at the module that called it to decide what to run, runs it, and exits the
process with the run's exit code (pass `exit=False` to get the code back instead).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thinking_tests.registry import module_name, name_from_path, package_root
from thinking_tests.usage import USAGE_ERROR, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from thinking_tests.items import Item, Target

    Arrange = Callable[[list[Item]], list[Item]]


_REEXEC = "THINKING_TESTS_REEXEC"


def _caller(depth: int = 2) -> dict[str, Any]:
    return sys._getframe(depth).f_globals


def _finish(code: int, exit: bool) -> int:
    if exit:
        from thinking_tests.shutdown import exit_process

        sys.stdout.flush()
        exit_process(code)
    return code


def _refuse(message: str, exit: bool) -> int:
    print(f"thinking-tests: {message}", file=sys.stderr)
    return _finish(USAGE_ERROR, exit)


def _caller_file(namespace: dict[str, Any]) -> str:
    file = namespace.get("__file__")
    if not file:
        raise UsageError("run_all() and run_current_*() must be called from a module file")
    return os.path.abspath(str(file))


def _package_of(namespace: dict[str, Any], file: str) -> tuple[str, str]:
    """(dotted name, directory) of the package holding the calling module."""
    name = _real_name(namespace, file)
    if os.path.basename(file) == "__init__.py":
        return name, os.path.dirname(file)
    return name.rpartition(".")[0], os.path.dirname(file)


def _inside_name(namespace: dict[str, Any], file: str) -> str | None:
    """The real dotted name of a main module run by a shorter one from inside its own
    package (`python -m run_all` in test/ names test/run_all.py `run_all`), else None."""
    spec = namespace.get("__spec__")
    if spec is None or not spec.name:
        return None
    real = name_from_path(file)
    return real if real.endswith("." + spec.name) else None


def _real_name(namespace: dict[str, Any], file: str) -> str:
    return _inside_name(namespace, file) or module_name(namespace, file)


def _script_mode_path_fix(namespace: dict[str, Any], file: str) -> None:
    """`python test/run_all.py` (and `python -m run_all` inside test/) put test/ first on
    sys.path; put the project root there instead.

    Without this, `import test` finds CPython's own regression-test package, and the
    project's modules could be imported twice, under two names.
    """
    if namespace.get("__spec__") is not None and _inside_name(namespace, file) is None:
        return
    root = package_root(file)
    sys.path[:] = [p for p in sys.path if not _inside_package(os.path.abspath(p or "."), root)]
    if root not in sys.path:
        sys.path.insert(0, root)
    real = name_from_path(file)
    top = real.split(".")[0]
    loaded = sys.modules.get(top)
    if loaded is not None:
        loaded_file = os.path.abspath(getattr(loaded, "__file__", "") or "")
        if not loaded_file.startswith(root + os.sep):
            raise UsageError(
                f"package '{top}' is already imported from {os.path.dirname(loaded_file)}, "
                f"not from this project; run `python -m {real}` from {root}"
            )


def _inside_package(directory: str, root: str) -> bool:
    """Whether a sys.path entry is one of the project's package folders below `root`."""
    return directory.startswith(root + os.sep) and os.path.isfile(os.path.join(directory, "__init__.py"))


def _project_root_on_path() -> None:
    """Make the project's own packages importable for a test module run as a file.

    `python test/test_x.py` (and `python -m test_x` inside test/) put the test package's
    folder first on sys.path, not the project root, so the module's own `import mypackage`
    fails before run_current_module() could help. Add the root right after that folder, as
    pytest does for a test module in a package. Runs once, when thinking_tests is imported;
    it costs one stat otherwise.
    """
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    if not isinstance(file, str) or not sys.path:
        return
    first = os.path.abspath(sys.path[0] or ".")
    if not os.path.isfile(os.path.join(first, "__init__.py")):
        return
    file = os.path.abspath(file)
    if not file.startswith(first + os.sep):
        return
    root = package_root(file)
    if root not in (os.path.abspath(p or ".") for p in sys.path):
        sys.path.insert(1, root)


_project_root_on_path()


def _check_package_origin(name: str, directory: str) -> None:
    """Refuse to run a same-named package from elsewhere, such as CPython's `test`."""
    import importlib

    top = name.split(".")[0]
    module = importlib.import_module(top)
    found = os.path.abspath(getattr(module, "__file__", "") or "")
    expected_root = package_root(os.path.join(directory, "__init__.py"))
    if not found.startswith(expected_root + os.sep):
        raise UsageError(
            f"'import {top}' finds {os.path.dirname(found)}, not this project's {top}/; "
            f"run `python -m {name}.run_all` from {expected_root}"
        )


def _run(
    targets: list["Target"], exit: bool, namespace: dict[str, Any], arrange: "Arrange | None" = None
) -> int:
    """Run the targets; a module running as __main__ also takes the command line's flags.

    `arrange` filters and orders the selected cases (0.0.4's predicate and sorter).
    """
    from thinking_tests.options import Options
    from thinking_tests.session import execute

    if namespace.get("__name__") != "__main__":
        return _finish(execute(Options(targets=targets, arrange=arrange)), exit)
    command = (os.path.basename(sys.executable), *sys.orig_argv[1:])
    if not sys.argv[1:]:  # no flags: the defaults, without importing argparse and the parser
        return _finish(execute(Options(targets=targets, command=command, arrange=arrange)), exit)
    from thinking_tests.cli import options, parser

    args = parser().parse_args(sys.argv[1:])
    if args.targets:
        return _refuse(
            f"{' '.join(args.targets)}: run_all() and run_current_*() take flags, not targets "
            f"(use python -m thinking_tests TARGET ...)",
            exit,
        )
    chosen = options(args, targets, command)
    chosen.arrange = arrange
    return _finish(execute(chosen), exit)


def _package_targets(namespace: dict[str, Any]) -> list["Target"]:
    from thinking_tests.items import Target

    file = _caller_file(namespace)
    directory = os.path.dirname(file)
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        # A run_all.py at the repository root: every test package there.
        if directory not in [os.path.abspath(p or ".") for p in sys.path]:
            sys.path.insert(0, directory)
        from thinking_tests.targets import test_packages

        targets = test_packages(directory)
        if not targets:
            raise UsageError(
                f"{file} is not inside a package and {directory} holds no test package "
                f"(a package named test or tests, or one with a run_all.py)"
            )
        return targets
    _script_mode_path_fix(namespace, file)
    name, package_dir = _package_of(namespace, file)
    _check_package_origin(name, package_dir)
    return [Target("package", name, package_dir)]


def run_all(*, exit: bool = True) -> int:
    """Run every case of the package holding the calling file, recursively.

    From a `run_all.py` at the repository root (not in a package), run every test package
    there. Exits with the run's exit code unless `exit=False`.
    """
    return _run_package(_caller(), exit)


def run_current_package(*, exit: bool = True) -> int:
    """Run every case of the calling module's package and of all its subpackages."""
    return _run_package(_caller(), exit)


def _run_package(namespace: dict[str, Any], exit: bool) -> int:
    try:
        targets = _package_targets(namespace)
    except UsageError as error:
        return _refuse(str(error), exit)
    return _run(targets, exit, namespace)


def run_current_module(*, exit: bool = True) -> int:
    """Run the calling module's own cases, and nothing else, under its real module name."""
    return _run_module(_caller(), exit)


def _run_module(namespace: dict[str, Any], exit: bool, arrange: "Arrange | None" = None) -> int:
    try:
        file = _caller_file(namespace)
    except UsageError as error:
        return _refuse(str(error), exit)
    running_as_main = namespace.get("__name__") == "__main__"
    # `python -m test_x` inside test/: declared as test_x, imported anew as test.test_x.
    inside = _inside_name(namespace, file) if running_as_main else None
    name = inside or module_name(namespace, file)
    if running_as_main and not os.environ.get(_REEXEC):
        from thinking_tests.config import ConfigError, config, validate
        from thinking_tests.configure import load_config

        try:
            load_config(Path.cwd())
            validate(config)  # before reading it: `config.coverage = False` is one sentence
        except ConfigError as error:
            return _refuse(str(error), exit)
        if config.coverage.enabled and arrange is None:
            # The module (and the code it imported) ran before coverage could start: run it
            # again in a fresh process that starts coverage first (a predicate or sorter
            # cannot cross to it, so with one the run stays here).
            return _finish(_reexec(name, file), exit)
    from thinking_tests.items import Target

    if inside is not None:
        try:
            _script_mode_path_fix(namespace, file)
        except UsageError as error:
            return _refuse(str(error), exit)
        running_as_main = False
    target = Target("module", name, file, namespace if running_as_main else None)
    return _run([target], exit, namespace, arrange)


def _reexec(name: str, file: str) -> int:
    env = dict(os.environ)
    env[_REEXEC] = "1"
    root = package_root(file)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "thinking_tests", name, *sys.argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(sys.executable, command, env)
    import subprocess

    return subprocess.call(command, env=env)

