"""What a command-line target names: a path (a file, a package folder, a folder of tests), a
dotted package or module name, or either followed by `::` and a case (a pytest node id)."""

from __future__ import annotations

import importlib.util
import os
import sys

from thinking_tests.items import Target
from thinking_tests.registry import name_from_path, package_root
from thinking_tests.usage import UsageError


def test_packages(directory: str) -> list[Target]:
    """The test packages of a repository root: packages named test/tests or holding run_all.py."""
    found: list[Target] = []
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        if not entry.is_dir() or not entry.name.isidentifier():
            continue
        if not os.path.isfile(os.path.join(entry.path, "__init__.py")):
            continue
        if entry.name in ("test", "tests") or os.path.isfile(os.path.join(entry.path, "run_all.py")):
            found.append(Target("package", entry.name, entry.path))
    return found


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
