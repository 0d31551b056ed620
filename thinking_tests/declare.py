"""Declaring: `@test`, `@fixture`, `setup`, `teardown` and `aspect`. Declaring only records.

`test` and `fixture` are plain functions carrying `__test__ = False`, so pytest never tries to
collect the imported names themselves.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ContextManager, TypeVar, overload

from thinking_tests.aspects import GeneratorAspect
from thinking_tests.case import Aspect, Case
from thinking_tests.registry import REGISTRY, SCOPES, Block, Fixture, module_name

F = TypeVar("F", bound=Callable[..., Any])


@overload
def test(func: F, /) -> F: ...


@overload
def test(
    description: str | None = None,
    /,
    *,
    name: str | None = None,
    tags: Iterable[str] = (),
    skip: bool | str = False,
    xfail: bool | str = False,
    timeout: float | None = None,
    retries: int | None = None,
    params: Sequence[Any] | None = None,
    ids: Sequence[str] | None = None,
    aspects: Sequence[Aspect] = (),
    setup: Callable[[], Any] | None = None,
    teardown: Callable[[], Any] | None = None,
) -> Callable[[F], F]: ...


def test(
    func_or_description: Any = None,
    /,
    *,
    name: str | None = None,
    tags: Iterable[str] = (),
    skip: bool | str = False,
    xfail: bool | str = False,
    timeout: float | None = None,
    retries: int | None = None,
    params: Sequence[Any] | None = None,
    ids: Sequence[str] | None = None,
    aspects: Sequence[Aspect] = (),
    setup: Callable[[], Any] | None = None,
    teardown: Callable[[], Any] | None = None,
) -> Any:
    """Declare a case. Bare (`@test`) or with a description and options (`@test("...", tags=[...])`).

    The function itself is returned unchanged, so it can still be called directly.
    """
    if callable(func_or_description):
        return _declare(func_or_description, _PLAIN)
    description = func_or_description
    if description is not None and not isinstance(description, str):
        raise TypeError(f"@test takes a description string, not {type(description).__name__}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"@test(name=...) must be a string, not {type(name).__name__} {name!r}")
    if isinstance(tags, str):
        tags = (tags,)
    tags = tuple(tags)
    for tag in tags:
        if not isinstance(tag, str):
            raise TypeError(f"@test(tags=...) must hold strings, not {type(tag).__name__} {tag!r}")
    if ids is not None:
        for one in ids:
            if not isinstance(one, str):
                raise TypeError(f"@test(ids=...) must hold strings, not {type(one).__name__} {one!r}")
    options = _Options(
        description=description or "",
        name=name,
        tags=tags,
        skip=_reason(skip, "skipped"),
        xfail=_reason(xfail, "expected to fail"),
        timeout=timeout,
        retries=retries,
        params=params,
        ids=ids,
        aspects=tuple(aspects),
        setup=setup,
        teardown=teardown,
    )
    if timeout is not None and (
        not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf")  # NaN too
    ):
        raise TypeError(f"@test(timeout=...) must be a positive number of seconds, not {timeout!r}")
    if retries is not None and (not isinstance(retries, int) or isinstance(retries, bool) or retries < 0):
        raise TypeError(f"@test(retries=...) must be a whole number of times (0 or more), not {retries!r}")
    for obj in options.aspects:
        if not callable(getattr(obj, "around", None)):
            raise TypeError(f"@test(aspects=...) holds {obj!r}, which has no around(stage, case)")

    def decorate(func: F) -> F:
        return _declare(func, options)

    return decorate


test.__test__ = False  # type: ignore[attr-defined]


class _Options:
    def __init__(
        self,
        description: str = "",
        name: str | None = None,
        tags: tuple[str, ...] = (),
        skip: str | None = None,
        xfail: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        params: Sequence[Any] | None = None,
        ids: Sequence[str] | None = None,
        aspects: tuple[Aspect, ...] = (),
        setup: Callable[[], Any] | None = None,
        teardown: Callable[[], Any] | None = None,
    ) -> None:
        self.description = description
        self.name = name
        self.tags = tags
        self.skip = skip
        self.xfail = xfail
        self.timeout = timeout
        self.retries = retries
        self.params = params
        self.ids = ids
        self.aspects = aspects
        self.setups: tuple[Callable[[], Any], ...] = (setup,) if setup else ()
        self.teardowns: tuple[Callable[[], Any], ...] = (teardown,) if teardown else ()


_PLAIN = _Options()  # bare @test: nothing set, shared by every such case (never changed)


def _reason(value: bool | str, default: str) -> str | None:
    if value is False or value is None:
        return None
    if value is True:
        return default
    return str(value)


def _declare(func: F, options: _Options) -> F:
    code = getattr(func, "__code__", None)
    if code is None:
        raise TypeError(f"@test needs a function, not {type(func).__name__}")
    if code.co_flags & _CO_GENERATORS:
        # Calling a generator function only makes a generator: its body would never run,
        # and the case would pass whatever the body says.
        kind = "an async generator" if code.co_flags & inspect.CO_ASYNC_GENERATOR else "a generator"
        raise TypeError(
            f"@test cannot run {func.__name__}, which is {kind} function (it yields): "
            "its body would never run; use a fixture for set-up that yields"
        )
    namespace: dict[str, Any] = func.__globals__
    place = _places.get((code.co_filename, id(namespace)))  # known after a module's first case
    file, module = place if place is not None else _where(code.co_filename, namespace)
    base = options.name or func.__name__
    positional = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    blocks = REGISTRY.blocks
    aspects, setups, teardowns = options.aspects, options.setups, options.teardowns
    if blocks:  # `with setup(...)` / `teardown` / `aspect` blocks around the declaration
        aspects = tuple(b.aspect for b in blocks if b.aspect is not None) + aspects
        setups = tuple(b.setup for b in blocks if b.setup is not None) + setups
        teardowns += tuple(b.teardown for b in reversed(blocks) if b.teardown is not None)
    line = code.co_firstlineno
    is_async = bool(code.co_flags & _CO_COROUTINE)
    if options is _PLAIN and not blocks:
        # A bare `@test` outside any block, as most are: every other field at its default.
        case = Case(
            id=f"{module}::{base}",
            module=module,
            name=base,
            func=func,
            file=file,
            line=line,
            fixture_names=positional,
            is_async=is_async,
        )
        REGISTRY.add_case(case, namespace)
        return _mark(func)
    if options.params is None:
        variants: tuple[tuple[tuple[Any, ...], str | None, str], ...] = (((), None, base),)
    else:
        variants = tuple(
            (args, param_id, f"{base}[{param_id}]")
            for args, param_id in _expand(options.params, options.ids, func)
        )
    for args, param_id, name in variants:
        if len(args) > len(positional):
            raise TypeError(
                f"@test(params=...) gives {len(args)} values to {func.__name__}, "
                f"which takes {len(positional)}"
            )
        case = Case(
            id=f"{module}::{name}",
            module=module,
            name=name,
            func=func,
            file=file,
            line=line,
            description=options.description,
            tags=options.tags,
            skip=options.skip,
            xfail=options.xfail,
            timeout=options.timeout,
            retries=options.retries,
            args=args,
            param_id=param_id,
            aspects=aspects,
            setups=setups,
            teardowns=teardowns,
            fixture_names=positional[len(args):] if args else positional,
            is_async=is_async,
        )
        REGISTRY.add_case(case, namespace)
    return _mark(func)


def _mark(func: F) -> F:
    """`func`, counted as declared: collectors of plain functions leave it to its cases."""
    cases = getattr(func, "__thinking_tests__", 0)
    try:
        func.__thinking_tests__ = cases + 1  # type: ignore[attr-defined]
    except AttributeError:
        pass
    return func


_CO_COROUTINE = inspect.CO_COROUTINE
_CO_GENERATORS = inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR
_places: dict[tuple[str, int], tuple[str, str]] = {}


def _where(filename: str, namespace: dict[str, Any]) -> tuple[str, str]:
    """(absolute file, real module name) of a declaring module, worked out once per module:
    a module declares many cases, and each would otherwise pay for both."""
    key = (filename, id(namespace))
    place = _places.get(key)
    if place is None:
        file = os.path.abspath(filename)
        place = _places[key] = (file, module_name(namespace, file))
    return place


def _parameter_names(func: Callable[..., Any]) -> tuple[str, ...]:
    code = func.__code__
    return tuple(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def _expand(
    params: Sequence[Any], ids: Sequence[str] | None, func: Callable[..., Any]
) -> Iterator[tuple[tuple[Any, ...], str]]:
    items = list(params)
    if ids is not None and len(ids) != len(items):
        raise TypeError(
            f"@test on {func.__name__} has {len(items)} params but {len(ids)} ids"
        )
    for index, item in enumerate(items):
        args = item if isinstance(item, tuple) else (item,)
        yield args, ids[index] if ids is not None else str(index)


@overload
def fixture(func: F, /) -> F: ...


@overload
def fixture(*, scope: str = "case", name: str | None = None) -> Callable[[F], F]: ...


def fixture(
    func: Callable[..., Any] | None = None, /, *, scope: str = "case", name: str | None = None
) -> Any:
    """Declare a fixture: a plain function or a generator (the code after `yield` tears down).

    Cases and other fixtures ask for it by naming it as a parameter.
    """
    if scope not in SCOPES:
        raise ValueError(f"fixture scope must be one of {', '.join(SCOPES)}, not {scope!r}")

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        code = f.__code__
        namespace: dict[str, Any] = f.__globals__
        file = os.path.abspath(code.co_filename)
        declared = Fixture(
            name=name or f.__name__,
            func=f,
            scope=scope,
            module=module_name(namespace, file),
            file=file,
            line=code.co_firstlineno,
            params=_parameter_names(f),
        )
        REGISTRY.add_fixture(declared, namespace)
        return f

    return decorate(func) if func is not None else decorate


fixture.__test__ = False  # type: ignore[attr-defined]


@contextmanager
def _block(block: Block) -> Iterator[None]:
    REGISTRY.blocks.append(block)
    try:
        yield
    finally:
        REGISTRY.blocks.remove(block)


def setup(func: Callable[[], Any]) -> ContextManager[None]:
    """`with setup(fn):` runs fn before every case declared inside the block."""
    return _block(Block(setup=func))


def teardown(func: Callable[[], Any]) -> ContextManager[None]:
    """`with teardown(fn):` runs fn after every case declared inside the block."""
    return _block(Block(teardown=func))


def aspect(obj: Any) -> Any:
    """Make an aspect from a generator function (`@aspect`), or apply one to a block.

    `@aspect` on `def timed(stage, case): ...; yield; ...` gives an object with
    `around(stage, case)`; `with aspect(timed):` applies an aspect to every case declared
    inside the block.
    """
    if callable(getattr(obj, "around", None)):
        return _block(Block(aspect=obj))
    if inspect.isgeneratorfunction(obj):
        return GeneratorAspect(obj)
    raise TypeError(
        f"aspect() takes a generator function or an object with around(stage, case), "
        f"not {type(obj).__name__}"
    )


aspect.__test__ = False  # type: ignore[attr-defined]
setup.__test__ = False  # type: ignore[attr-defined]
teardown.__test__ = False  # type: ignore[attr-defined]
