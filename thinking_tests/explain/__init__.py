"""Explain a failing plain ``assert`` when no assertion rewriting ran (the unittest engine).

pytest rewrites ``assert`` statements at import time so that a failure reports every
intermediate value. The unittest engine has no such step: ``assert add(1, 2) == 4`` fails
with an empty ``AssertionError``. :func:`explain` recovers the values afterwards. It finds
the failing statement in the source, evaluates its parts again in the frame that raised, and
writes them the way pytest does::

    assert 3 == 4
     +  where 3 = add(1, 2)

Comparisons of strings, sequences, dicts, sets and dataclasses get pytest's own detailed
explanation (a diff, the first differing index, ...), with a plain fallback when pytest is
missing or its private helper changed.

Everything here runs only after a failure: the runner imports this package then, and
pytest only when a comparison asks for its explanation. The parts: `source` finds the failed
statement, `evaluate` evaluates its parts again, `compare` explains a comparison, `text`
keeps values short.
"""

from __future__ import annotations

from thinking_tests.explain.evaluate import _Evaluator, _NotEvaluated, _render_wheres
from thinking_tests.explain.source import _find_assert, _unsafe_part
from thinking_tests.explain.text import _clip, _first_message_line, _type_name, _unparse

__all__ = ["explain", "first_line"]

_MAX_FIRST_LINE = 200


def explain(error: BaseException, *, verbosity: int = 0) -> str:
    """Lines explaining a failed plain ``assert``: its values and, for comparisons, a diff.

    Returns "" when there is nothing to add: the error did not come from an ``assert``
    statement, its source is unavailable, or pytest already rewrote the assert (its message
    then holds the values). The text complements the traceback, whose last line already
    carries the assert's message, so the message is not repeated. Never raises.

    The values come from evaluating the assert's parts a second time, after the failure;
    when that evaluation passes, a closing line says so. `verbosity` is handed to pytest's
    comparison helper (0 = pytest's default, 1 = ``-v``: full diffs of containers).
    """
    try:
        return _explain(error, verbosity)
    except KeyboardInterrupt:
        raise
    except BaseException:  # explaining one failure must never cause a second one
        return ""


def first_line(error: BaseException) -> str:
    """A one-line summary, e.g. ``AssertionError: assert add(1, 2) == 4`` for a bare assert.

    Uses the first line of the message; a bare ``assert`` has none, so its source stands in.
    Evaluates nothing, so it is safe to call next to :func:`explain`.
    """
    try:
        name = _type_name(type(error))
        message = _first_message_line(error)
        if not message and isinstance(error, AssertionError):
            found = _find_assert(error)
            if found is not None:
                message = "assert " + _unparse(found[1].test)
        return _clip(f"{name}: {message}" if message else name, _MAX_FIRST_LINE)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return type(error).__name__


# --- the explanation ---------------------------------------------------------------------


def _explain(error: BaseException, verbosity: int) -> str:
    if not isinstance(error, AssertionError):
        return ""
    found = _find_assert(error)
    if found is None:
        return ""
    tb, node = found
    statement = "assert " + _unparse(node.test)
    unsafe = _unsafe_part(node.test)
    if unsafe:
        return f"{statement}\n(values not shown: the assertion contains {unsafe}, which is not evaluated twice)"

    frame = tb.tb_frame
    # One flat namespace: names in lambdas and comprehensions of the expression resolve as
    # globals of the compiled code, so the frame's locals must be globals too.
    namespace: dict[str, object] = dict(frame.f_globals)
    namespace.update(frame.f_locals)
    evaluator = _Evaluator(namespace, frame.f_code, verbosity)
    try:
        top = evaluator.visit(node.test)
    except _NotEvaluated as failed:
        return f"{statement}\n(values not shown: evaluating `{failed.source}` again raised {failed.error})"

    lines = [f"assert {top.text}"]
    blocks = [block for block in evaluator.details if block[1]]
    for comparison, details in blocks:
        if len(blocks) > 1:  # say which comparison each diff belongs to
            lines.append(f"  {comparison}:")
            details = ["  " + line for line in details]
        lines += ["  " + line for line in details]
    lines += _render_wheres(top.wheres, 1)
    try:
        passed = bool(top.value)
    except Exception:
        passed = False
    if passed:
        lines.append(
            "(the assertion passed when re-evaluated: it has side effects or depends on state"
            " that changed, so the values above may differ from the ones that failed)"
        )
    return "\n".join(lines)
