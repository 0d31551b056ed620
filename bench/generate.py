"""The generated work: one project per test style, with the same cases in each.

A project of N cases holds ceil(N / 100) modules `test/test_mNNNN.py` of up to 100 cases
(of 50 for the `wait` kind, so its 400 cases make 8 modules for workers to share).
Case `i` (counted over the whole project) has the same body in every style; only the way it
is declared differs (`@test`, a plain `test_` function, a `TestCase` method, ward's `@test`,
or a plain function that a loop calls).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KINDS = ("trivial", "print", "params", "failing")
# Kinds measured only when asked for (--kinds), each by its own comparison.
EXTRA_KINDS = ("wait",)
WAIT_SECONDS = 0.02  # each case of the wait kind sleeps or computes this long
STYLES = ("thinking", "pytest", "unittest", "ward", "bare")
CASES_PER_MODULE = 100
PARAMS_PER_FUNCTION = 10  # a parametrized function gives this many cases (fewer at the end)
PACKAGE = "test"

KIND_HELP = {
    "trivial": "one passing assert per case",
    "print": "each case prints a line and logs a warning, then asserts",
    "params": f"parametrized functions of {PARAMS_PER_FUNCTION} cases each",
    "failing": "trivial, but the first case of every module fails (1 %, at least one)",
    "wait": f"cases that wait: half sleep {WAIT_SECONDS * 1000:.0f} ms, half compute for "
    f"{WAIT_SECONDS * 1000:.0f} ms of CPU; 400 cases in 8 modules, serial against -n 2 "
    "(only when asked for)",
}


@dataclass(frozen=True)
class Function:
    """One declared function: a single case, or a parametrized one with a case per item."""

    name: str
    cases: tuple[int, ...]  # the global case numbers it gives
    parametrized: bool

    def items(self) -> list[tuple[int, int, int]]:
        # (a, b, total) of each parametrized case: `assert a + b == total` holds.
        return [(i, 1, i + 1) for i in self.cases]


def fails(kind: str, case: int) -> bool:
    """Whether case number `case` of a project of this kind fails."""
    return kind == "failing" and case % CASES_PER_MODULE == 0


def failing_cases(kind: str, size: int) -> int:
    return sum(1 for i in range(size) if fails(kind, i))


def per_module(kind: str) -> int:
    """Cases per module of this kind."""
    return CASES_PER_MODULE // 2 if kind == "wait" else CASES_PER_MODULE


def module_count(size: int, kind: str = "trivial") -> int:
    return max(1, math.ceil(size / per_module(kind)))


def module_names(size: int, kind: str = "trivial") -> list[str]:
    return [f"test_m{m:04d}" for m in range(module_count(size, kind))]


def functions(kind: str, start: int, stop: int) -> Iterator[Function]:
    """The functions declaring cases start..stop-1 (one module's worth)."""
    if kind != "params":
        for i in range(start, stop):
            yield Function(f"test_{i:05d}", (i,), False)
        return
    for first in range(start, stop, PARAMS_PER_FUNCTION):
        cases = tuple(range(first, min(first + PARAMS_PER_FUNCTION, stop)))
        yield Function(f"test_adds_{first:05d}", cases, True)


def body(kind: str, case: int) -> list[str]:
    """The statements of a non-parametrized case, the same in every style."""
    lines: list[str] = []
    if kind == "wait":
        return [f"time.sleep({WAIT_SECONDS})" if case % 2 == 0 else f"_compute({WAIT_SECONDS})"]
    if kind == "print":
        lines.append(f'print("case {case} prints a line")')
        lines.append(f'log.warning("case %d logs a line", {case})')
    expected = case if fails(kind, case) else case + 1
    lines.append(f"assert {case} + 1 == {expected}")
    return lines


PARAM_BODY = ["assert a + b == total"]


def _indent(lines: list[str], depth: int) -> str:
    pad = "    " * depth
    return "".join(f"{pad}{line}\n" for line in lines)


def _head(kind: str, imports: list[str]) -> str:
    lines = ['"""Generated benchmark cases."""', ""]
    if kind == "print":
        lines.append("import logging")
    if kind == "wait":
        lines.append("import time")
    lines.extend(imports)
    if kind == "print":
        lines += ["", "log = logging.getLogger(__name__)"]
    if kind == "wait":
        lines += [
            "", "",
            "def _compute(seconds):",
            "    end = time.process_time() + seconds",
            "    while time.process_time() < end:",
            "        sum(range(1000))",
        ]
    return "\n".join(lines) + "\n"


def _thinking(kind: str, funcs: list[Function]) -> str:
    parts = [_head(kind, ["", "from thinking_tests import test"])]
    for f in funcs:
        if f.parametrized:
            parts.append(f"\n\n@test(params={f.items()!r})\ndef {f.name}(a, b, total):\n")
            parts.append(_indent(PARAM_BODY, 1))
        else:
            parts.append(f"\n\n@test\ndef {f.name}():\n" + _indent(body(kind, f.cases[0]), 1))
    return "".join(parts)


def _pytest(kind: str, funcs: list[Function]) -> str:
    parametrized = any(f.parametrized for f in funcs)
    parts = [_head(kind, ["", "import pytest"] if parametrized else [])]
    for f in funcs:
        if f.parametrized:
            parts.append(
                f'\n\n@pytest.mark.parametrize(("a", "b", "total"), {f.items()!r})\n'
                f"def {f.name}(a, b, total):\n" + _indent(PARAM_BODY, 1)
            )
        else:
            parts.append(f"\n\ndef {f.name}():\n" + _indent(body(kind, f.cases[0]), 1))
    return "".join(parts)


def _unittest(kind: str, funcs: list[Function], module: str) -> str:
    parts = [_head(kind, ["import unittest"])]
    if any(f.parametrized for f in funcs):
        # unittest has no parametrization that counts cases: one method per item, each
        # calling the shared body, as such suites are written by hand.
        parts.append("\n\ndef _adds(a, b, total):\n" + _indent(PARAM_BODY, 1))
    parts.append(f"\n\nclass Test{module.removeprefix('test_').title()}(unittest.TestCase):\n")
    methods: list[str] = []
    for f in funcs:
        if f.parametrized:
            for index, item in enumerate(f.items()):
                methods.append(f"    def {f.name}_{index}(self):\n        _adds{item!r}\n")
        else:
            methods.append(f"    def {f.name}(self):\n" + _indent(body(kind, f.cases[0]), 2))
    parts.append("\n".join(methods))
    return "".join(parts)


def _ward(kind: str, funcs: list[Function]) -> str:
    parametrized = any(f.parametrized for f in funcs)
    parts = [_head(kind, ["", "from ward import each, test" if parametrized else "from ward import test"])]
    for f in funcs:
        if f.parametrized:
            a, b, total = zip(*f.items())
            parts.append(
                f'\n\n@test("{f.name}")\n'
                f"def _(a=each{a!r}, b=each{b!r}, total=each{total!r}):\n" + _indent(PARAM_BODY, 1)
            )
        else:
            parts.append(f'\n\n@test("{f.name}")\ndef _():\n' + _indent(body(kind, f.cases[0]), 1))
    return "".join(parts)


def _bare(kind: str, funcs: list[Function]) -> str:
    parts = [_head(kind, [])]
    params: dict[str, list[tuple[int, int, int]]] = {}
    for f in funcs:
        if f.parametrized:
            params[f.name] = f.items()
            parts.append(f"\n\ndef {f.name}(a, b, total):\n" + _indent(PARAM_BODY, 1))
        else:
            parts.append(f"\n\ndef {f.name}():\n" + _indent(body(kind, f.cases[0]), 1))
    parts.append(f"\n\nPARAMS = {params!r}\n")
    return "".join(parts)


BARE_RUNNER = '''\
"""The floor: import each module and call each function, nothing else."""

import importlib
import os
import sys


def main() -> int:
    listing = "--list" in sys.argv[1:]
    passed = failed = 0
    names = sorted(n[:-3] for n in os.listdir("test") if n.startswith("test_") and n.endswith(".py"))
    for name in names:
        module = importlib.import_module(f"test.{name}")
        params = getattr(module, "PARAMS", {})
        for attr, func in list(vars(module).items()):
            if not attr.startswith("test_") or not callable(func):
                continue
            for args in params.get(attr, [()]):
                if listing:
                    print(f"test.{name}::{attr}{list(args) if args else ''}")
                    continue
                try:
                    func(*args)
                except Exception as error:
                    failed += 1
                    print(f"FAILED test.{name}::{attr}: {error!r}")
                else:
                    passed += 1
    if not listing:
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
'''

RUN_ALL = 'from thinking_tests import run_all\n\nif __name__ == "__main__":\n    run_all()\n'


def config_text(coverage: bool, contexts: bool = True) -> str:
    """The thinking-tests project's __test__.py: reports on (the defaults), coverage as asked,
    with or without a coverage context per case."""
    text = "from thinking_tests import config\n\n"
    if coverage:
        # What a project would measure: its own code, here the only code there is.
        text += f"config.coverage.enabled = True\nconfig.coverage.source = [{PACKAGE!r}]\n"
        return text if contexts else text + "config.coverage.contexts = False\n"
    return text + "config.coverage.enabled = False\n"


def generate(root: Path, style: str, kind: str, size: int, *, coverage: bool = False,
             contexts: bool = True) -> Path:
    """Write the project of `size` cases of `kind` in `style` into `root`; return `root`."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    if kind not in KINDS + EXTRA_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    package = root / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    if style == "thinking":
        (package / "run_all.py").write_text(RUN_ALL)
        (root / "__test__.py").write_text(config_text(coverage, contexts))
    if style == "bare":
        (root / "run_bare.py").write_text(BARE_RUNNER)
    step = per_module(kind)
    for number, module in enumerate(module_names(size, kind)):
        start = number * step
        funcs = list(functions(kind, start, min(start + step, size)))
        if style == "thinking":
            text = _thinking(kind, funcs)
        elif style == "pytest":
            text = _pytest(kind, funcs)
        elif style == "unittest":
            text = _unittest(kind, funcs, module)
        elif style == "ward":
            text = _ward(kind, funcs)
        else:
            text = _bare(kind, funcs)
        (package / f"{module}.py").write_text(text)
    return root


def declared_cases(kind: str, size: int) -> int:
    """How many cases every generated project of this kind and size declares."""
    step = per_module(kind)
    return sum(len(f.cases) for m in range(module_count(size, kind))
               for f in functions(kind, m * step, min((m + 1) * step, size)))

