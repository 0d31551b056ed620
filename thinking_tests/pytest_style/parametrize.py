"""A pytest-style test's parametrize marks as parameter sets and ids, made by pytest's own
code (imported only here: the module that applied the mark imported pytest)."""

from __future__ import annotations

from typing import Any

from thinking_tests.pytest_style import InvalidTest
from thinking_tests.pytest_style.marks import marks_in

Callspec = tuple[dict[str, Any], list[str], list[Any]]  # params, ids, marks of the param sets


def callspecs(marks: list[Any], func: Any, nodeid: str) -> list[Callspec]:
    """(params, ids, marks of the param set) of every parametrization, in pytest's order."""
    calls: list[Callspec] = [({}, [], [])]
    for mark in marks:
        if mark.name != "parametrize":
            continue
        argnames, parametersets, ids = _parametrize(mark, func, nodeid)
        new: list[Callspec] = []
        for params, idlist, param_marks in calls:
            for parameterset, param_id in zip(parametersets, ids):
                values = dict(params)
                for argname, value in zip(argnames, parameterset.values):
                    if argname in values:
                        raise InvalidTest(f"{nodeid}: duplicate parametrization of {argname!r}")
                    values[argname] = value
                shown = [*idlist, param_id] if isinstance(param_id, str) else list(idlist)
                new.append((values, shown, [*param_marks, *marks_in(list(getattr(parameterset, "marks", ())))]))
        calls = new
    return calls


def argnames_of(mark: Any) -> tuple[list[str], Any]:
    """A parametrize mark's argument names and its `indirect`."""
    from _pytest.mark.structures import ParameterSet

    names, _ = ParameterSet._parse_parametrize_args(*mark.args, **mark.kwargs)
    indirect = mark.kwargs.get("indirect", mark.args[2] if len(mark.args) > 2 else False)
    return list(names), indirect


def indirect_names(marks: list[Any]) -> list[str]:
    """The names parametrize marks hand to fixtures (`indirect=`): only pytest runs those."""
    found: list[str] = []
    for mark in marks:
        if mark.name == "parametrize":
            names, indirect = argnames_of(mark)
            if indirect is True:
                found.extend(names)
            elif isinstance(indirect, (list, tuple)):
                found.extend(n for n in names if n in indirect)
    return found


class _FixtureMark:
    """A fixture's params as pytest parametrizes the test with them."""

    name = "parametrize"

    def __init__(self, argname: str, params: Any, ids: Any) -> None:
        self.args = (argname, params)
        self.kwargs = {"ids": ids} if ids is not None else {}


def fixture_param_sets(argname: str, params: Any, ids: Any, func: Any, nodeid: str) -> list[tuple[Any, list[Any]]]:
    """(id, marks) of each param of a parametrized fixture (a non-str id is not shown)."""
    _, parametersets, made = _parametrize(_FixtureMark(argname, list(params), ids), func, nodeid)
    return [(i, marks_in(list(getattr(p, "marks", ())))) for p, i in zip(parametersets, made)]


class _IniDefaults:
    """Stands in for pytest's config where its parametrize code reads one: pytest's defaults."""

    def getini(self, name: str) -> object:
        return {"empty_parameter_set_mark": "skip"}.get(name)


def _parametrize(mark: Any, func: Any, nodeid: str) -> tuple[list[str], list[Any], list[Any]]:
    """One parametrize mark's argument names, parameter sets and ids."""
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
