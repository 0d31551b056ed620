"""0.0.4's names one by one: current in either import order, predicate and sorter, run_all's root."""

from __future__ import annotations

from test.compat._helpers import deprecations, project, run
from thinking_tests import run_current_module, test

NO_COVERAGE = "from thinking_tests import config\nconfig.coverage.enabled = False\nconfig.reports.html = None\n"

CURRENT = """\
    import warnings

    warnings.simplefilter("always")
    if ORDER == "function first":
        from thinking_tests import current
        import thinking_tests.current as old
    else:
        import thinking_tests.current as old
        from thinking_tests import current
    import thinking_tests
    from tests import user_one, user_two
    from thinking_tests import Stage, test

    @test
    def asks():
        now = current()
        assert now is not None and now.case.name == "asks" and now.stage is Stage.RUN
        assert thinking_tests.current().case.id == "tests.test_now::asks"
        assert old.current_case().id == "tests.test_now::asks"
        assert old.current_case().module_name.qualified == "tests.test_now"
        assert old.current_case_name() == "asks"
        assert old.current_metadata().stage is Stage.RUN
        assert user_one.seen() == ("tests.test_now::asks", Stage.RUN)

    print("outside a case:", current(), old.current_metadata())
"""
USER = """\
    from thinking_tests.current import current_case_id, current_stage

    def seen():
        return current_case_id(), current_stage()
"""


@test("current() works whichever of the function and the old module was imported first",
      params=["function first", "module first"])
def current_either_order(order: str) -> None:
    root = project({
        "__test__.py": NO_COVERAGE,
        "tests/__init__.py": "",
        "tests/user_one.py": USER,
        "tests/user_two.py": USER,
        "tests/test_now.py": CURRENT.replace("ORDER", repr(order)),
    })
    ran = run("-m", "thinking_tests", "tests", cwd=root)
    assert ran.counts == (1, 0, 0), ran
    assert "outside a case: None None" in ran.stdout, ran
    users = [w for w in deprecations(ran.stderr) if "user_" in w[0]]
    # Two modules import the same two names: one warning each, at the first user's line 1.
    assert sorted(name for _, _, name, _ in users) == [
        "thinking_tests.current.current_case_id", "thinking_tests.current.current_stage"
    ], ran
    assert all(file.endswith("user_one.py") and line == 1 for file, line, _, _ in users), users


ARRANGED = """\
    from thinking_tests.decorators import case
    from thinking_tests.running.start import run_current_module

    @case
    def alpha(): pass

    @case
    def beta(): pass

    @case
    def gamma(): pass

    @case
    def slow_delta(): pass

    if __name__ == "__main__":
        run_current_module(
            lambda c: not c.coordinates.name.startswith("slow"),
            sorter=lambda cases: sorted(cases, key=lambda c: c.coordinates.name, reverse=True),
        )
"""


@test("run_current_module(predicate, sorter=...) runs the chosen cases in the sorter's order")
def predicate_and_sorter() -> None:
    root = project({"__test__.py": NO_COVERAGE, "tests/__init__.py": "", "tests/test_order.py": ARRANGED})
    ran = run("-m", "tests.test_order", "-v", cwd=root)
    assert ran.code == 0, ran
    ran_ids = [line.split()[0] for line in ran.stdout.splitlines() if " PASSED" in line]
    assert ran_ids == ["tests.test_order::gamma", "tests.test_order::beta", "tests.test_order::alpha"], ran
    assert ran.counts == (3, 0, 0), ran


@test("run_all from a subpackage runs the whole root package, as 0.0.4's did; "
      "run_current_package only its own package")
def run_all_root() -> None:
    case = "from thinking_tests.decorators import case\n\n@case\ndef NAME(): pass\n"
    main = "from thinking_tests.running.start import {0}\n\nif __name__ == '__main__':\n    {0}({1})\n"
    root = project({
        "__test__.py": NO_COVERAGE,
        "tests/__init__.py": "",
        "tests/test_top.py": case.replace("NAME", "top"),
        "tests/sub/__init__.py": "",
        "tests/sub/test_low.py": case.replace("NAME", "low"),
        "tests/sub/everything.py": main.format("run_all", ""),
        "tests/sub/here.py": main.format("run_current_package", ""),
        "tests/sub/named.py": main.format("run_all", "root_package='tests.sub'"),
    })
    assert run("-m", "tests.sub.everything", cwd=root).counts == (2, 0, 0)
    assert run("-m", "tests.sub.here", cwd=root).counts == (1, 0, 0)
    assert run("-m", "tests.sub.named", cwd=root).counts == (1, 0, 0)


if __name__ == "__main__":
    run_current_module()
