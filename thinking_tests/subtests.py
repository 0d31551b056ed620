"""Failing subtests (`TestCase.subTest`, pytest's `subtests`) folded into their test's result.

A test with a failing subtest fails, on every engine. Its result names each failing subtest
with its parameters, so every report shows which one failed, without a report of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from thinking_tests.model import ExceptionInfo


def subtest_label(message: str | None, params: dict[str, object]) -> str:
    """How one subtest is named: `[message] (a=1, b='x')`, as unittest prints it."""
    parts: list[str] = []
    if message is not None:
        parts.append(f"[{message}]")
    if params:
        parts.append("(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")")
    return " ".join(parts) or "(<subtest>)"


def combine(failures: Sequence[tuple[str, ExceptionInfo]]) -> tuple[str, ExceptionInfo]:
    """The one-line message and the exception a test gets from its failing subtests.

    `failures` are (label, exception) pairs in the order the subtests failed; there is at
    least one. The first failure's type leads; the traceback holds every failure in turn.
    """
    label, first = failures[0]
    head = first.message.strip().splitlines()
    first_text = f"{first.type_name}: {head[0]}" if head else first.type_name
    count = len(failures)
    message = f"subtest {label} failed: {first_text}"
    if count > 1:
        message = f"{count} subtests failed, first {label}: {first_text}"
    sections = []
    for label_n, info in failures:
        explanation = f"\n{info.explanation}" if info.explanation else ""
        sections.append(f"--- subtest {label_n} ---\n{info.traceback}{explanation}")
    combined = ExceptionInfo(
        type_name=first.type_name,
        message=message,
        traceback="\n".join(sections),
    )
    return message, combined
