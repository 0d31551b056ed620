"""The evaluator: arithmetic, variables, functions, and errors a user can act on."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator

from thinking_tests import fixture, run_current_module, setup, teardown, test

from calculator.errors import EvaluationError
from calculator.evaluator import (
    BUILTINS, Evaluator, Function, evaluate, register_function, unregister_function,
)
from test.aspects import timed
from test.helpers import error_of


@fixture(scope="module")
def preset() -> Iterator[Evaluator]:
    """One evaluator with variables for every case of this module that asks for it."""
    evaluator = Evaluator({"x": 3.0, "y": 4.0, "rate": 0.25})
    yield evaluator
    # Cases share it, so whatever they assigned is dropped with it.
    evaluator.variables.clear()


@fixture
def fresh() -> Evaluator:
    """A new evaluator for each case: assignments never leak from one case to another."""
    return Evaluator()


@test(
    params=[
        ("1 + 2 * 3", 7),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2", -4),
        ("7 % 3", 1),
        ("1.5e3 / 4", 375),
    ],
    ids=["precedence", "power-chain", "minus-after-power", "modulo", "division"],
)
def computes(text: str, expected: float) -> None:
    assert evaluate(text) == expected


@test(
    params=[("sqrt(16)", 4), ("max(1, 7, 3)", 7), ("log(8, 2)", 3)],
    ids=["sqrt", "max", "log-base"],
)
def calls_builtin(text: str, expected: float) -> None:
    assert math.isclose(evaluate(text), expected)


@test(
    params=[("x * y", 12), ("sqrt(x ^ 2 + y ^ 2)", 5), ("rate * 100", 25)],
    ids=["product", "hypotenuse", "rate"],
)
def uses_preset_variables(text: str, expected: float, preset: Evaluator) -> None:
    assert preset.run(text) == expected


@test
def knows_constants() -> None:
    assert evaluate("pi") == math.pi
    assert evaluate("ln(e)") == 1
    assert evaluate("tau / 2") == math.pi


@test(
    params=[
        ("1 / 0", "division by zero"),
        ("z + 1", "unknown variable 'z'"),
        ("nope(1)", "unknown function 'nope'"),
        ("sqrt(1, 2)", "sqrt() takes 1 argument, got 2"),
        ("sqrt(-1)", "sqrt() is undefined for -1"),
        ("10 ^ 400", "result too large"),
    ],
    ids=["divide", "variable", "function", "arity", "domain", "overflow"],
)
def explains(text: str, message: str) -> None:
    assert error_of(EvaluationError, lambda: evaluate(text)).message == message


@test
def keeps_assignments(fresh: Evaluator) -> None:
    assert fresh.run("let width = 3") == 3
    assert fresh.run("let area = width ^ 2") == 9
    assert fresh.variables["area"] == 9


@test("a case fixture is new in every case", tags=["fast"])
def starts_with_constants_only(fresh: Evaluator) -> None:
    assert set(fresh.variables) == {"pi", "e", "tau"}


def install_double() -> None:
    register_function("double", Function(lambda value: 2 * value, 1, 1))


def remove_double() -> None:
    unregister_function("double")


with setup(install_double), teardown(remove_double):

    @test
    def calls_a_registered_function(preset: Evaluator) -> None:
        assert evaluate("double(21)") == 42
        assert preset.run("double(x)") == 6

    @test
    def checks_arity_of_a_registered_function() -> None:
        error = error_of(EvaluationError, lambda: evaluate("double(1, 2)"))
        assert error.message == "double() takes 1 argument, got 2"


@test("functions registered in a block are gone outside it")
def forgets_registered_functions() -> None:
    assert "double" not in BUILTINS


@test(aspects=[timed])
def sums_long_input() -> None:
    assert evaluate(" + ".join(["1"] * 500)) == 500
    # Far longer input is refused with a message rather than a RecursionError.
    error = error_of(EvaluationError, lambda: evaluate("+".join(["1"] * 3_000)))
    assert error.message == "expression too long to evaluate"


@test("evaluates off the event loop, in the default executor")
async def evaluates_in_an_executor() -> None:
    loop = asyncio.get_running_loop()
    texts = ["2 ^ 20", "max(1, 2, 3)", "floor(7 / 2)"]
    results = await asyncio.gather(*(loop.run_in_executor(None, evaluate, t) for t in texts))
    assert results == [1048576, 3, 3]


@test(xfail="implicit multiplication is not supported: write 2 * x, not 2x")
def multiplies_implicitly() -> None:
    assert evaluate("2x", {"x": 3.0}) == 6


if __name__ == "__main__":
    run_current_module()
