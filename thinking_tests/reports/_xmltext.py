"""Untrusted text made safe for XML 1.0, visibly.

A test may print anything: NUL, terminal colours, undecodable bytes (which Python keeps as
lone surrogates), Unicode noncharacters. XML 1.0 forbids some of these outright and
discourages others, and a forbidden character makes the whole report unreadable. Deleting
them would hide what the test printed, so each one becomes a visible `#xNN` marker instead,
as pytest's JUnit report does: `\\x1b[31m` becomes `#x1B[31m`, `\\x00` becomes `#x00`.
"""

from __future__ import annotations

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

# str.translate does the replacing: one C loop, where a regex with a Python callback
# costs a call per character (seconds for megabytes of NUL).
_TABLE: dict[int, str] = {
    code: f"#x{code:02X}" if code <= 0xFF else f"#x{code:04X}"
    for low, high in _REPLACED
    for code in range(low, high + 1)
}


def visible(text: str) -> str:
    """`text` with every character XML 1.0 forbids or discourages replaced by `#xNN`.

    The result can be put in any XML text or attribute (the serialiser still escapes
    `<`, `&` and quotes) and encoded as UTF-8 without error.
    """
    if _FIND.search(text) is None:  # the common case, and a fast scan
        return text
    return text.translate(_TABLE)
