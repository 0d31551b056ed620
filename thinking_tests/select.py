"""Selecting: `-k EXPR` and `-t TAG` over collected items.

`-k` takes substrings joined by `and`, `or`, `not` and parentheses, matched case-insensitively
against an item's id, name, description and tags (like pytest's `-k`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from thinking_tests.collect import Item

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
    from thinking_tests.collect import ImportFailure

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
