"""An exception raised in a case as the results keep it: its kind (skip, xfail, fail, error,
interrupt), its record (`ExceptionInfo`: type, message, a traceback trimmed to the user's
frames, the assert explanation) and the one-line messages a result shows.

The runner records every failed stage with these; engines and collection use them too.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType

from thinking_tests.fixtures import FixtureError
from thinking_tests.model import ExceptionInfo, StageResult
from thinking_tests.timeouts import CaseTimeout

__all__ = ["error_kind", "exception_info", "first_line", "interrupted_by", "interrupted_message"]

# The package's own files (runner, fixtures, these) are plumbing in a case's traceback.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__))


def error_kind(error: BaseException) -> str:
    """'skip', 'xfail', 'fail', 'error' or 'interrupt' for an exception, without importing
    pytest (nor unittest: when no module imported it, nothing can raise its SkipTest)."""
    unittest = sys.modules.get("unittest")
    if unittest is not None and isinstance(error, unittest.SkipTest):
        return "skip"
    # pytest's outcomes, by class: pytest 9 names Skipped and Failed as builtins, so their
    # module says nothing. Only a process that imported pytest can raise them.
    outcomes = sys.modules.get("_pytest.outcomes")
    if outcomes is not None:
        if isinstance(error, outcomes.Skipped):
            return "skip"
        if isinstance(error, outcomes.XFailed):
            return "xfail"
        if isinstance(error, outcomes.Exit):
            return "interrupt"
        if isinstance(error, outcomes.OutcomeException):
            return "fail"
    if isinstance(error, CaseTimeout):
        return "error"
    if isinstance(error, KeyboardInterrupt):
        return "interrupt"
    return "fail"


def _safe_str(error: BaseException) -> str:
    try:
        return str(error)
    except BaseException as inner:  # a hostile __str__ must not take the run down
        return f"<str() of {type(error).__name__} raised {type(inner).__name__}>"


def _type_name(error: BaseException) -> str:
    cls = type(error)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"


def _is_plumbing(file: str) -> bool:
    """The runner's own files and the standard library's (contextlib, asyncio) around a case."""
    if file.startswith(_PACKAGE_DIR):
        return True
    return file.startswith(_STDLIB_DIR) and "-packages" not in file


def _walk(tb: TracebackType | None) -> list[TracebackType]:
    entries: list[TracebackType] = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    return entries


def _is_hidden(file: str) -> bool:
    return file.startswith(_PACKAGE_DIR) or file.startswith("<frozen importlib")


def _trim(tb: TracebackType | None) -> TracebackType | None:
    """Drop the leading frames of plumbing: a traceback starts in the user's code."""
    first = tb
    while tb is not None and _is_plumbing(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb if tb is not None else first


def exception_info(error: BaseException, explain: bool = True) -> ExceptionInfo:
    """An exception as text: type, one-line message, trimmed traceback, assert explanation."""
    import traceback  # here: a run where nothing fails never needs it

    try:
        tb = _trim(error.__traceback__)
        shown = traceback.TracebackException(type(error), error, tb, compact=True)
        # The runner's frames, import machinery and unittest's own assert helpers (marked
        # with `__unittest`, as unittest itself hides them) say nothing about the failure.
        hidden = [
            _is_hidden(t.tb_frame.f_code.co_filename) or "__unittest" in t.tb_frame.f_globals
            for t in _walk(tb)
        ]
        kept = [
            f for f, hide in zip(shown.stack, hidden + [False] * len(shown.stack)) if not hide
        ]
        # A SyntaxError names its file and line itself; its frames are all import machinery.
        # A FixtureError names the declaration's; its frames are all the runner's.
        if not kept and not isinstance(error, (SyntaxError, FixtureError)):
            kept = list(shown.stack)
        shown.stack = traceback.StackSummary.from_list(kept)
        text = "".join(shown.format())
    except BaseException as inner:
        text = f"<traceback could not be formatted: {type(inner).__name__}>\n"
    explanation = ""
    message = _safe_str(error)
    if explain and isinstance(error, AssertionError):
        try:
            from thinking_tests import explain as explaining

            explanation = explaining.explain(error)
            if not message:  # a bare assert: its source line is the message
                message = explaining.first_line(error).removeprefix("AssertionError: ")
                message = "" if message == "AssertionError" else message
        except Exception:  # the explanation is a bonus; the failure stands without it
            explanation = ""
    return ExceptionInfo(_type_name(error), message, text, explanation)


def first_line(info: ExceptionInfo) -> str:
    message = info.message.strip().splitlines()
    return f"{info.type_name}: {message[0]}" if message else info.type_name


def interrupted_message(stages: list[StageResult]) -> str:
    """An interrupted case's message, with the reason when it was not a person: "interrupted:
    the run timeout of 60 s was reached"."""
    for stage in stages:
        info = stage.exception
        if info is not None and info.type_name == "KeyboardInterrupt":
            return interrupted_by(info)
    return "interrupted"


def interrupted_by(info: ExceptionInfo) -> str:
    """The message of a case its KeyboardInterrupt (`info`) stopped."""
    return f"interrupted: {info.message}" if info.message else "interrupted"
