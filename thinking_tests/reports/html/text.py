"""The texts of a case as the HTML report shows them: cleaned, shortened, one line of each.

Texts come from the tests, so they may hold anything. Escaping is the template's (jinja2's
autoescape); what escaping cannot fix is done here, before a text reaches the template or
the JSON block: control characters (HTML parse errors) and lone surrogates (not encodable
as UTF-8) made visible as U+FFFD, and terminal colour and title sequences dropped.
"""

from __future__ import annotations

import re

from thinking_tests.model import Attempt, CaseResult, Outcome
from thinking_tests.reports._files import truncate

MESSAGE_LINE = 300  # characters of a message in the plain table

# Terminal colour and title sequences mean nothing in a browser; drop them from long texts.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Control characters are HTML parse errors and lone surrogates cannot be encoded as UTF-8.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

FAILING = frozenset({Outcome.FAILED._value_, Outcome.ERROR._value_})


def shown(value: object) -> str:
    """A value as the page prints it: text, control characters and lone surrogates replaced."""
    return _UNSAFE.sub("\ufffd", value if type(value) is str else str(value))


def long(text: str, limit: int) -> str:
    """A long text (output, traceback) without terminal sequences, cut to about `limit`."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return text if len(text) <= limit else truncate(text, limit)


def first_line(text: str) -> str:
    """The first line of `text`, cut to `MESSAGE_LINE` characters."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= MESSAGE_LINE else line[: MESSAGE_LINE - 1] + "…"


def explained(case: CaseResult | Attempt, message: str) -> str:
    """The first line of a failure's (or a failed attempt's) assert explanation,
    `assert 3 == 4`: the values that differed, which a row shows under its message. "" without
    one, or when the message already ends with it (an assert of literals)."""
    exception = case.exception
    if exception is None or not exception.explanation:
        return ""
    line = first_line(exception.explanation)
    return "" if message.rstrip().endswith(line) else line


def message(case: CaseResult | Attempt) -> str:
    """The one line a list shows: the case's (or attempt's) message, else its first exception."""
    if case.message:
        return case.message
    exception = case.exception
    if exception is None:
        return ""
    if not exception.message:
        return exception.type_name
    return f"{exception.type_name}: {exception.message}"
