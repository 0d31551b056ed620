"""Tests of the documentation: every code block of README.md runs, and the quickstart works.

The README is read when these tests run, never copied into them, so a new block is tested
(or refused as unknown) without touching the tests. This module only parses the README;
it imports nothing of thinking_tests.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent.parent / "README.md"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language ("" when none), text, first line and section."""

    lang: str
    text: str
    line: int  # 1-based line of the opening fence
    section: str  # the title of the nearest heading above it
    n: int = 1  # its place among the blocks of its language in that section

    @property
    def id(self) -> str:
        """A case id that survives edits elsewhere: `python-parameters`, `text-what-the-terminal-shows-2`."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-") or "top"
        return f"{self.lang or 'text'}-{slug}" + (f"-{self.n}" if self.n > 1 else "")

    def __repr__(self) -> str:  # shown in failure messages
        return f"README.md:{self.line} ({self.lang or 'text'} block under {self.section!r})"


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced code block of the README (or of `text`), in order."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Block] = []
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        fence = _FENCE.match(line)
        if heading:
            section = heading["title"].strip("`")
        elif fence:
            indent = fence["indent"]
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                body.append(lines[index])
                index += 1
            start = index - len(body)  # 1-based line of the opening fence
            assert index < len(lines), f"README.md:{start}: a code block is never closed"
            text_ = textwrap.dedent("\n".join(body)) if indent else "\n".join(body)
            n = 1 + sum(b.lang == fence["lang"] and b.section == section for b in found)
            found.append(Block(fence["lang"], text_.strip("\n") + "\n", start, section, n))
        index += 1
    return found


def section_blocks(title: str, lang: str | None = None) -> list[Block]:
    """The blocks under the heading `title` (and its subheadings' blocks are not included)."""
    return [b for b in blocks() if b.section == title and (lang is None or b.lang == lang)]
