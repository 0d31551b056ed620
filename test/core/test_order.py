"""Run order: cases in declaration order within a module, modules in name order; run scopes."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, rerun, run_project
from test.support import RUN_ALL
from thinking_tests import run_current_module, test

ORDERED = {
    "test/test_b.py": """\
        from journal import note
        from thinking_tests import run_current_module, test


        @test
        def zeta():
            note("b.zeta")


        @test
        def alpha():
            note("b.alpha")


        @test
        def mid():
            note("b.mid")


        if __name__ == "__main__":
            run_current_module()
    """,
    "test/test_a.py": """\
        from journal import note
        from thinking_tests import test


        @test
        def z_first():
            note("a.z_first")


        @test
        def a_second():
            note("a.a_second")
    """,
    "test/sub/__init__.py": "",
    "test/sub/run_all.py": RUN_ALL,
    "test/sub/test_c.py": """\
        from journal import note
        from thinking_tests import test


        @test
        def only_in_sub():
            note("sub.c.only_in_sub")
    """,
}

EVERYTHING = [
    "test.sub.test_c::only_in_sub",
    "test.test_a::z_first",
    "test.test_a::a_second",
    "test.test_b::zeta",
    "test.test_b::alpha",
    "test.test_b::mid",
]


@functools.cache
def ordered() -> Finished:
    return run_project(ORDERED)


@test("python -m test.run_all: modules by name, cases as declared")
def whole_package() -> None:
    finished = ordered()
    assert finished.ran.code == 0, finished.ran
    assert finished.ran.counts == (6, 0, 0), finished.ran
    assert list(finished.outcomes()) == EVERYTHING, finished.ran
    assert finished.journal() == [
        "sub.c.only_in_sub", "a.z_first", "a.a_second", "b.zeta", "b.alpha", "b.mid",
    ]
    suites = [s.get("name") for s in finished.junit().iter("testsuite")]
    assert suites == ["test.sub.test_c", "test.test_a", "test.test_b"]


@test(
    "a narrower entry point runs its own cases only, under their real ids",
    params=[
        (("-m", "test.sub.run_all", "-v"), EVERYTHING[:1]),
        (("-m", "test.test_b", "-v"), EVERYTHING[3:]),
    ],
    ids=["subpackage", "module"],
)
def narrower(args: tuple[str, ...], expected: list[str]) -> None:
    finished = rerun(ordered().root, args)
    assert finished.ran.code == 0, finished.ran
    assert finished.ran.counts == (len(expected), 0, 0), finished.ran
    assert list(finished.outcomes()) == expected, finished.ran
    assert "__main__" not in finished.ran.stdout, finished.ran


if __name__ == "__main__":
    run_current_module()
