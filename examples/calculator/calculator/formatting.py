"""How results are shown: shortest sensible text, integers without a trailing '.0'."""

from __future__ import annotations

# 15 significant digits hide binary noise such as 0.1 + 0.2 = 0.30000000000000004.
SIGNIFICANT_DIGITS = 15


def format_number(value: float) -> str:
    """Render a result the way a person would write it: 7, 0.3, 1e+20, inf."""
    if value == 0:
        return "0"  # also turns -0.0 into 0
    return format(value, f".{SIGNIFICANT_DIGITS}g")
