"""Selecting: `-k EXPR` and `-t TAG` over collected items.

`-k` takes substrings joined by `and`, `or`, `not` and parentheses, matched case-insensitively
against an item's id, name, description and tags (like pytest's `-k`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

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

    predicate = parse_or()
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
    items: Sequence["Item"], keyword: str | None = None, tags: Sequence[str] = ()
) -> list["Item"]:
    """The items that match `-k` and carry at least one of `tags` (all items when not given)."""
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
    return chosen
