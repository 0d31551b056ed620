"""coverage.py's HTML pages written by a forked child while the parent process writes the
XML report (each report analyses every measured file again, most of its cost).

With contexts shown, coverage.py decodes the line set of every context in every file (one
per case and file: 5,000 for 5,000 cases) with a decoder that tests each bit of its bytes;
the child uses one that visits only the bits set, which gives the same numbers in the same
order, so the pages are the same, sooner. Imported only when coverage's reports are written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping


def html_in_child(options: Mapping[str, object], directory: str, contexts: bool) -> Callable[[], str | None]:
    """Start writing the HTML pages in a forked child, its own Coverage made from `options`;
    the returned call waits for it and gives None, or why it failed."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own Coverage object and database connection
        code = 1
        try:
            os.close(reading)
            import coverage

            if contexts:
                _quicker_decoding()
            child = coverage.Coverage(**options)  # type: ignore[arg-type]
            child.load()
            child.html_report(directory=directory, show_contexts=contexts)
            code = 0
        except BaseException as error:  # noqa: BLE001 - said to the parent, which reports it
            os.write(writing, f"{type(error).__name__}: {error}".encode("utf-8", "replace"))
        finally:
            os._exit(code)
    os.close(writing)
    waited: list[str | None] = []

    def wait() -> str | None:
        if not waited:
            with os.fdopen(reading, "rb") as pipe:
                said = pipe.read().decode("utf-8", "replace")
            _, status = os.waitpid(pid, 0)
            ok = os.waitstatus_to_exitcode(status) == 0
            waited.append(None if ok else said or "the HTML coverage report could not be written")
        return waited[0]

    return wait


def numbits_to_nums(numbits: bytes) -> list[int]:
    """The numbers of a coverage.py numbits (bit n of the little-endian bytes set: n is in
    it), ascending, as `coverage.numbits.numbits_to_nums` gives them."""
    bits = int.from_bytes(numbits, "little")
    nums = []
    while bits:
        lowest = bits & -bits
        nums.append(lowest.bit_length() - 1)
        bits ^= lowest
    return nums


def _quicker_decoding() -> None:
    """In this (child) process only: coverage.py's data reads line sets with `numbits_to_nums`
    above, if it reads them with its own as expected."""
    from coverage import numbits, sqldata

    if getattr(sqldata, "numbits_to_nums", None) is numbits.numbits_to_nums:
        sqldata.numbits_to_nums = numbits_to_nums  # type: ignore[attr-defined]
