"""One pytest-style test (a function, or a method of a class, with one set of params) as a
case: its marks evaluated, its fixtures found, or an error case saying why it cannot run."""

from __future__ import annotations

import functools
import inspect
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from thinking_tests.case import Case
from thinking_tests.fixtures import SCOPE_RANK
from thinking_tests.pytest_style.call import caller
from thinking_tests.pytest_style.context import ClassContext, ModuleContext
from thinking_tests.pytest_style import AsyncUnsupported, InvalidTest, NeedsPytest, _NotRun, needs
from thinking_tests.pytest_style.marks import Xfail, check_plugin_marks, skip_reason, tags, xfail_of
from thinking_tests.pytest_style.xunit import INSTANCE, MODULE, function_fixture, instance_fixture
from thinking_tests.registry import Fixture

UNKNOWN_PARAMS = "its parameter cases are unknown without pytest"
_ASYNC_FAIL = (
    "async def functions are not natively supported.\n"
    "You need to install a suitable plugin for your async framework, for example:\n"
    "  - anyio\n"
    "  - pytest-asyncio\n"
    "  - pytest-tornasync\n"
    "  - pytest-trio\n"
    "  - pytest-twisted"
)


@dataclass(frozen=True)
class Where:
    """Where a case is and what it is called: what its case is made with, whatever it does."""

    module: ModuleContext
    name: str  # "TestX::test_y[param-id]"
    param_id: str | None
    file: str
    line: int

    def case(self, func: Callable[..., Any], tags: tuple[str, ...], skip: str | None, **more: Any) -> Case:
        return Case(
            id=f"{self.module.name}::{self.name}",
            module=self.module.name,
            name=self.name,
            func=func,
            file=self.file,
            line=self.line,
            tags=tags,
            skip=skip,
            param_id=self.param_id,
            **more,
        )


def make_case(
    where: Where,
    func: Any,
    attr: str,
    chain: list[ClassContext],
    marks: list[Any],
    params: dict[str, Any],
    static: bool,
    blocker: str | None = None,
    unknown_params: str | None = None,
) -> Case:
    """The case of one test with these marks and params; `blocker` is what else makes it
    need pytest, `unknown_params` why its parameter sets are unknown without pytest."""
    module, name = where.module, where.name
    tagged = tags(marks)
    skip: str | None = None
    try:
        skip = skip_reason(name, marks)
        check_plugin_marks(name, marks)
        shared = module.blocker or next((c.blocker for c in reversed(chain) if c.blocker), None)
        if shared is not None:
            raise needs(name, shared)
        xfail = xfail_of(name, marks, module.settings.strict_xfail)
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            raise InvalidTest(f"'yield' keyword is allowed in fixtures, but not in tests ({attr})")
        try:
            arg_names, defaults = _arg_names(func, bool(chain), static)
        except (TypeError, ValueError) as error:
            raise InvalidTest(f"Could not determine arguments of {func!r}: {error}") from None
        for argname in params:
            # pytest checks against every fixture the test reaches: with pytest's fixtures
            # in between (a blocker), pytest's check is the one that counts.
            if argname not in arg_names and blocker is None:
                if argname in defaults:
                    raise InvalidTest(f"In {attr}: function already takes an argument '{argname}' with a default value")
                raise InvalidTest(f"In {attr}: function uses no argument '{argname}'")
        used = [a for m in marks if m.name == "usefixtures" for a in m.args]
        wanted = list(dict.fromkeys([*used, *(a for a in arg_names if a not in params)]))
        found: dict[str, Fixture] = {}
        for fixture_name in wanted:
            fixture = module.registry.find_fixture(fixture_name, module.name)
            if fixture is None:
                module.registry.load_builtins()  # all of them, recwarn too
                fixture = module.registry.find_fixture(fixture_name, module.name)
            if fixture is None:
                raise _unknown_fixture(module, chain, name, fixture_name)
            found[fixture_name] = fixture
        if blocker is not None:  # a fixture's params or an indirect parametrize, found at last
            raise needs(name, blocker)
        is_async = inspect.iscoroutinefunction(func)
        if is_async:
            _check_async(module, name, marks)
    except (NeedsPytest, InvalidTest, AsyncUnsupported) as problem:
        if unknown_params is not None and isinstance(problem, NeedsPytest):
            problem = NeedsPytest(f"{problem}; {UNKNOWN_PARAMS} ({unknown_params})")
        return error_case(where, problem, skip, tagged)
    if unknown_params is not None:  # every fixture found, yet pytest parametrizes it
        return error_case(where, needs(name, unknown_params), skip, tagged)
    if xfail is not None and not xfail.run:
        return _not_run(where, xfail, skip, tagged)
    own: dict[str, Fixture] = {}
    if module.setup_module is not None:
        own[MODULE] = module.setup_module
    for enclosing in chain:
        if enclosing.setup_class is not None:
            own[enclosing.setup_class.name] = enclosing.setup_class
    if chain:
        own[INSTANCE] = instance_fixture(chain[-1].cls, attr, module.name, module.file, module.marker)
    elif module.function_xunit is not None:
        fixture = function_fixture(module.function_xunit, module.name, module.file, func)
        own[fixture.name] = fixture
    # pytest sets fixtures up by scope, widest first; within one scope, autouse first.
    ranked = sorted(found, key=lambda n: -SCOPE_RANK.get(found[n].scope, 0))
    wraps_xfail = xfail is not None and (xfail.strict or xfail.raises is not None)
    extra: dict[str, Any] = {"fixtures": own}
    if chain:
        extra["class"] = chain[-1].path
    return where.case(
        caller(attr, func, bool(chain), arg_names, params, xfail if wraps_xfail else None, is_async),
        tagged,
        skip,
        xfail=(xfail.reason or "expected to fail") if xfail is not None and not wraps_xfail else None,
        fixture_names=(*own, *ranked),
        is_async=is_async,
        extra=extra,
    )


def arg_names_of(func: Any, in_class: bool, static: bool) -> tuple[str, ...]:
    """The arguments pytest fills (none when they cannot be read: make_case says why)."""
    try:
        return _arg_names(func, in_class, static)[0]
    except (TypeError, ValueError):
        return ()


def _arg_names(func: Any, in_class: bool, static: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the arguments pytest fills, those with defaults), as pytest's getfuncargnames."""
    parameters = inspect.signature(func).parameters
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names = tuple(
        p.name for p in parameters.values() if p.kind in kinds and p.default is inspect.Parameter.empty
    )
    defaults = tuple(p.name for p in parameters.values() if p.default is not inspect.Parameter.empty)
    if in_class and not static:
        names = names[1:]
    if hasattr(func, "__wrapped__"):
        names = names[_mock_patch_args(func):]
    return names, defaults


def _mock_patch_args(func: Any) -> int:
    patchings = getattr(func, "patchings", None)
    if not patchings:
        return 0
    sentinels = [getattr(sys.modules.get(m), "DEFAULT", object()) for m in ("mock", "unittest.mock")]
    return len([p for p in patchings if not p.attribute_name and any(p.new is s for s in sentinels)])


def _check_async(module: ModuleContext, name: str, marks: list[Any]) -> None:
    """An async test runs on a fresh event loop where pytest-asyncio would run it; under
    pytest without an async plugin it fails, so it fails here too, with pytest's words."""
    names = {m.name for m in marks}
    for other in ("anyio", "trio"):
        if other in names:
            raise needs(name, f"mark '{other}'")
    if module.async_plugin is None:
        import importlib.util

        module.async_plugin = importlib.util.find_spec("pytest_asyncio") is not None
    asyncio_marks = [m for m in marks if m.name == "asyncio"]
    for mark in asyncio_marks:
        scope = mark.kwargs.get("loop_scope", mark.kwargs.get("scope", "function"))
        if scope != "function":
            raise needs(name, f"an event loop of {scope} scope")
    if module.async_plugin and (asyncio_marks or module.settings.asyncio_mode == "auto"):
        return
    raise AsyncUnsupported


def error_case(where: Where, problem: Exception, skip: str | None, tags: tuple[str, ...]) -> Case:
    """A test that cannot run here: an error in its setup saying why (or, for an async test
    pytest cannot run either, the failure pytest reports). A skip pytest would apply first
    still applies."""
    if isinstance(problem, AsyncUnsupported):
        from _pytest.outcomes import Failed

        def fail() -> None:
            raise Failed(_ASYNC_FAIL, pytrace=False)

        return where.case(fail, tags, skip)

    refuse = _raiser(functools.partial(type(problem), str(problem)), where)
    return where.case(_never, tags, skip, setups=(refuse,))


# `raise make(...)` spanning two lines from column 0: shown under the test's line, a
# traceback puts no carets under it.
_RAISE = compile("raise make(\n)", "<needs pytest>", "exec")


def _raiser(make: Callable[[], BaseException], where: Where) -> Callable[[], None]:
    """A setup that raises the error, made fresh, from a frame at the test's own line: its
    traceback is that one line of the test's source and no frame of this package (the
    runner shows all frames when every one is its own, and the message says it all)."""
    name = where.name.partition("[")[0].rpartition("::")[2] or "test"
    code = _RAISE.replace(co_filename=where.file, co_firstlineno=max(where.line, 1), co_name=name)
    return types.FunctionType(code, {"__name__": where.module.name, "make": make}, name)


def _not_run(where: Where, xfail: Xfail, skip: str | None, tags: tuple[str, ...]) -> Case:
    """xfail(run=False): pytest reports it xfailed without setting anything up or running it."""
    reason = f"[NOTRUN] {xfail.reason}"

    def not_run() -> None:
        raise _NotRun(reason)

    return where.case(not_run, tags, skip, xfail=reason)


def _never() -> None:  # an error case's setup fails first: this never runs
    pass


# pytest's own fixtures (pytest 8 and 9): a test that asks for one needs pytest, no doubt.
PYTEST_FIXTURES = frozenset({
    "cache", "capfd", "capfdbinary", "caplog", "capsys", "capsysbinary", "capteesys",
    "doctest_namespace", "monkeypatch", "pytestconfig", "record_property",
    "record_testsuite_property", "record_xml_attribute", "recwarn", "request", "subtests",
    "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory",
})


def _unknown_fixture(module: ModuleContext, chain: list[ClassContext], name: str, wanted: str) -> NeedsPytest:
    """A fixture thinking-tests does not provide. pytest's own, or one a conftest.py or the
    module defines for pytest: the test needs pytest. Any other name may be a pytest plugin's,
    or a typo: the message says it is known nowhere here and names the closest known names."""
    known = set(PYTEST_FIXTURES) | set(module.fixture_definitions())
    for enclosing in chain:
        known |= set(enclosing.fixture_definitions(module))
    for conftest in module.conftests():
        known |= set(conftest.fixtures)
    if wanted in known:
        return needs(name, f"fixture '{wanted}'")
    import difflib

    ours = {fixture.name for entry in module.registry.modules.values() for fixture in entry.fixtures.values()}
    ours |= set(module.registry.builtins)
    close = difflib.get_close_matches(wanted, sorted(known | ours), n=3, cutoff=0.75)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    problem = needs(name, f"fixture '{wanted}'", "may provide through a plugin (no fixture of that name is known here)")
    return NeedsPytest(f"{problem}{hint}")
