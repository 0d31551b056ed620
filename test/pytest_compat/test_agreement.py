"""Every way of running the calculator example agrees, case by case.

Plain pytest (serial and `-n 2`, whose JUnit XML our plugin writes), the unittest engine,
the pytest engine, and three shards merged into one report: the same ids, and the same
outcome per id, read from each run's JUnit XML (classname::name -> passed / failure / error
/ skipped). The copy of the example gets one more module with a failure, setup and teardown
errors and an unexpected pass, so the agreement covers every outcome, not only passes.
The HTML reports of the engines and of plain pytest describe each case alike: description,
tags, params, file and line.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from test.pytest_compat._helpers import (
    Ran,
    calculator_copy,
    junit_outcomes,
    package,
    project,
    run,
    run_pytest,
)
from test.reports._e2e_helpers import read_html, report_data
from thinking_tests import fixture, run_current_module, test

EXTRA = """\
from thinking_tests import fixture, test

from calculator.evaluator import evaluate


@fixture
def broken():
    raise OSError("no disk")


def refuse():
    raise RuntimeError("teardown refused")


@test
def fails():
    assert evaluate("1 + 2") == 4


@test
def errors_in_setup(broken):
    pass


@test(teardown=refuse)
def errors_in_teardown():
    pass


@test(xfail="bug 7")
def passes_unexpectedly():
    pass


@test(params=[("1 + 1", 2), ("2 * 3", 6)], ids=["sum", "product"])
def evaluates(text, value):
    assert evaluate(text) == value
"""

EXTRA_OUTCOMES = {
    "test.test_zz_outcomes::fails": "failure",
    "test.test_zz_outcomes::errors_in_setup": "error",
    "test.test_zz_outcomes::errors_in_teardown": "error",
    "test.test_zz_outcomes::passes_unexpectedly": "passed",
    "test.test_zz_outcomes::evaluates[sum]": "passed",
    "test.test_zz_outcomes::evaluates[product]": "passed",
}


@fixture(scope="module")
def calculator() -> Path:
    root = calculator_copy()
    (root / "test" / "test_zz_outcomes.py").write_text(EXTRA)
    return root


def outcomes_of(root: Path, directory: str = "reports") -> dict[str, str]:
    return junit_outcomes(root / directory / "junit.xml")


@fixture(scope="module")
def baseline(calculator: Path) -> dict[str, str]:
    """The unittest engine's run: what every other way must agree with. Its journal is kept
    for --shard-durations."""
    ran = run("-m", "test.run_all", cwd=calculator, timeout=300)
    assert ran.code == 1, ran
    shutil.copy(calculator / "reports" / "journal.jsonl", calculator / "durations.jsonl")
    return outcomes_of(calculator)


def differences(found: dict[str, str], expected: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    """id -> (expected, found) for every id whose outcome differs or that one side lacks."""
    return {i: (expected.get(i), found.get(i)) for i in set(found) | set(expected) if found.get(i) != expected.get(i)}


@test("the unittest engine's run has every calculator case, and every outcome once at least")
def baseline_is_complete(baseline: dict[str, str]) -> None:
    assert len(baseline) == 69 + len(EXTRA_OUTCOMES), sorted(baseline)
    assert {i: baseline[i] for i in EXTRA_OUTCOMES} == EXTRA_OUTCOMES
    counts = Counter(baseline.values())
    # The calculator: 67 passed, a skip and an expected failure (skipped, as JUnit counts it).
    assert counts == Counter(passed=67 + 3, skipped=2, failure=1, error=2), counts


@test(
    "plain pytest, serial and with -n 2, agrees with the unittest engine case by case",
    params=[((),), (("-n", "2"),)],
    ids=["serial", "xdist"],
    timeout=300,
)
def plain_pytest(args: tuple[str, ...], calculator: Path, baseline: dict[str, str]) -> None:
    (calculator / "reports" / "junit.xml").unlink()
    ran = run_pytest("test", *args, cwd=calculator, timeout=300)
    assert ran.code == 1, ran
    assert "thinking-tests junit xml report: reports/junit.xml" in ran.stdout, ran
    assert differences(outcomes_of(calculator), baseline) == {}, ran


@test("the pytest engine agrees with the unittest engine case by case", timeout=300)
def pytest_engine(calculator: Path, baseline: dict[str, str]) -> None:
    ran = run("-m", "test.run_all", "--backend", "pytest", cwd=calculator, timeout=300)
    assert ran.code == 1, ran
    assert "pytest engine" in ran.stdout, ran
    assert differences(outcomes_of(calculator), baseline) == {}, ran


def shard_runs(calculator: Path, prefix: str, *extra: str) -> list[dict[str, str]]:
    """Three shards of the calculator, each into its own report directory."""
    shards: list[dict[str, str]] = []
    for k in (1, 2, 3):
        ran: Ran = run("-m", "thinking_tests", "test", "--shard", f"{k}/3", "--report-dir", f"{prefix}{k}",
                       *extra, cwd=calculator, timeout=300)
        assert ran.code in (0, 1), ran
        shards.append(outcomes_of(calculator, f"{prefix}{k}"))
    return shards


def assert_partition(shards: list[dict[str, str]], baseline: dict[str, str]) -> None:
    seen: Counter[str] = Counter(i for shard in shards for i in shard)
    assert [i for i, n in seen.items() if n > 1] == [], "a case ran in two shards"
    assert set(seen) == set(baseline), differences({i: "ran" for i in seen}, {i: "ran" for i in baseline})
    assert all(shards), [len(s) for s in shards]
    for shard in shards:
        assert differences(shard, {i: baseline[i] for i in shard}) == {}


@fixture(scope="module")
def shards(calculator: Path) -> list[dict[str, str]]:
    return shard_runs(calculator, "shard")


@test("three shards are disjoint, their union is every case, each outcome as unsharded", timeout=600)
def sharded(shards: list[dict[str, str]], baseline: dict[str, str]) -> None:
    assert_partition(shards, baseline)


@test("merging the three shards gives the unsharded report, case by case", timeout=300)
def merged(calculator: Path, shards: list[dict[str, str]], baseline: dict[str, str]) -> None:
    ran = run("-m", "thinking_tests", "merge", "shard1", "shard2", "shard3", "--into", "merged",
              cwd=calculator, timeout=300)
    assert ran.code == 1, ran  # the failures of the extra module
    assert differences(outcomes_of(calculator, "merged"), baseline) == {}, ran
    for name in ("report.html", ".coverage", "coverage.xml"):  # the shards' coverage combined
        assert (calculator / "merged" / name).is_file(), f"merged/{name} missing:\n{ran!r}"


@test("shards balanced by an earlier run's durations are a partition too, merged the same", timeout=600)
def balanced(calculator: Path, baseline: dict[str, str]) -> None:
    # Coverage is off in these extra runs: the acceptance's shards above measure it.
    shards = shard_runs(calculator, "balanced", "--shard-durations", "durations.jsonl", "--no-coverage")
    assert_partition(shards, baseline)
    ran = run("-m", "thinking_tests", "merge", "balanced1", "balanced2", "balanced3", "--into", "merged-balanced",
              cwd=calculator, timeout=300)
    assert differences(outcomes_of(calculator, "merged-balanced"), baseline) == {}, ran


@test("the pytest engine splits into the same shards as the unittest engine", timeout=600)
def pytest_engine_shards(calculator: Path, shards: list[dict[str, str]], baseline: dict[str, str]) -> None:
    on_pytest = shard_runs(calculator, "pytest-shard", "--backend", "pytest", "--no-coverage")
    assert_partition(on_pytest, baseline)
    assert [set(s) for s in on_pytest] == [set(s) for s in shards]


DESCRIBED = """\
    from thinking_tests import test


    @test("adds two numbers", tags=["fast", "math"])
    def adds():
        assert 1 + 1 == 2


    @test("doubles", params=[(1, 2), (3, 6)], ids=["one", "three"])
    def doubles(n, twice):
        assert 2 * n == twice


    def test_plain():
        pass
"""

DESCRIBING = ("description", "tags", "params", "file", "line")


def described(root: Path) -> dict[str, dict[str, object]]:
    """id -> what report.html says of the case besides its outcome and timings."""
    parser, _ = read_html(root / "reports" / "report.html")
    return {case["id"]: {key: case.get(key) for key in DESCRIBING} for case in report_data(parser)["cases"]}


@test(
    "plain pytest and the pytest engine describe each case as the unittest engine does",
    params=[
        (("-m", "pytest", "-p", "thinking_tests.pytest_plugin", "-q", "test"),),
        (("-m", "test.run_all", "--backend", "pytest"),),
    ],
    ids=["plain pytest", "pytest engine"],
)
def descriptions(args: tuple[str, ...]) -> None:
    root = project({**package("test"), "test/test_described.py": DESCRIBED})
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    expected = described(root)
    assert expected["test.test_described::adds"]["tags"] == ["fast", "math"], expected
    ran = run(*args, cwd=root)
    assert ran.code == 0, ran
    found = described(root)
    # The pytest function, undescribed, on every engine.
    assert "test.test_described::test_plain" in expected, expected
    assert found == expected


if __name__ == "__main__":
    run_current_module()
