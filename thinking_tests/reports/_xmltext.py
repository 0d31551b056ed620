"""Untrusted text made safe for XML 1.0, visibly.

A test may print anything: NUL, terminal colours, undecodable bytes (which Python keeps as
lone surrogates), Unicode noncharacters. XML 1.0 forbids some of these outright and
discourages others, and a forbidden character makes the whole report unreadable. Deleting
them would hide what the test printed, so each one becomes a visible `#xNN` marker instead,
as pytest's JUnit report does: `\\x1b[31m` becomes `#x1B[31m`, `\\x00` becomes `#x00`.

`attribute` and `content` then escape what XML gives a meaning to, exactly as ElementTree's
serialiser does, for writers that build the XML text themselves.
"""

from __future__ import annotations

import functools
import re

# Code point ranges (inclusive) that XML 1.0 forbids, and the invisible controls and
# noncharacters it discourages. The noncharacters of the supplementary planes (U+1FFFE...)
# are legal and left alone: a class reaching past U+FFFF makes the scan several times slower.
_REPLACED: list[tuple[int, int]] = [
    (0x00, 0x08),  # C0 controls except tab, line feed and carriage return
    (0x0B, 0x0C),
    (0x0E, 0x1F),
    (0x7F, 0x84),  # DEL and C1 controls, except NEL (0x85)
    (0x86, 0x9F),
    (0xD800, 0xDFFF),  # surrogates: in a Python str always lone, never valid
    (0xFDD0, 0xFDEF),  # noncharacters
    (0xFFFE, 0xFFFF),  # forbidden
]

_FIND = re.compile(
    "[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _REPLACED) + "]"
)


@functools.cache
def _table() -> dict[int, str]:
    # str.translate does the replacing: one C loop, where a regex with a Python callback
    # costs a call per character (seconds for megabytes of NUL). Built on first need: most
    # runs print nothing that needs it, and its 2,000 entries cost half a millisecond.
    return {
        code: f"#x{code:02X}" if code <= 0xFF else f"#x{code:04X}"
        for low, high in _REPLACED
        for code in range(low, high + 1)
    }


def visible(text: str) -> str:
    """`text` with every character XML 1.0 forbids or discourages replaced by `#xNN`.

    The result can be put in any XML text or attribute once escaped (`attribute`,
    `content`) and encoded as UTF-8 without error.
    """
    if _FIND.search(text) is None:  # the common case, and a fast scan
        return text
    return text.translate(_table())


def attribute(text: str) -> str:
    """`text` made visible and escaped for an attribute value between double quotes.

    Escaped exactly as ElementTree escapes attribute values: `&`, `<`, `>` and `"` become
    entities, and tab, line feed and carriage return become character references, so a
    parser gives them back instead of normalising them to spaces.
    """
    text = content(text)  # `&` first, so the references added below stay as they are
    for char, reference in _ATTRIBUTE_ONLY:
        if char in text:
            text = text.replace(char, reference)
    return text


_ATTRIBUTE_ONLY = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def content(text: str) -> str:
    """`text` made visible and escaped for element content, as ElementTree escapes it.

    Only `&`, `<` and `>` are escaped (`]]>` cannot survive that); quotes, tabs and line
    breaks are written as they are.
    """
    text = visible(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def plain(text: str) -> bool:
    """True when `attribute(text)` (and so `content(text)`) would give back `text` itself.

    One call can vouch for many strings at once: it checks characters, not sequences, so
    `plain("".join(names))` tells that every name is plain.
    """
    return _FIND.search(text) is None and not any(char in text for char in '&<>"\r\n\t')
