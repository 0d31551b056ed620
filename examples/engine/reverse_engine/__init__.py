"""A thinking-tests engine that runs each module's cases in reverse order.

A case that passes only because another case of its module ran first (shared state, a
file left behind, a cache filled) fails here. Modules keep their order, so a module-scoped
fixture is still made once for its module. It uses only `thinking_tests.engine_api`.
"""

from __future__ import annotations

from thinking_tests.engine_api import (
    Case,
    CaseResult,
    ImportFailure,
    Item,
    Listener,
    Plan,
    Runner,
    import_failure_result,
    not_run_result,
    should_stop,
)

__all__ = ["reversed_by_module", "run"]


def reversed_by_module(items: list[Item]) -> list[Item]:
    """`items` with each module's items in reverse order, the modules in their own order."""
    modules: dict[str, list[Item]] = {}
    for item in items:
        modules.setdefault(item.module, []).append(item)
    return [item for module in modules.values() for item in reversed(module)]


def run(plan: Plan, runner: Runner, listener: Listener) -> None:
    """The engine: every selected item, each module's backwards, one result each."""
    items = reversed_by_module(plan.items or [])
    cases = [item for item in items if isinstance(item, Case)]
    # The case after each one: fixture scopes it is outside of end before it.
    following = dict(zip(map(id, cases), [*cases[1:], None]))
    for item in items:
        result: CaseResult
        if isinstance(item, Case):
            listener.started(item)
            result = runner.run(item, following[id(item)])
        elif isinstance(item, ImportFailure):
            result = import_failure_result(item)
        else:  # a unittest TestCase test: reported, never dropped
            listener.started(item)
            result = not_run_result(
                item, "the reverse engine runs @test cases only; run TestCase tests with --backend unittest"
            )
        listener.finished(result)
        if should_stop(result, plan, runner):
            break
