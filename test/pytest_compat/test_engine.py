"""The pytest engine: `--backend pytest` or `config.backend = "pytest"` runs through pytest.main.

The same cases run as under the unittest engine, the plain pytest functions of the scanned
modules included; `config.pytest_args` reach pytest (`-n 2` for pytest-xdist); `-k`, `-t`
and `-x` select and stop as under the unittest engine; a module that fails to import is one
error case; the exit codes are 0, 1 and 5.
"""

from __future__ import annotations

from pathlib import Path

from test.pytest_compat._helpers import (
    Ran,
    junit_messages,
    junit_outcomes,
    package,
    project,
    run,
)
from thinking_tests import fixture, run_current_module, test

GOOD = """\
    import os

    import pytest

    from thinking_tests import fixture, test


    def where():
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "workers.txt"), "a") as f:
            f.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")


    @fixture
    def number():
        return 7


    @test(tags=["fast"])
    def quick(number):
        where()
        assert number == 7


    @test(tags=["slow"])
    def slow_one():
        where()


    @test(params=[1, 2], ids=["one", "two"])
    def numbered(n):
        where()
        assert n in (1, 2)


    @test(skip="not here")
    def skipped():
        pass


    def test_plain_function():
        where()


    @pytest.mark.fast
    def test_marked_plain():
        where()


    class TestPlainClass:
        def test_method(self):
            where()
"""

MORE = """\
    from thinking_tests import test


    @test
    def more():
        pass
"""

FAILING = """\
    from thinking_tests import test


    @test
    def a_fails():
        assert 1 == 2


    @test
    def b_fails():
        assert 1 == 3


    @test
    def c_passes():
        pass
"""

# Every @test case of test.good; the plain pytest functions only the pytest engine runs.
CASES = {
    "test.good.test_good::quick": "passed",
    "test.good.test_good::slow_one": "passed",
    "test.good.test_good::numbered[one]": "passed",
    "test.good.test_good::numbered[two]": "passed",
    "test.good.test_good::skipped": "skipped",
    "test.good.sub.test_more::more": "passed",
}
PLAIN = {
    "test.good.test_good::test_plain_function": "passed",
    "test.good.test_good::test_marked_plain": "passed",
    "test.good.test_good::TestPlainClass::test_method": "passed",
}


def tree(config: str = "") -> Path:
    return project(
        {
            **package("test", "test.good", "test.good.sub", "test.bad", "test.broken", "test.empty"),
            "test/good/test_good.py": GOOD,
            "test/good/sub/test_more.py": MORE,
            "test/bad/test_bad.py": FAILING,
            "test/broken/test_broken.py": "import no_such_module_anywhere\n",
            "test/broken/test_fine.py": MORE,
        },
        config=config,
    )


@fixture(scope="module")
def by_flag() -> Path:
    """The default configuration: the unittest engine unless --backend pytest."""
    return tree()


@fixture(scope="module")
def by_config() -> Path:
    return tree('config.backend = "pytest"\n')


@fixture(scope="module")
def by_xdist() -> Path:
    return tree('config.backend = "pytest"\nconfig.pytest_args = ["-n", "2"]\n')


def outcomes(root: Path) -> dict[str, str]:
    return junit_outcomes(root / "reports" / "junit.xml")


def workers(root: Path) -> list[str]:
    path = root / "workers.txt"
    if not path.exists():
        return []
    found = path.read_text().split()
    path.unlink()
    return found


@test("the unittest engine runs the @test cases and the plain pytest functions, as pytest does")
def unittest_engine(by_flag: Path) -> None:
    ran = run("-m", "test.good.run_all", cwd=by_flag)
    assert ran.code == 0, ran
    assert "unittest engine" in ran.stdout, ran
    assert outcomes(by_flag) == {**CASES, **PLAIN}
    assert ran.counts == (8, 0, 1), ran
    workers(by_flag)


@test(
    "--backend pytest and config.backend run the same cases, and the plain pytest functions too",
    params=[
        ("by_flag", ("-m", "test.good.run_all", "--backend", "pytest")),
        ("by_flag", ("-m", "thinking_tests", "test.good", "--backend", "pytest")),
        ("by_config", ("-m", "test.good.run_all")),
        ("by_config", ("test/good/run_all.py",)),
    ],
    ids=["--backend run_all", "--backend cli", "config run_all", "config script"],
)
def pytest_engine(which: str, args: tuple[str, ...], by_flag: Path, by_config: Path) -> None:
    root = {"by_flag": by_flag, "by_config": by_config}[which]
    ran = run(*args, cwd=root)
    assert ran.code == 0, ran
    assert "pytest engine" in ran.stdout, ran
    assert outcomes(root) == {**CASES, **PLAIN}
    assert ran.counts == (8, 0, 1), ran
    # In this process: no xdist worker ran anything.
    assert set(workers(root)) == {"main"}


@test("config.pytest_args = ['-n', '2'] runs the cases in two pytest-xdist workers")
def xdist(by_xdist: Path) -> None:
    ran = run("-m", "test.good.run_all", cwd=by_xdist)
    assert ran.code == 0, ran
    assert outcomes(by_xdist) == {**CASES, **PLAIN}
    assert ran.counts == (8, 0, 1), ran
    seen = workers(by_xdist)
    assert len(seen) == 7 and set(seen) <= {"gw0", "gw1"}, seen


@test(
    "-k and -t select under the pytest engine as under the unittest engine, plain functions too",
    params=[
        (("-k", "quick or numbered"), ["quick", "numbered[one]", "numbered[two]"], []),
        (("-k", "not numbered and not more"), ["quick", "slow_one", "skipped"],
         ["test_plain_function", "test_marked_plain", "TestPlainClass::test_method"]),
        (("-t", "fast"), ["quick"], ["test_marked_plain"]),
    ],
    ids=["-k or", "-k not", "-t"],
)
def selection(args: tuple[str, ...], cases: list[str], plain: list[str], by_flag: Path) -> None:
    expected = {f"test.good.test_good::{name}" for name in [*cases, *plain]}
    unittest_ran = run("-m", "test.good.run_all", *args, cwd=by_flag)
    assert unittest_ran.code == 0, unittest_ran
    assert set(outcomes(by_flag)) == expected, unittest_ran
    pytest_ran = run("-m", "test.good.run_all", "--backend", "pytest", *args, cwd=by_flag)
    assert pytest_ran.code == 0, pytest_ran
    assert set(outcomes(by_flag)) == expected, pytest_ran
    workers(by_flag)


@test(
    "-x stops at the first failure under either engine",
    params=[("unittest",), ("pytest",)],
    ids=["unittest", "pytest"],
)
def exitfirst(backend: str, by_flag: Path) -> None:
    ran = run("-m", "test.bad.run_all", "--backend", backend, "-x", cwd=by_flag)
    assert ran.code == 1, ran
    assert ran.counts == (0, 1, 0), ran
    assert outcomes(by_flag) == {"test.bad.test_bad::a_fails": "failure"}
    whole = run("-m", "test.bad.run_all", "--backend", backend, cwd=by_flag)
    assert whole.code == 1 and whole.counts == (1, 2, 0), whole


@test(
    "a module failing to import is one error case, and the others still run",
    params=[("unittest",), ("pytest",)],
    ids=["unittest", "pytest"],
)
def import_error(backend: str, by_flag: Path) -> None:
    ran = run("-m", "test.broken.run_all", "--backend", backend, cwd=by_flag)
    assert ran.code == 1, ran
    assert ran.counts == (1, 1, 0), ran
    found = outcomes(by_flag)
    assert found == {
        "test.broken.test_broken::<import>": "error",
        "test.broken.test_fine::more": "passed",
    }, found
    message = junit_messages(by_flag / "reports" / "junit.xml")["test.broken.test_broken::<import>"]
    assert "no_such_module_anywhere" in message, message
    assert "Traceback" not in ran.stderr, ran


@test(
    "exit codes under the pytest engine: 5 when none collected, 1 when one target fails",
    # 0 and 1 are checked with the runs above.
    params=[
        (("-m", "test.good.run_all", "-k", "nothing_matches_this"), 5, (0, 0, 0)),
        (("-m", "test.good.run_all", "-t", "no-such-tag"), 5, (0, 0, 0)),
        (("-m", "test.empty.run_all"), 5, (0, 0, 0)),
        (("-m", "thinking_tests", "test.good", "test.bad"), 1, (9, 2, 1)),
    ],
    ids=["-k none", "-t none", "empty package", "two targets"],
)
def exit_codes(args: tuple[str, ...], code: int, counts: tuple[int, int, int], by_config: Path) -> None:
    ran: Ran = run(*args, cwd=by_config)
    workers(by_config)
    assert ran.code == code, ran
    assert "Traceback" not in ran.stderr, ran
    assert ran.counts == counts, ran


if __name__ == "__main__":
    run_current_module()
