"""Small checks shared by the test modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

E = TypeVar("E", bound=BaseException)


def error_of(kind: type[E], call: Callable[[], object]) -> E:
    """The `kind` exception that `call()` raises; fails the case when it raises none."""
    try:
        call()
    except kind as error:
        return error
    raise AssertionError(f"expected {kind.__name__}, but nothing was raised")
