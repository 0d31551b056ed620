"""Fixtures every run has, named as pytest names them, so a case runs under either engine.

Under the pytest host pytest's own fixtures of these names fill the parameters instead. The
registry makes them fixtures when a case first asks for one (Registry.load_builtins).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _pytest.monkeypatch import MonkeyPatch
    from _pytest.recwarn import WarningsRecorder


def tmp_path() -> Iterator[Path]:
    """A new empty directory for the case, removed after it."""
    path = Path(tempfile.mkdtemp(prefix="thinking-tests-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def monkeypatch() -> Iterator["MonkeyPatch"]:
    """pytest's MonkeyPatch: setattr, setenv, chdir, syspath_prepend, all undone after the case."""
    from _pytest.monkeypatch import (
        MonkeyPatch,  # imported only by cases that ask for it
    )

    patch = MonkeyPatch()
    try:
        yield patch
    finally:
        patch.undo()


def recwarn() -> Iterator["WarningsRecorder"]:
    """pytest's WarningsRecorder over the case, made as pytest's recwarn makes it: every
    warning recorded, the same warning from one line once (the "default" action)."""
    import warnings

    from _pytest.recwarn import WarningsRecorder  # imported only by cases that ask for it

    recorder = WarningsRecorder(_ispytest=True)
    with recorder:
        warnings.simplefilter("default")
        yield recorder


FIXTURES = (tmp_path, monkeypatch, recwarn)  # each of case scope, named after its function
