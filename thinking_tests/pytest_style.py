"""pytest-style tests under the default engine: a module's `test*` functions and `Test*`
classes, as cases, with the ids pytest gives them (`module::TestX::test_y[param-id]`).

They run on the one case runner when they need only what can be given exactly as pytest
gives it: fixtures declared with @fixture or built in (tmp_path, monkeypatch); the marks
skip, skipif and xfail with boolean conditions, parametrize, usefixtures, asyncio and marks
that only tag; pytest's xunit setup and teardown functions and methods. A test that needs
more (a fixture of pytest or a conftest.py, a plugin's mark, a condition string, a conftest
hook) is one error case saying what it needs and to run it with `--backend pytest`: never a
pass, never a skip. Collection follows pytest's own: module `__dict__` order, base classes'
tests first, imported tests collected too unless `collect_imported_tests` is off.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from thinking_tests.case import Case
from thinking_tests.pytest_config import PytestSettings
from thinking_tests.fixtures import SCOPE_RANK
from thinking_tests.registry import Fixture, Registry, module_name, package_root

# The names under which a case carries pytest's xunit fixtures and its class instance:
# not identifiers, so no parameter of a test can take them.
_MODULE = "<setup_module>"
_FUNCTION = "<setup_function>"
_INSTANCE = "<instance>"

_HONOURED = frozenset({"skip", "skipif", "xfail", "parametrize", "usefixtures", "asyncio"})
# Marks that change how pytest or a common plugin runs a test: honoured only there.
_PLUGIN_MARKS = frozenset(
    {
        "filterwarnings",
        "anyio",
        "trio",
        "timeout",
        "flaky",
        "order",
        "run",
        "dependency",
        "forked",
        "repeat",
        "django_db",
        "xdist_group",
        "benchmark",
        "tryfirst",
        "trylast",
    }
)
# A conftest.py that changes tests (hooks on items, autouse fixtures, plugins it loads).
_CONFTEST_CHANGES = re.compile(
    rb"autouse\s*=\s*True|^\s*pytest_plugins\s*="
    rb"|def\s+pytest_(?:collection|runtest_setup|runtest_call|runtest_teardown|runtest_protocol"
    rb"|runtest_makereport|pyfunc_call|generate_tests|itemcollected|make_parametrize_id"
    rb"|pycollect_makeitem)\b",
    re.MULTILINE,
)
_ASYNC_FAIL = (
    "async def functions are not natively supported.\n"
    "You need to install a suitable plugin for your async framework, for example:\n"
    "  - anyio\n"
    "  - pytest-asyncio\n"
    "  - pytest-tornasync\n"
    "  - pytest-trio\n"
    "  - pytest-twisted"
)


class NeedsPytest(Exception):
    """A pytest-style test only pytest can run as written; the message says what it needs."""


class InvalidTest(Exception):
    """A pytest-style test pytest itself refuses; the message is pytest's."""


@dataclass(frozen=True)
class _Xfail:
    reason: str
    run: bool
    strict: bool
    raises: Any


@dataclass
class _Module:
    """What every test of one module shares."""

    namespace: dict[str, Any]
    file: str
    name: str  # the real module name
    settings: PytestSettings
    registry: Registry
    marks: list[Any]
    blocker: str | None  # what makes every test here need pytest, if anything
    fixtures: dict[str, Fixture] = field(default_factory=dict)  # setup_module's
    function_xunit: tuple[Any, Any] | None = None  # setup_function, teardown_function
    async_plugin: bool | None = None  # pytest-asyncio installed (looked up when needed)


@dataclass
class _Class:
    cls: type
    path: str  # "module::TestOuter::TestInner"
    marks: list[Any]
    fixture: Fixture | None  # setup_class / teardown_class
    blocker: str | None


def collect_module(
    namespace: dict[str, Any],
    file: str,
    settings: PytestSettings,
    registry: Registry,
    unittest_runs_module_fixtures: bool = False,
) -> list[tuple[int, Case]]:
    """The module's pytest-style tests as cases, each with the line it sorts by (its
    module-level function's or class's), in pytest's order."""
    found: list[tuple[int, Case]] = []
    defined_in = namespace.get("__name__")
    fixture_marker = _fixture_marker()
    module: _Module | None = None
    for name, obj in list(namespace.items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        if isinstance(obj, type):
            if not _is_test_class(obj, name, settings):
                continue
        elif not _is_test_function(obj, name, settings, fixture_marker):
            continue
        if getattr(obj, "__thinking_tests__", 0):
            continue  # declared with @test: collected as that
        if not settings.collect_imported_tests and getattr(obj, "__module__", None) != defined_in:
            continue
        if module is None:
            module = _module(namespace, file, settings, registry, fixture_marker, unittest_runs_module_fixtures)
        if isinstance(obj, type):
            cases = list(_class_cases(module, obj, name, None, fixture_marker))
            anchor = min((_line(f) for f in vars(obj).values() if inspect.isfunction(f)), default=0)
            anchor = anchor or (cases[0].line if cases else 0)
        else:
            function = getattr(obj, "__func__", obj)
            cases = list(_function_cases(module, function, name, None, []))
            anchor = _line(function)
        found.extend((anchor, case) for case in cases)
    return found


# Which names and objects are tests: pytest's rules.


def _fixture_marker() -> Callable[[object], object] | None:
    fixtures = sys.modules.get("_pytest.fixtures")
    return getattr(fixtures, "getfixturemarker", None) if fixtures is not None else None


def _is_fixture(obj: object, marker: Callable[[object], object] | None) -> bool:
    if marker is None:
        return False
    try:
        return marker(obj) is not None
    except Exception:
        return False


def _nose_test(obj: object) -> bool:
    try:
        return getattr(obj, "__test__", False) is True
    except Exception:
        return False


def _is_test_class(obj: type, name: str, settings: PytestSettings) -> bool:
    if not (settings.matches_class(name) or _nose_test(obj)):
        return False
    if inspect.isabstract(obj):
        return False
    unittest = sys.modules.get("unittest")
    # TestCase classes are unittest's, collected as such (pytest's unittest plugin too).
    return not (unittest is not None and issubclass(obj, unittest.TestCase))


def _is_test_function(
    obj: object, name: str, settings: PytestSettings, marker: Callable[[object], object] | None
) -> bool:
    if not (settings.matches_function(name) or _nose_test(obj)):
        return False
    if isinstance(obj, (staticmethod, classmethod)):
        obj = getattr(obj, "__func__", None)
    if not callable(obj) or _is_fixture(obj, marker):
        return False
    function = getattr(obj, "__func__", obj)
    if not (inspect.isfunction(function) or inspect.isfunction(inspect.unwrap(function))):
        return False  # pytest warns that it cannot collect it, and runs nothing
    try:
        return bool(getattr(function, "__test__", True))
    except Exception:
        return True


def _line(func: object) -> int:
    try:
        code = getattr(inspect.unwrap(func), "__code__", None)  # type: ignore[arg-type]
    except ValueError:
        code = getattr(func, "__code__", None)
    return code.co_firstlineno if code is not None else 0


def _file(func: object, default: str) -> str:
    try:
        code = getattr(inspect.unwrap(func), "__code__", None)  # type: ignore[arg-type]
    except ValueError:
        code = None
    return os.path.abspath(code.co_filename) if code is not None else default


def _marks(obj: object) -> list[Any]:
    """An object's marks as pytest stores them (a class's with its bases', bases first)."""
    if isinstance(obj, type):
        lists = [base.__dict__.get("pytestmark", []) for base in reversed(obj.__mro__)]
    else:
        try:
            lists = [getattr(obj, "pytestmark", [])]
        except Exception:
            lists = []
    marks: list[Any] = []
    for value in lists:
        for mark in value if isinstance(value, list) else [value]:
            mark = getattr(mark, "mark", mark)
            if isinstance(getattr(mark, "name", None), str):
                marks.append(mark)
    return marks


# What a module and a class share.


def _module(
    namespace: dict[str, Any],
    file: str,
    settings: PytestSettings,
    registry: Registry,
    marker: Callable[[object], object] | None,
    unittest_runs_module_fixtures: bool,
) -> _Module:
    name = module_name(namespace, file)
    blocker = _conftest_blocker(file)
    if blocker is None and callable(namespace.get("pytest_generate_tests")):
        blocker = "the module's pytest_generate_tests hook"
    if blocker is None:
        blocker = _autouse_blocker(namespace.items(), marker)
    module = _Module(namespace, file, name, settings, registry, _marks_of_module(namespace), blocker)
    names = ("setup_module",) if unittest_runs_module_fixtures else ("setUpModule", "setup_module")
    ends = ("teardown_module",) if unittest_runs_module_fixtures else ("tearDownModule", "teardown_module")
    setup = _first_non_fixture(namespace, names, marker)
    teardown = _first_non_fixture(namespace, ends, marker)
    if setup is not None or teardown is not None:
        argument = sys.modules.get(str(namespace.get("__name__")))
        module.fixtures[_MODULE] = _xunit(
            _MODULE, "module", name, file, setup, teardown, lambda: argument
        )
    setup = _first_non_fixture(namespace, ("setup_function",), marker)
    teardown = _first_non_fixture(namespace, ("teardown_function",), marker)
    if setup is not None or teardown is not None:
        module.function_xunit = (setup, teardown)
    return module


def _marks_of_module(namespace: dict[str, Any]) -> list[Any]:
    value = namespace.get("pytestmark", [])
    marks: list[Any] = []
    for mark in value if isinstance(value, list) else [value]:
        mark = getattr(mark, "mark", mark)
        if isinstance(getattr(mark, "name", None), str):
            marks.append(mark)
    return marks


def _conftest_blocker(file: str) -> str | None:
    """A conftest.py above the module that changes tests, named, if there is one."""
    top = package_root(file)
    directory = os.path.dirname(os.path.abspath(file))
    while True:
        candidate = os.path.join(directory, "conftest.py")
        try:
            with open(candidate, "rb") as handle:
                if _CONFTEST_CHANGES.search(handle.read()):
                    return f"what {candidate} adds (hooks, autouse fixtures or plugins)"
        except OSError:
            pass
        if directory == top or os.path.dirname(directory) == directory:
            return None
        directory = os.path.dirname(directory)


def _autouse_blocker(
    entries: Any, marker: Callable[[object], object] | None
) -> str | None:
    if marker is None:
        return None
    for name, obj in list(entries):
        try:
            definition = marker(obj)
        except Exception:
            continue
        if definition is not None and getattr(definition, "autouse", False):
            return f"the autouse fixture '{name}'"
    return None


def _first_non_fixture(
    holder: Any, names: tuple[str, ...], marker: Callable[[object], object] | None
) -> Any:
    for name in names:
        value = holder.get(name) if isinstance(holder, dict) else getattr(holder, name, None)
        if value is not None and not _is_fixture(value, marker):
            return value
    return None


def _call_with_optional_argument(func: Any, argument: object) -> None:
    """pytest's way of calling an xunit function: with the argument when it takes one."""
    count = func.__code__.co_argcount
    if inspect.ismethod(func):
        count -= 1
    if count:
        func(argument)
    else:
        func()


def _xunit(
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


# Cases.


def _class_cases(
    module: _Module,
    cls: type,
    name: str,
    outer: list[_Class] | None,
    marker: Callable[[object], object] | None,
) -> Iterator[Case]:
    try:
        if not getattr(cls, "__test__", True):
            return
    except Exception:
        pass
    if _has_own(cls, "__init__") or _has_own(cls, "__new__"):
        return  # pytest warns that it cannot collect the class, and runs nothing of it
    chain = list(outer or [])
    path = f"{chain[-1].path}::{name}" if chain else f"{module.name}::{name}"
    blocker = None
    if callable(getattr(cls, "pytest_generate_tests", None)):
        blocker = f"the pytest_generate_tests hook of {name}"
    if blocker is None:
        blocker = _autouse_blocker(
            ((n, v) for base in cls.__mro__ for n, v in vars(base).items()), marker
        )
    if blocker is None and chain and any(
        _first_non_fixture(c.cls, ("setup_method", "teardown_method"), marker) is not None
        for c in chain
    ):
        blocker = "setup_method of an enclosing class"
    setup = _first_non_fixture(cls, ("setup_class",), marker)
    teardown = _first_non_fixture(cls, ("teardown_class",), marker)
    fixture = None
    if setup is not None or teardown is not None:
        fixture = _xunit(
            f"<setup_class {path}>",
            "class",
            path,
            module.file,
            getattr(setup, "__func__", setup) if setup is not None else None,
            getattr(teardown, "__func__", teardown) if teardown is not None else None,
            lambda: cls,
        )
    chain.append(_Class(cls, path, _marks(cls), fixture, blocker))
    dicts = [vars(cls), *(vars(base) for base in cls.__mro__)]
    seen: set[str] = set()
    groups: list[list[Case]] = []
    for namespace in dicts:
        group: list[Case] = []
        for attr, obj in list(namespace.items()):
            if attr in seen or (attr.startswith("__") and attr.endswith("__")):
                continue
            seen.add(attr)
            if isinstance(obj, type):
                if _is_test_class(obj, attr, module.settings):
                    group.extend(_class_cases(module, obj, attr, chain, marker))
            elif _is_test_function(obj, attr, module.settings, marker):
                function = getattr(obj, "__func__", obj)
                if getattr(function, "__thinking_tests__", 0):
                    continue
                static = isinstance(inspect.getattr_static(cls, attr, None), staticmethod)
                group.extend(_function_cases(module, function, attr, chain, [], static))
        groups.append(group)
    for group in reversed(groups):  # base classes' tests first, as pytest orders them
        yield from group


def _has_own(cls: type, name: str) -> bool:
    value = getattr(cls, name, None)
    return bool(value) and value != getattr(object, name)


def _function_cases(
    module: _Module,
    func: Any,
    name: str,
    chain: list[_Class] | None,
    extra_marks: list[Any],
    static: bool = False,
) -> Iterator[Case]:
    chain = chain or []
    prefix = f"{chain[-1].path.partition('::')[2]}::" if chain else ""
    base = f"{prefix}{name}"
    file, line = _file(func, module.file), _line(func)
    own = _marks(func)
    outer = [mark for c in reversed(chain) for mark in c.marks] + module.marks
    try:
        callspecs = _callspecs(own + outer, func, f"{module.name}::{base}")
    except (NeedsPytest, InvalidTest) as problem:
        yield _error(module, base, None, func, file, line, problem, None, ())
        return
    except Exception as error:  # pytest's own API changed, or a parametrize it refuses
        yield _error(module, base, None, func, file, line, NeedsPytest(
            f"{base} needs its parametrize evaluated ({type(error).__name__}: {error}), "
            "which only pytest does: run with --backend pytest"
        ), None, ())
        return
    for params, ids, param_marks in callspecs:
        param_id = "-".join(ids) if ids else None
        case_name = f"{base}[{param_id}]" if param_id is not None else base
        marks = own + param_marks + outer
        yield _case(module, func, name, case_name, param_id, chain, marks, params, static, file, line)


def _callspecs(
    marks: list[Any], func: Any, nodeid: str
) -> list[tuple[dict[str, Any], list[str], list[Any]]]:
    """(params, ids, marks of the param set) of every parametrization, in pytest's order."""
    calls: list[tuple[dict[str, Any], list[str], list[Any]]] = [({}, [], [])]
    parametrized = False
    for mark in marks:
        if mark.name != "parametrize":
            continue
        parametrized = True
        argnames, parametersets, ids = _parametrize(mark, func, nodeid)
        new: list[tuple[dict[str, Any], list[str], list[Any]]] = []
        for params, idlist, param_marks in calls:
            for parameterset, param_id in zip(parametersets, ids):
                values = dict(params)
                for argname, value in zip(argnames, parameterset.values):
                    if argname in values:
                        raise InvalidTest(f"{nodeid}: duplicate parametrization of {argname!r}")
                    values[argname] = value
                shown = [*idlist, param_id] if isinstance(param_id, str) else list(idlist)
                new.append((values, shown, [*param_marks, *_marks_of(parameterset)]))
        calls = new
    return calls if parametrized else [({}, [], [])]


def _marks_of(parameterset: Any) -> list[Any]:
    return [getattr(m, "mark", m) for m in getattr(parameterset, "marks", ())]


class _IniDefaults:
    """Stands in for pytest's config where its parametrize code reads one: pytest's defaults."""

    def getini(self, name: str) -> object:
        return {"empty_parameter_set_mark": "skip"}.get(name)


def _parametrize(mark: Any, func: Any, nodeid: str) -> tuple[list[str], list[Any], list[Any]]:
    """One parametrize mark's argument names, parameter sets and ids, made by pytest's own
    code (imported: the module that applied the mark imported pytest)."""
    import dataclasses
    import itertools

    from _pytest.mark.structures import ParameterSet
    from _pytest.python import IdMaker

    args = list(mark.args)
    kwargs = dict(mark.kwargs)
    argnames = args.pop(0) if args else kwargs.pop("argnames")
    argvalues = args.pop(0) if args else kwargs.pop("argvalues")
    for key, value in zip(("indirect", "ids", "scope"), args):
        kwargs[key] = value
    if kwargs.get("indirect"):
        raise NeedsPytest(
            f"{nodeid.partition('::')[2]} needs parametrize(indirect=...), "
            "which only pytest provides: run with --backend pytest"
        )
    names, parametersets = ParameterSet._for_parametrize(
        argnames, argvalues, func, _IniDefaults(), nodeid=nodeid
    )
    ids = kwargs.get("ids")
    idfn = ids if callable(ids) else None
    given: list[Any] | None = None
    if ids is not None and not callable(ids):
        ids = list(ids)
        if len(ids) not in (0, len(parametersets)):
            raise InvalidTest(
                f"In {nodeid}: {len(parametersets)} parameter sets specified, "
                f"with different number of ids: {len(ids)}"
            )
        given = list(itertools.islice(ids, len(ids)))
    options: dict[str, Any] = {
        "argnames": names,
        "parametersets": parametersets,
        "idfn": idfn,
        "ids": given,
        "config": None,
        "nodeid": nodeid,
    }
    fields = {f.name for f in dataclasses.fields(IdMaker)}
    if "func_name" in fields:
        options["func_name"] = getattr(func, "__name__", None)
    made = IdMaker(**{k: v for k, v in options.items() if k in fields}).make_unique_parameterset_ids()
    return list(names), list(parametersets), list(made)


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


def _conditions(mark: Any) -> tuple[Any, ...]:
    return (mark.kwargs["condition"],) if "condition" in mark.kwargs else tuple(mark.args)


def _condition(who: str, mark: Any, condition: object) -> tuple[bool, str]:
    """pytest's evaluate_condition, for the conditions it takes without evaluating code."""
    if isinstance(condition, str):
        raise NeedsPytest(
            f"{who} needs the {mark.name} condition {condition!r} evaluated, "
            "which only pytest does: run with --backend pytest"
        )
    try:
        result = bool(condition)
    except Exception as error:
        raise InvalidTest(
            f"Error evaluating {mark.name!r} condition as a boolean: {type(error).__name__}: {error}"
        ) from None
    reason = mark.kwargs.get("reason")
    if reason is None:
        raise InvalidTest(
            f"Error evaluating {mark.name!r}: you need to specify reason=STRING "
            "when using booleans as conditions."
        )
    return result, str(reason)


def _skip(who: str, marks: list[Any]) -> str | None:
    """The reason pytest skips the test for, or None: skipif marks first, then skip."""
    for mark in marks:
        if mark.name != "skipif":
            continue
        conditions = _conditions(mark)
        if not conditions:
            return str(mark.kwargs.get("reason", ""))
        for condition in conditions:
            result, reason = _condition(who, mark, condition)
            if result:
                return reason
    for mark in marks:
        if mark.name == "skip":
            if len(mark.args) + len(mark.kwargs) > 1 or set(mark.kwargs) - {"reason"}:
                raise InvalidTest(
                    "skip() takes at most one argument, the reason - maybe you meant pytest.mark.skipif?"
                )
            reason = mark.args[0] if mark.args else mark.kwargs.get("reason", "unconditional skip")
            return str(reason)
    return None


def _xfail(who: str, marks: list[Any], strict_default: bool) -> _Xfail | None:
    for mark in marks:
        if mark.name != "xfail":
            continue
        run = bool(mark.kwargs.get("run", True))
        strict = mark.kwargs.get("strict")
        strict = strict_default if strict is None else bool(strict)
        raises = mark.kwargs.get("raises")
        conditions = _conditions(mark)
        if not conditions:
            return _Xfail(str(mark.kwargs.get("reason", "")), run, strict, raises)
        for condition in conditions:
            result, reason = _condition(who, mark, condition)
            if result:
                return _Xfail(reason, run, strict, raises)
    return None


def _needs(who: str, what: str) -> NeedsPytest:
    return NeedsPytest(f"{who} needs {what}, which only pytest provides: run with --backend pytest")


def _case(
    module: _Module,
    func: Any,
    attr: str,
    name: str,
    param_id: str | None,
    chain: list[_Class],
    marks: list[Any],
    params: dict[str, Any],
    static: bool,
    file: str,
    line: int,
) -> Case:
    tags = tuple(dict.fromkeys(m.name for m in marks if m.name not in _HONOURED and m.name not in _PLUGIN_MARKS))
    skip: str | None = None
    try:
        skip = _skip(name, marks)
        for mark in marks:
            if mark.name in _PLUGIN_MARKS:
                raise _needs(name, f"mark '{mark.name}'")
        blocker = module.blocker or next((c.blocker for c in reversed(chain) if c.blocker), None)
        if blocker is not None:
            raise _needs(name, blocker)
        xfail = _xfail(name, marks, module.settings.strict_xfail)
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            raise InvalidTest(f"'yield' keyword is allowed in fixtures, but not in tests ({attr})")
        try:
            arg_names, defaults = _arg_names(func, bool(chain), static)
        except (TypeError, ValueError) as error:
            raise InvalidTest(f"Could not determine arguments of {func!r}: {error}") from None
        for argname in params:
            if argname not in arg_names:
                if argname in defaults:
                    raise InvalidTest(f"In {attr}: function already takes an argument '{argname}' with a default value")
                raise InvalidTest(f"In {attr}: function uses no argument '{argname}'")
        used = [a for m in marks if m.name == "usefixtures" for a in m.args]
        wanted = list(dict.fromkeys([*used, *(a for a in arg_names if a not in params)]))
        found: dict[str, Fixture] = {}
        for fixture_name in wanted:
            fixture = module.registry.find_fixture(fixture_name, module.name)
            if fixture is None:
                raise _needs(name, f"fixture '{fixture_name}'")
            found[fixture_name] = fixture
        is_async = inspect.iscoroutinefunction(func)
        if is_async:
            _check_async(module, name, marks)
    except (NeedsPytest, InvalidTest, _AsyncUnsupported) as problem:
        return _error(module, name, param_id, func, file, line, problem, skip, tags)
    if xfail is not None and not xfail.run:
        return _not_run(module, name, param_id, func, file, line, xfail, skip, tags)
    own: dict[str, Fixture] = {}
    if _MODULE in module.fixtures:
        own[_MODULE] = module.fixtures[_MODULE]
    for enclosing in chain:
        if enclosing.fixture is not None:
            own[enclosing.fixture.name] = enclosing.fixture
    if chain:
        own[_INSTANCE] = _instance_fixture(chain[-1].cls, attr, module)
    elif module.function_xunit is not None:
        setup, teardown = module.function_xunit
        own[_FUNCTION] = _xunit(_FUNCTION, "case", module.name, module.file, setup, teardown, lambda: func)
    # pytest sets fixtures up by scope, widest first; within one scope, autouse first.
    ranked = sorted(found, key=lambda n: -SCOPE_RANK.get(found[n].scope, 0))
    fixture_names = (*own, *ranked)
    wraps_xfail = xfail is not None and (xfail.strict or xfail.raises is not None)
    call = _caller(attr, func, bool(chain), static, arg_names, params, xfail if wraps_xfail else None, is_async)
    extra: dict[str, Any] = {"fixtures": own}
    if chain:
        extra["class"] = chain[-1].path
    return Case(
        id=f"{module.name}::{name}",
        module=module.name,
        name=name,
        func=call,
        file=file,
        line=line,
        tags=tags,
        skip=skip,
        xfail=(xfail.reason or "expected to fail") if xfail is not None and not wraps_xfail else None,
        param_id=param_id,
        fixture_names=fixture_names,
        is_async=is_async,
        extra=extra,
    )


def _check_async(module: _Module, name: str, marks: list[Any]) -> None:
    """An async test runs on a fresh event loop where pytest-asyncio would run it; under
    pytest without an async plugin it fails, so it fails here too, with pytest's words."""
    names = {m.name for m in marks}
    for other in ("anyio", "trio"):
        if other in names:
            raise _needs(name, f"mark '{other}'")
    if module.async_plugin is None:
        import importlib.util

        module.async_plugin = importlib.util.find_spec("pytest_asyncio") is not None
    asyncio_marks = [m for m in marks if m.name == "asyncio"]
    for mark in asyncio_marks:
        scope = mark.kwargs.get("loop_scope", mark.kwargs.get("scope", "function"))
        if scope != "function":
            raise _needs(name, f"an event loop of {scope} scope")
    if module.async_plugin and (asyncio_marks or module.settings.asyncio_mode == "auto"):
        return
    raise _AsyncUnsupported


class _AsyncUnsupported(Exception):
    pass


def _instance_fixture(cls: type, attr: str, module: _Module) -> Fixture:
    """A new instance of the class for each test, with setup_method and teardown_method
    around it, called on that instance as pytest calls them."""
    marker = _fixture_marker()
    has_setup = _first_non_fixture(cls, ("setup_method",), marker) is not None
    has_teardown = _first_non_fixture(cls, ("teardown_method",), marker) is not None

    def instance() -> Iterator[object]:
        made = cls()
        method = getattr(made, attr)
        if has_setup:
            _call_with_optional_argument(made.setup_method, method)  # type: ignore[attr-defined]
        yield made
        if has_teardown:
            _call_with_optional_argument(made.teardown_method, method)  # type: ignore[attr-defined]

    return Fixture(name=_INSTANCE, func=instance, scope="case", module=module.name, file=module.file, line=0, params=())


def _caller(
    attr: str,
    func: Any,
    in_class: bool,
    static: bool,
    arg_names: tuple[str, ...],
    params: dict[str, Any],
    xfail: _Xfail | None,
    is_async: bool,
) -> Callable[..., Any]:
    """The case's function: the test called as pytest calls it, with its fixtures and
    params by name, on its class's new instance."""

    def target(kwargs: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
        values = {n: kwargs[n] for n in arg_names if n in kwargs}
        values.update(params)
        if in_class:
            return getattr(kwargs[_INSTANCE], attr), values
        return func, values

    if is_async:

        async def call_async(**kwargs: Any) -> None:
            function, values = target(kwargs)
            if xfail is None:
                await function(**values)
                return
            try:
                await function(**values)
            except BaseException as error:
                _xfailed(error, xfail)
            _xpassed(xfail)

        call_async.__name__ = attr
        return call_async

    def call(**kwargs: Any) -> None:
        function, values = target(kwargs)
        if xfail is None:
            function(**values)
            return
        try:
            function(**values)
        except BaseException as error:
            _xfailed(error, xfail)
        _xpassed(xfail)

    call.__name__ = attr
    return call


def _xfailed(error: BaseException, xfail: _Xfail) -> None:
    """An exception of an xfail test with raises= or strict: xfailed when it is one the
    mark expects, else the failure it is."""
    from _pytest.outcomes import XFailed

    from thinking_tests.runner import CaseTimeout

    unittest = sys.modules.get("unittest")
    passes_through = (KeyboardInterrupt, CaseTimeout, XFailed)
    if isinstance(error, passes_through) or type(error).__module__ == "_pytest.outcomes":
        raise error
    if unittest is not None and isinstance(error, unittest.SkipTest):
        raise error
    if xfail.raises is None or isinstance(error, xfail.raises):
        raise XFailed(xfail.reason or "expected to fail") from error
    raise error


def _xpassed(xfail: _Xfail) -> None:
    if xfail.strict:
        from _pytest.outcomes import Failed

        raise Failed(f"[XPASS(strict)] {xfail.reason}", pytrace=False)


def _error(
    module: _Module,
    name: str,
    param_id: str | None,
    func: Any,
    file: str,
    line: int,
    problem: Exception,
    skip: str | None,
    tags: tuple[str, ...],
) -> Case:
    """A test that cannot run here: an error in its setup saying why (or, for an async test
    pytest cannot run either, the failure pytest reports). A skip pytest would apply first
    still applies."""
    if isinstance(problem, _AsyncUnsupported):
        from _pytest.outcomes import Failed

        def fail() -> None:
            raise Failed(_ASYNC_FAIL, pytrace=False)

        return Case(
            id=f"{module.name}::{name}", module=module.name, name=name, func=fail, file=file,
            line=line, tags=tags, skip=skip, param_id=param_id,
        )

    kind, message = type(problem), str(problem)

    def refuse() -> None:
        raise kind(message)  # made here: the collection's frames say nothing about the test

    return Case(
        id=f"{module.name}::{name}",
        module=module.name,
        name=name,
        func=_never,
        file=file,
        line=line,
        tags=tags,
        skip=skip,
        param_id=param_id,
        setups=(refuse,),
    )


def _not_run(
    module: _Module, name: str, param_id: str | None, func: Any, file: str, line: int,
    xfail: _Xfail, skip: str | None, tags: tuple[str, ...],
) -> Case:
    """xfail(run=False): pytest reports it xfailed without setting anything up or running it."""
    reason = f"[NOTRUN] {xfail.reason}"

    def not_run() -> None:
        raise _NotRun(reason)

    return Case(
        id=f"{module.name}::{name}", module=module.name, name=name, func=not_run, file=file,
        line=line, tags=tags, skip=skip, xfail=reason, param_id=param_id,
    )


class _NotRun(Exception):
    pass


def _never() -> None:  # an error case's setup fails first: this never runs
    pass
