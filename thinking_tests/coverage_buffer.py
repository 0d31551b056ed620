"""Contexts switched cheaply: the lines each context ran, gathered in memory and written to
coverage.py's data once, when the cases are done.

coverage.py's own `switch_context` writes the lines of the context that ends to its data
file at every switch, after copying the set of lines of every file measured so far: around a
hundred microseconds a case with fifty files measured, as much as a trivial case costs. Here
a switch takes only the lines recorded since the last one (the sets that are not empty),
keyed by the context they belong to; `write` hands them to coverage.py's data through its
public API (`set_context`, `add_lines`), in one transaction.

Used only where coverage.py measures lines (not branches: arcs are packed by its tracer) with
a tracer that records every line each time (not sys.monitoring, which records a line once),
and where its collector keeps its data as expected; elsewhere `Contexts` calls coverage.py's
own `switch_context`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LineBuffer:
    """The lines of each context since the buffer began, taken from coverage.py's tracer."""

    def __init__(self, raw: dict[str, set[int]], mapped: Callable[[str], str]) -> None:
        self.raw = raw  # file -> lines recorded since the last take (coverage.py's collector)
        self.mapped = mapped
        self.current = ""
        self.pending: dict[str, dict[str, tuple[int, ...]]] = {}
        self.paths: dict[int, str] = {}  # id of a set of `raw` -> its file

    @classmethod
    def of(cls, running: Any) -> LineBuffer | None:
        """A buffer on the running Coverage, or None when it does not measure as expected."""
        collector = getattr(running, "_collector", None)
        core = getattr(running, "_core", None)
        raw = getattr(collector, "data", None)
        data = getattr(running, "_data", None)
        if (
            not isinstance(raw, dict)
            or getattr(collector, "branch", True)  # arcs: packed by the tracer
            or not getattr(core, "supports_dynamic_contexts", False)  # sys.monitoring
            or not callable(getattr(data, "add_lines", None))
            or not callable(getattr(data, "set_context", None))
        ):
            return None
        mapped = getattr(collector, "cached_mapped_file", None)
        return cls(raw, mapped if callable(mapped) else str)

    def take(self) -> None:
        """The lines recorded since the last take, added to the current context's."""
        recorded = list(filter(None, self.raw.values()))  # the sets not empty, found in C
        if not recorded:
            return
        taken = self.pending.setdefault(self.current, {})
        for lines in recorded:
            path = self.paths.get(id(lines))
            if path is None or self.raw.get(path) is not lines:  # a file new since the last
                self.paths = {id(known): name for name, known in list(self.raw.items())}
                path = self.paths[id(lines)]
            # A tuple of ints, which the garbage collector stops tracking, unlike a set:
            # thousands kept until the end would make each of its full passes longer.
            copy = tuple(lines)
            lines.difference_update(copy)  # what another thread adds meanwhile stays
            known = taken.get(path)
            taken[path] = copy if known is None else tuple({*known, *copy})

    def write(self, data: Any) -> None:
        """Everything taken, into coverage.py's data, in one transaction: the contexts new to
        it in a few statements (its schema, version 7), the rest, or all should its internals
        differ, through its public API, context by context."""
        self.take()
        pending, self.pending = self.pending, {}
        rest = _write_new(data, {context: files for context, files in pending.items() if context}, self.mapped)
        if "" in pending:
            rest[""] = pending[""]
        for context, files in rest.items():
            data.set_context(context or None)
            data.add_lines({self.mapped(path): lines for path, lines in files.items()})


def _write_new(
    data: Any, pending: dict[str, dict[str, tuple[int, ...]]], mapped: Callable[[str], str]
) -> dict[str, dict[str, tuple[int, ...]]]:
    """The contexts of `pending` that the data has no row of yet, written with two batched
    inserts; returns the contexts left to write (all of them when this cannot be done)."""
    try:
        from coverage import sqldata
        from coverage.numbits import nums_to_numbits

        if sqldata.SCHEMA_VERSION != 7 or not pending:
            return pending
        data.add_lines({})  # coverage.py starts its file and records lines, not arcs
        with data._connect() as db:
            with db.execute("select context from context") as rows:
                known = {row[0] for row in rows}
            new = [context for context in pending if context not in known]
            with db.execute("select coalesce(max(id), 0) from context") as rows:
                last = next(iter(rows))[0]
            numbers = range(last + 1, last + 1 + len(new))  # their ids given, not read back
            db.executemany_void("insert into context (id, context) values (?, ?)", list(zip(numbers, new)))
            files: dict[str, int] = {}
            bits = []
            for number, context in zip(numbers, new):
                for path, lines in pending[context].items():
                    file_id = files.get(path)
                    if file_id is None:
                        file_id = files[path] = data._file_id(mapped(path), add=True)
                    bits.append((file_id, number, nums_to_numbits(lines)))
            db.executemany_void("insert into line_bits (file_id, context_id, numbits) values (?, ?, ?)", bits)
    except Exception:  # noqa: BLE001 - coverage.py's internals differ: its public API instead
        return pending
    return {context: files for context, files in pending.items() if context in known}
