"""pytest's xunit setup and teardown (setup_module, setup_class, setup_method,
setup_function and their teardowns) as fixtures of the case runner, called as pytest calls
them."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

from thinking_tests.registry import Fixture

# The names under which a case carries pytest's xunit fixtures and its class instance:
# not identifiers, so no parameter of a test can take them.
MODULE = "<setup_module>"
FUNCTION = "<setup_function>"
INSTANCE = "<instance>"

FixtureMarker = Callable[[object], object]  # pytest's getfixturemarker


def fixture_marker() -> FixtureMarker | None:
    """pytest's way to tell a @pytest.fixture function; None where pytest is not imported."""
    fixtures = sys.modules.get("_pytest.fixtures")
    return getattr(fixtures, "getfixturemarker", None) if fixtures is not None else None


def is_fixture(obj: object, marker: FixtureMarker | None) -> bool:
    if marker is None:
        return False
    try:
        return marker(obj) is not None
    except Exception:
        return False


def first_non_fixture(holder: Any, names: tuple[str, ...], marker: FixtureMarker | None) -> Any:
    """The first of these attributes (of a class, or keys of a module's namespace) that is
    set and is no pytest fixture: pytest's xunit functions are found that way."""
    for name in names:
        value = holder.get(name) if isinstance(holder, dict) else getattr(holder, name, None)
        if value is not None and not is_fixture(value, marker):
            return value
    return None


def module_fixture(
    namespace: dict[str, Any], where: str, file: str, marker: FixtureMarker | None, unittest_runs_them: bool
) -> Fixture | None:
    """setup_module/teardown_module (also setUpModule/tearDownModule, unless unittest runs
    those, for the module's TestCases) around every test of the module."""
    names = ("setup_module",) if unittest_runs_them else ("setUpModule", "setup_module")
    ends = ("teardown_module",) if unittest_runs_them else ("tearDownModule", "teardown_module")
    setup = first_non_fixture(namespace, names, marker)
    teardown = first_non_fixture(namespace, ends, marker)
    if setup is None and teardown is None:
        return None
    argument = sys.modules.get(str(namespace.get("__name__")))
    return _pair(MODULE, "module", where, file, setup, teardown, lambda: argument)


def class_fixture(cls: type, path: str, file: str, marker: FixtureMarker | None) -> Fixture | None:
    """setup_class/teardown_class around every test of the class, given the class."""
    setup = first_non_fixture(cls, ("setup_class",), marker)
    teardown = first_non_fixture(cls, ("teardown_class",), marker)
    if setup is None and teardown is None:
        return None
    return _pair(
        f"<setup_class {path}>",
        "class",
        path,
        file,
        getattr(setup, "__func__", setup) if setup is not None else None,
        getattr(teardown, "__func__", teardown) if teardown is not None else None,
        lambda: cls,
    )


def function_pair(namespace: dict[str, Any], marker: FixtureMarker | None) -> tuple[Any, Any] | None:
    """The module's (setup_function, teardown_function), if it has either."""
    setup = first_non_fixture(namespace, ("setup_function",), marker)
    teardown = first_non_fixture(namespace, ("teardown_function",), marker)
    return None if setup is None and teardown is None else (setup, teardown)


def function_fixture(pair: tuple[Any, Any], where: str, file: str, func: Any) -> Fixture:
    """setup_function/teardown_function around one test function, given that function."""
    setup, teardown = pair
    return _pair(FUNCTION, "case", where, file, setup, teardown, lambda: func)


def instance_fixture(cls: type, attr: str, where: str, file: str, marker: FixtureMarker | None) -> Fixture:
    """A new instance of the class for each test, with setup_method and teardown_method
    around it, called on that instance as pytest calls them."""
    has_setup = first_non_fixture(cls, ("setup_method",), marker) is not None
    has_teardown = first_non_fixture(cls, ("teardown_method",), marker) is not None

    def instance() -> Iterator[object]:
        made = cls()
        method = getattr(made, attr)
        if has_setup:
            _call_with_optional_argument(made.setup_method, method)  # type: ignore[attr-defined]
        yield made
        if has_teardown:
            _call_with_optional_argument(made.teardown_method, method)  # type: ignore[attr-defined]

    return Fixture(name=INSTANCE, func=instance, scope="case", module=where, file=file, line=0, params=())


def _pair(
    name: str,
    scope: str,
    where: str,
    file: str,
    setup: Any,
    teardown: Any,
    argument: Callable[[], object] | None,
) -> Fixture:
    """An xunit setup/teardown pair as a generator fixture, as pytest makes it: an error
    in setup is kept and raised again for every later test of the scope, without a second
    call, and the teardown runs only after a setup that passed."""
    failed: list[BaseException] = []

    def xunit() -> Iterator[None]:
        if failed:
            raise failed[0]
        value = argument() if argument is not None else None
        if setup is not None:
            try:
                _call_with_optional_argument(setup, value)
            except BaseException as error:
                if scope != "case":
                    failed.append(error)
                raise
        yield
        if teardown is not None:
            _call_with_optional_argument(teardown, value)

    return Fixture(name=name, func=xunit, scope=scope, module=where, file=file, line=0, params=())


def _call_with_optional_argument(func: Any, argument: object) -> None:
    """pytest's way of calling an xunit function: with the argument when it takes one."""
    count = func.__code__.co_argcount
    if inspect.ismethod(func):
        count -= 1
    if count:
        func(argument)
    else:
        func()
