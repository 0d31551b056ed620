"""run_current_module(): `python -m test.sub.test_x` runs that module's cases under its real name."""

from __future__ import annotations

from pathlib import Path

from test.running._helpers import failure_blocks, junit_cases, module, package, project, ran_ids, run
from thinking_tests import run_current_module, test

OWN = ["test.sub.test_x::first", "test.sub.test_x::second[a]", "test.sub.test_x::second[b]"]


def sample(config: str | None, sibling: bool = True) -> Path:
    """test.sub.test_x, which imports a sibling test module; only test_x's own cases may run."""
    # A script's own imports run before the library can fix sys.path, so `python file.py`
    # cannot import the project's `test` package from the module's top; it gets a plain helper.
    source = "from test.sub.test_y import helper" if sibling else "helper = lambda: 42"
    return project(
        {
            **package("test", "test.sub"),
            "test/sub/test_x.py": module(
                """
                from thinking_tests import fixture
                SOURCE

                @fixture(scope="module")
                def answer():
                    return helper()

                @test
                def first(answer):
                    assert answer == 42

                @test(params=[1, 2], ids=["a", "b"])
                def second(n):
                    assert n > 0
                """
            ).replace("SOURCE", source),
            "test/sub/test_y.py": module("def helper():\n    return 42\n\n@test\ndef sibling(): pass"),
            "test/test_z.py": module("@test\ndef elsewhere(): pass"),
        },
        config=config,
        html=True,
    )


# "" turns coverage off (the module runs in place); None keeps the default, coverage on, which
# runs the module again in a fresh process that starts coverage first.
WAYS = [
    ("", True, ("-m", "test.sub.test_x")),
    (None, True, ("-m", "test.sub.test_x")),
    ("", False, ("test/sub/test_x.py",)),
]
WAY_IDS = ["python -m, coverage off", "python -m, coverage on", "python path/to/file.py"]


@test("a module run on its own runs its own cases only, under its real module name",
      params=WAYS, ids=WAY_IDS)
def runs_own_cases_under_real_name(config: str | None, sibling: bool, args: tuple[str, ...]) -> None:
    root = sample(config, sibling)
    ran = run(*args, "-v", cwd=root)
    assert ran.code == 0, ran
    assert ran_ids(ran) == OWN, ran
    assert ran.counts == (3, 0, 0), ran
    assert "__main__" not in ran.output, ran
    assert "sibling" not in ran.stdout and "elsewhere" not in ran.stdout, ran
    assert junit_cases(root / "reports" / "junit.xml") == [
        ("test.sub.test_x", "first", "passed"),
        ("test.sub.test_x", "second[a]", "passed"),
        ("test.sub.test_x", "second[b]", "passed"),
    ]
    assert "__main__" not in (root / "reports" / "junit.xml").read_text()
    assert "__main__" not in (root / "reports" / "report.html").read_text()


@test("a module run on its own takes -k and -v like run_all, also when it starts again for coverage")
def takes_flags() -> None:
    ran = run("-m", "test.sub.test_x", "-k", "second and not a]", "-v", cwd=sample(None))
    assert ran.code == 0, ran
    assert ran_ids(ran) == ["test.sub.test_x::second[b]"], ran


@test("a failure in a module run on its own: exit 1, real id in the header and in JUnit XML")
def failure_keeps_real_name() -> None:
    root = project({
        **package("test", "test.sub"),
        "test/sub/test_f.py": module("@test\ndef good(): pass\n\n@test\ndef bad():\n    assert 1 + 1 == 3"),
    })
    ran = run("-m", "test.sub.test_f", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (1, 1, 0), ran
    assert list(failure_blocks(ran)) == ["test.sub.test_f::bad"], ran
    assert "__main__" not in ran.output, ran
    assert junit_cases(root / "reports" / "junit.xml") == [
        ("test.sub.test_f", "good", "passed"),
        ("test.sub.test_f", "bad", "failure"),
    ]


if __name__ == "__main__":
    run_current_module()
