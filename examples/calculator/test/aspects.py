"""Aspects shared by the calculator's tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from thinking_tests import Stage, aspect

if TYPE_CHECKING:
    from thinking_tests.case import Case


@aspect
def timed(stage: Stage, case: Case) -> Iterator[None]:
    """Print how long each stage of a case took; the line lands in the case's report."""
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        print(f"{case.id} {stage}: {elapsed_ms:.2f} ms")
