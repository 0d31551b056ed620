"""Selecting: `-k EXPR`, `-t TAG`, shards, node ids and the cases that failed before, over
collected items; and how a selection is told (what matched nothing, what a run left unrun).

`-k` takes substrings joined by `and`, `or`, `not` and parentheses, matched case-insensitively
against an item's id, name, description and tags (like pytest's `-k`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from thinking_tests.model import Selection

if TYPE_CHECKING:
    from pathlib import Path

    from thinking_tests.engines import Plan
    from thinking_tests.items import Item, Target
    from thinking_tests.model import CaseResult
    from thinking_tests.options import Options

Predicate = Callable[[str], bool]  # given an item's searchable text, does it match?


class SelectionError(Exception):
    """A `-k` expression that cannot be parsed; the message says where."""


_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def parse_keyword(expression: str) -> Predicate:
    tokens = _TOKEN.findall(expression)
    if not tokens:
        raise SelectionError("-k needs an expression, such as 'parser and not slow'")
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = tokens[position]
        position += 1
        return str(token)

    def parse_or() -> Predicate:
        left = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            left = (lambda a, b: lambda text: a(text) or b(text))(left, right)
        return left

    def parse_and() -> Predicate:
        left = parse_not()
        while peek() == "and":
            take()
            right = parse_not()
            left = (lambda a, b: lambda text: a(text) and b(text))(left, right)
        return left

    def parse_not() -> Predicate:
        if peek() == "not":
            take()
            inner = parse_not()
            return lambda text: not inner(text)
        return parse_atom()

    def parse_atom() -> Predicate:
        token = peek()
        if token is None:
            raise SelectionError(f"-k expression {expression!r} ends too early")
        if token == "(":
            take()
            inner = parse_or()
            if peek() != ")":
                raise SelectionError(f"-k expression {expression!r} misses a ')'")
            take()
            return inner
        if token in (")", "and", "or"):
            raise SelectionError(f"-k expression {expression!r} has '{token}' where a word belongs")
        word = take().lower()
        return lambda text: word in text

    try:
        predicate = parse_or()
    except RecursionError:
        depth = tokens.count("(")
        raise SelectionError(
            f"-k expression nests too deeply ({depth} parentheses) to be parsed"
        ) from None
    if position != len(tokens):
        raise SelectionError(f"-k expression {expression!r} has extra words from '{tokens[position]}'")
    return predicate


def searchable(item: "Item") -> str:
    return "\n".join((item.id, item.name, item.description, *item.tags)).lower()


def matches(
    identifier: str,
    name: str,
    description: str,
    tags: Sequence[str],
    predicate: Predicate | None,
    wanted: Sequence[str],
) -> bool:
    """One item against -k (already parsed) and -t, for hosts without Item objects."""
    if wanted and not set(wanted).intersection(tags):
        return False
    if predicate is None:
        return True
    return predicate("\n".join((identifier, name, description, *tags)).lower())


def select(
    items: Sequence["Item"],
    keyword: str | None = None,
    tags: Sequence[str] = (),
    shard: "Shard | None" = None,
) -> list["Item"]:
    """The items that match `-k`, carry one of `tags` (any, when none given), in the shard."""
    from thinking_tests.items import ImportFailure

    predicate = parse_keyword(keyword) if keyword else None
    wanted = set(tags)
    chosen: list["Item"] = []
    for item in items:
        if isinstance(item, ImportFailure):  # a broken module is reported whatever is selected
            chosen.append(item)
            continue
        if wanted and not wanted.intersection(item.tags):
            continue
        if predicate is not None and not predicate(searchable(item)):
            continue
        chosen.append(item)
    if shard is not None:
        mine = shard.split([item.id for item in chosen if not isinstance(item, ImportFailure)])
        chosen = [i for i in chosen if isinstance(i, ImportFailure) or i.id in mine]
    return chosen


class Shard:
    """`--shard K/N`: this run's share of the cases, the same split on every machine.

    Without durations a case goes to shard crc32(id) % N. With the durations of an earlier
    run (every shard must be given the same ones), cases are dealt longest first to the
    least loaded shard, so the shards take about equally long.
    """

    def __init__(self, index: int, count: int, durations: dict[str, float] | None = None) -> None:
        if count < 1 or not 1 <= index <= count:
            raise SelectionError(f"--shard {index}/{count}: K must be between 1 and N")
        self.index = index
        self.count = count
        self.durations = durations or {}

    @classmethod
    def parse(cls, text: str, durations: dict[str, float] | None = None) -> "Shard":
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise SelectionError(f"--shard takes K/N, such as 2/4, not {text!r}") from None
        return cls(index, count, durations)

    def split(self, identifiers: Sequence[str]) -> set[str]:
        """The ids, of those given, that belong to this shard."""
        import zlib

        if not self.durations:
            return {i for i in identifiers if zlib.crc32(i.encode("utf-8", "surrogatepass")) % self.count == self.index - 1}
        known = [self.durations[i] for i in identifiers if i in self.durations]
        typical = sorted(known)[len(known) // 2] if known else 0.0
        loads = [0.0] * self.count
        mine: set[str] = set()
        # Longest first, ties by id: every shard computes the same assignment.
        for identifier in sorted(identifiers, key=lambda i: (-self.durations.get(i, typical), i)):
            target = min(range(self.count), key=lambda s: (loads[s], s))
            loads[target] += self.durations.get(identifier, typical)
            if target == self.index - 1:
                mine.add(identifier)
        return mine


def durations_from(path: str) -> dict[str, float]:
    """Case durations from a journal (journal.jsonl) of an earlier run; a line of it that
    cannot be read is skipped with a warning on stderr, the rest still balance the shards."""
    from pathlib import Path

    from thinking_tests.journal import read_warning

    run = read_warning(Path(path))
    return {case.id: case.duration for case in run.cases}


_Run = TypeVar("_Run")


def failed_again(items: list[_Run], ids: Callable[[_Run], str], failed: set[str], only: bool) -> list[_Run] | None:
    """--last-failed (`only`): the items whose id failed before, or None when none of them
    is among `items` (then every item runs). --failed-first: those items first, the rest
    after, each in its order. The same for the items collected here and for pytest's."""
    again = [item for item in items if ids(item) in failed]
    if only:
        return again or None
    return again + [item for item in items if ids(item) not in failed]


class NothingSelected(Exception):
    """-k, -t or a shard left none of the collected cases: exit 5, the last reports kept."""


def runnable(items: "list[Item] | None") -> int:
    """How many of `items` are cases (a module that failed to import is not one)."""
    from thinking_tests.items import ImportFailure

    kinds = list(map(type, items or ()))  # counted in C: this runs on every collected item
    return len(kinds) - kinds.count(ImportFailure)


def by_node_ids(items: "list[Item]", targets: list[Target]) -> "list[Item]":
    """The items a node-id target names, and every item of the other targets' modules."""
    nodes = [t for t in targets if t.node]
    if not nodes:
        return items
    from thinking_tests.items import ImportFailure

    named = {t.name for t in nodes}
    whole = [t for t in targets if not t.node]
    return [
        item
        for item in items
        if isinstance(item, ImportFailure)
        or any(t.selects(item.module, item.name) for t in nodes)
        or (item.module not in named or any(t.covers(item.module, item.file) for t in whole))
    ]


def unmatched_node(items: "list[Item]", targets: list[Target]) -> str:
    """One sentence for the first node-id target that names no case of its module ("" when
    each names one), as pytest refuses a node id it cannot find. A module that failed to
    import is not asked: its error case says why."""
    from thinking_tests.items import ImportFailure

    for target in targets:
        if not target.node:
            continue
        own = [item for item in items if item.module == target.name]
        if any(isinstance(item, ImportFailure) for item in own):
            continue
        names = [item.name for item in own]
        if any(target.selects(target.name, name) for name in names):
            continue
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        return (
            f"node id '{target.name}::{target.node}' names no case of {target.name} "
            f"({f'its cases: {shown}' if names else 'it has none'})"
        )
    return ""


def nothing_matched(
    items: "list[Item]", keyword: str | None, tags: list[str], shard: str | None, nodes: tuple[str, ...] = ()
) -> str:
    """One sentence: which selection matched none of how many collected cases."""
    asked = [f"node id {node!r}" for node in nodes]
    if keyword:
        asked.append(f"-k {keyword!r}")
    if tags:
        known = sorted({tag for item in items for tag in getattr(item, "tags", ())})
        shown = ", ".join(known) if known else "none"
        asked.append(f"-t {' -t '.join(tags)} (tags in use: {shown})")
    if shard:
        asked.append(f"--shard {shard}")
    count = runnable(items)
    return (
        f"{' and '.join(asked) or 'the selection'} matched none of the {count} collected "
        f"case{'s' if count != 1 else ''} ({count} deselected); the last run's reports are kept"
    )


def filters_of(options: Options) -> tuple[str, ...]:
    """The selection on top of the targets, as a reader of a report would want it told."""
    import shlex

    filters: list[str] = [f"node id {node}" for node in node_ids(options)]
    if len(options.targets) == 1 and options.targets[0].kind == "module" and not filters:
        filters.append(f"one module: {options.targets[0].name}")
    if options.keyword:
        filters.append(f"-k {shlex.quote(options.keyword)}")
    filters.extend(f"-t {shlex.quote(tag)}" for tag in options.tags)
    if options.shard:
        filters.append(f"shard {options.shard}")
    return tuple(filters)


def node_ids(options: Options) -> tuple[str, ...]:
    return tuple(f"{t.name}::{t.node}" for t in options.targets if t.node)


def failed_in(journal: Path | None) -> set[str] | None:
    """The ids of the cases a journal records as failed or errored; None without a readable
    journal there."""
    from thinking_tests.journal import JournalError, read
    from thinking_tests.model import Outcome

    if journal is None or not journal.is_file():
        return None
    try:
        run = read(journal)
    except JournalError:
        return None
    return {case.id for case in run.cases if case.outcome in (Outcome.FAILED, Outcome.ERROR)}


def selected_ids(plan: Plan) -> list[str]:
    """The ids of the selected cases: the items collected here, or those the engine selected
    itself (pytest); none when neither is known."""
    if plan.items is not None:
        from thinking_tests.items import ImportFailure

        return [item.id for item in plan.items if not isinstance(item, ImportFailure)]
    return list(plan.selected or ())


def count_not_run(selected: list[str], finished: list[CaseResult]) -> int:
    """Selected cases that have no result: the run stopped (-x) or was interrupted first."""
    done = {case.id for case in finished}
    return sum(1 for identifier in selected if identifier not in done)


def unrun(
    plan: Plan, finished: list[CaseResult], selection: Selection, interrupted: bool, exitfirst: bool
) -> tuple[Selection, str | None]:
    """The selection of a run that left selected cases unrun (interrupted, or -x), counting
    them (the reports show a partial run), and the terminal's note saying so; `selection`
    and None when every selected case ran. A failing setUpClass reports one error for its
    class's tests, which never start: only -x and an interrupt leave cases unrun."""
    if not (interrupted or exitfirst):
        return selection, None
    selected = selected_ids(plan)
    not_run = count_not_run(selected, finished)
    if not not_run:
        return selection, None
    why = "interrupted" if interrupted else "stopped at the first failure (-x)"
    filters = selection.filters if interrupted else (*selection.filters, "-x")
    note = f"{why}: {not_run} of {len(selected)} selected cases did not run"
    return Selection(selection.targets, filters, selection.deselected, not_run), note
