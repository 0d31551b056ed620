"""CPython's own `test` package (its regression tests) in place of a project's `test` package.

A project's tests usually live in a package named `test`, and CPython ships a package of that
name too. Whichever is found first on sys.path wins: `python -m ...` puts the working
directory first, but a bare console script (`pytest`) puts its own folder there, and a
folder without `__init__.py` loses to any regular package. Only error paths import this.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_NAME = "test"


def stdlib_test_hint(error: BaseException, root: Path) -> str:
    """A sentence saying that `test` resolved to the standard library's package, and what to
    do, when `error` is an import under `test` that went there; "" otherwise."""
    if not isinstance(error, ImportError):
        return ""
    if (getattr(error, "name", None) or "").split(".")[0] != _NAME:
        return ""
    stdlib = stdlib_test_package()
    if stdlib is None:
        return ""
    ours = root / _NAME
    where = f"`{_NAME}` resolved to the standard library's package at {stdlib}, not to this project's"
    if (ours / "__init__.py").is_file():
        return (
            f"{where} at {ours} (it was imported before __test__.py ran): run "
            f"`python -m pytest` from {root}, or name the project's package `tests`"
        )
    if ours.is_dir():
        return (
            f"{where} folder {ours}, which has no __init__.py: add {ours / '__init__.py'} "
            f"(a folder without one loses to any package of its name)"
        )
    return f"{where}: {root} has no `{_NAME}` package (is it named `tests`?)"


def stdlib_test_package() -> Path | None:
    """The folder of the imported `test` package when it is the standard library's."""
    import sysconfig

    module = sys.modules.get(_NAME)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    folder = Path(os.path.abspath(file)).parent
    stdlib = Path(os.path.abspath(sysconfig.get_paths()["stdlib"]))
    return folder if folder.parent == stdlib else None


class RootImportable:
    """Within it, `root` is first on sys.path (a bare `pytest` does not put the working
    directory there, `python -m pytest` does); afterwards sys.path is as before."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.added = False

    def __enter__(self) -> None:
        if self.root not in (os.path.abspath(p or ".") for p in sys.path):
            sys.path.insert(0, self.root)
            self.added = True

    def __exit__(self, *exc: object) -> None:
        if self.added and self.root in sys.path:
            sys.path.remove(self.root)
