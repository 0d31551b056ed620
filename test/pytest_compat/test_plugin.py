"""Plain pytest collects every registered @test case as an item, and runs it as we would.

Node ids, tags as markers, skip/xfail/params as pytest's outcomes, setups, teardowns, aspects
and thinking-tests fixtures through the one case runner (in the same order as the unittest
engine), pytest's own fixtures injected, assertion rewriting, no collection warnings, nothing
collected twice, `python_files` respected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from test.pytest_compat._helpers import Ran, project, pytest_counts, run, run_pytest
from thinking_tests import fixture, run_current_module, test

JOURNAL = """\
    from pathlib import Path

    from thinking_tests import aspect

    FILE = Path(__file__).with_name("journal.txt")


    def note(text):
        with open(FILE, "a", encoding="utf-8") as handle:
            handle.write(text + "\\n")


    def take():
        text = FILE.read_text(encoding="utf-8") if FILE.exists() else ""
        FILE.unlink(missing_ok=True)
        return text.splitlines()


    @aspect
    def everywhere(stage, case):
        note(f"global {stage} {case.name}")
        yield
"""

CONFTEST = """\
    import pytest


    @pytest.fixture
    def salutation():
        return "hello"


    @pytest.fixture
    def greeting():
        return "from conftest"
"""

FEATURES = """\
    import os

    from journal import note
    from thinking_tests import fixture, test


    def add(a, b):
        return a + b


    @test(tags=["fast"])
    def quick():
        pass


    @test(tags=["slow", "needs-gpu"])
    def slow_one():
        pass


    @test(skip="not here")
    def skipped():
        pass


    @test(xfail="bug 1")
    def expected_failure():
        assert False


    @test(xfail="bug 2")
    def unexpected_pass():
        pass


    @test(params=[(1, 2, 3), (2, 2, 4)], ids=["small", "even"])
    def adds(a, b, total):
        assert add(a, b) == total


    @test(params=[(1, 1), (2, 2)])
    def doubles(a, b):
        assert a == b


    @test
    def wrong_sum():
        assert add(1, 2) == 4


    @test
    def uses_tmp_path(tmp_path):
        note(f"tmp_path {tmp_path}")
        (tmp_path / "x.txt").write_text("hi")
        assert (tmp_path / "x.txt").read_text() == "hi"


    @test
    def uses_monkeypatch(monkeypatch):
        monkeypatch.setenv("TT_PATCHED", "yes")
        assert os.environ["TT_PATCHED"] == "yes"


    @test
    def monkeypatch_undone():
        assert "TT_PATCHED" not in os.environ


    @test
    def uses_conftest(salutation):
        assert salutation == "hello"


    @fixture
    def number():
        return 41


    @test
    def mixes(number, salutation, tmp_path, monkeypatch):
        assert number == 41 and salutation == "hello" and tmp_path.is_dir()


    @test
    def test_something():
        note("test_something runs")


    @test(params=[1, 2])
    def test_with_params(n):
        note(f"test_with_params {n}")


    def test_plain():
        note("test_plain runs")
"""

OVERRIDE = """\
    from thinking_tests import fixture, test


    @fixture
    def greeting():
        return "from thinking-tests"


    @test
    def overridden(greeting):
        assert greeting == "from thinking-tests"
"""

IMPORTS = """\
    from test_features import quick
    from thinking_tests import test


    @test
    def own():
        pass
"""

NESTED = """\
    from thinking_tests import test


    @test(params=[("a", 1)], ids=["first"])
    def nested(letter, number):
        pass
"""

ORDER = """\
    from journal import note
    from thinking_tests import aspect, fixture, setup, teardown, test


    @fixture(scope="module")
    def resource():
        note("resource up")
        yield "res"
        note("resource down")


    @fixture
    def per_case():
        note("per_case up")
        yield
        note("per_case down")


    @aspect
    def marked(stage, case):
        note(f"aspect {stage} {case.name}")
        yield


    with setup(lambda: note("outer setup")), teardown(lambda: note("outer teardown")):
        with aspect(marked):

            @test
            def first(resource, per_case):
                note(f"first runs with {resource}")

        with setup(lambda: note("inner setup")), teardown(lambda: note("inner teardown")):

            @test(setup=lambda: note("own setup"), teardown=lambda: note("own teardown"))
            def second(resource):
                note(f"second runs with {resource}")


    @test
    def third():
        note("third runs")
"""

CONFIG = """\
    from journal import everywhere
    config.aspects.append(everywhere)
"""

ORDER_EXPECTED = [
    "global setup first", "aspect setup first", "resource up", "per_case up", "outer setup",
    "global run first", "aspect run first", "first runs with res",
    "global teardown first", "aspect teardown first", "outer teardown", "per_case down",
    "global setup second", "outer setup", "inner setup", "own setup",
    "global run second", "second runs with res",
    "global teardown second", "own teardown", "inner teardown", "outer teardown",
    "global setup third", "global run third", "third runs", "global teardown third",
    "resource down",
]

IDS = [
    "sub/test_nested.py::nested[first]",
    "test_features.py::quick",
    "test_features.py::slow_one",
    "test_features.py::skipped",
    "test_features.py::expected_failure",
    "test_features.py::unexpected_pass",
    "test_features.py::adds[small]",
    "test_features.py::adds[even]",
    "test_features.py::doubles[0]",
    "test_features.py::doubles[1]",
    "test_features.py::wrong_sum",
    "test_features.py::uses_tmp_path",
    "test_features.py::uses_monkeypatch",
    "test_features.py::monkeypatch_undone",
    "test_features.py::uses_conftest",
    "test_features.py::mixes",
    "test_features.py::test_something",
    "test_features.py::test_with_params[0]",
    "test_features.py::test_with_params[1]",
    "test_features.py::test_plain",
    "test_imports.py::own",
    "test_override.py::overridden",
]


@fixture(scope="module")
def features() -> Path:
    return project(
        {
            "journal.py": JOURNAL,
            "conftest.py": CONFTEST,
            "test_features.py": FEATURES,
            "test_override.py": OVERRIDE,
            "test_imports.py": IMPORTS,
            "sub/test_nested.py": NESTED,
            "helpers_not_collected.py": "from thinking_tests import test\n\n@test\ndef hidden():\n    pass\n",
        },
        config=CONFIG,
    )


@dataclass(frozen=True)
class FullRun:
    ran: Ran
    journal: list[str]  # what the project's cases noted in it


@fixture(scope="module")
def full_run(features: Path) -> FullRun:
    """One plain pytest run of the whole project, every outcome listed (-rA)."""
    ran = run_pytest("-rA", "--strict-markers", f"--basetemp={features / 'basetemp'}", cwd=features)
    journal = features / "journal.txt"
    noted = journal.read_text(encoding="utf-8").splitlines()
    journal.unlink()
    return FullRun(ran, noted)


def collected(ran: Ran) -> list[str]:
    return [line for line in ran.stdout.splitlines() if "::" in line]


@test("--collect-only lists every case as path::name[param-id], once, in declaration order")
def node_ids(features: Path) -> None:
    ran = run_pytest("--collect-only", "-q", cwd=features)
    assert ran.code == 0, ran
    assert collected(ran) == IDS, ran
    assert f"{len(IDS)} tests collected" in ran.stdout, ran


@test("a node id selects exactly that case, param id included")
def node_id_selects(features: Path) -> None:
    ran = run_pytest("-q", "test_features.py::adds[even]", "sub/test_nested.py::nested[first]", cwd=features)
    assert ran.code == 0, ran
    assert pytest_counts(ran) == {"passed": 2}, ran


@test("skip, xfail, params and failures become pytest's own outcomes")
def outcomes(full_run: FullRun) -> None:
    ran = full_run.ran
    assert ran.code == 1, ran
    # 22 items: 1 failed, 1 skipped, 1 xfailed, 1 xpassed, the rest passed.
    assert pytest_counts(ran) == {
        "failed": 1, "passed": 18, "skipped": 1, "xfailed": 1, "xpassed": 1,
    }, ran
    out = ran.stdout
    assert "XFAIL test_features.py::expected_failure - bug 1" in out, ran
    assert "XPASS test_features.py::unexpected_pass" in out and "bug 2" in out, ran
    assert "SKIPPED [1] test_features.py" in out and "not here" in out, ran
    assert "FAILED test_features.py::wrong_sum" in out, ran
    for node in ("adds[small]", "adds[even]", "doubles[0]", "doubles[1]", "test_with_params[1]"):
        assert f"PASSED test_features.py::{node}" in out, ran


@test("a failure is shown with pytest's assertion rewriting")
def assertion_rewriting(full_run: FullRun) -> None:
    out = full_run.ran.stdout
    assert "assert 3 == 4" in out, full_run.ran
    assert "where 3 = add(1, 2)" in out, full_run.ran


@test(
    "tags are markers: -m selects by them (a tag with a dash becomes an underscore)",
    params=[
        ("fast", {"passed": 1, "deselected": 21}, ["test_features.py::quick"]),
        ("slow or fast", None, ["test_features.py::quick", "test_features.py::slow_one"]),
        ("needs_gpu", {"passed": 1, "deselected": 21}, ["test_features.py::slow_one"]),
        ("thinking_tests and not fast and not slow", None, None),
    ],
    ids=["fast", "slow or fast", "needs_gpu", "thinking_tests marker"],
)
def markers(expression: str, counts: dict[str, int] | None, ids: list[str] | None, features: Path) -> None:
    listed = run_pytest("--collect-only", "-q", "--strict-markers", "-m", expression, cwd=features)
    assert listed.code == 0, listed
    if ids is None:  # every @test case carries the thinking_tests marker; the plain function not
        ids = [i for i in IDS if not i.endswith(("::quick", "::slow_one", "::test_plain"))]
    assert collected(listed) == ids, listed
    if counts is not None:
        ran = run_pytest("-q", "--strict-markers", "-m", expression, cwd=features)
        assert ran.code == 0, ran
        assert pytest_counts(ran) == counts, ran


@test("pytest's tmp_path, monkeypatch and conftest fixtures fill a case's parameters")
def pytest_fixtures(features: Path, full_run: FullRun) -> None:
    journal, ran = full_run.journal, full_run.ran
    out = ran.stdout
    for name in ("uses_tmp_path", "uses_monkeypatch", "monkeypatch_undone", "uses_conftest", "mixes"):
        assert f"PASSED test_features.py::{name}" in out, ran
    # A thinking-tests fixture wins over the conftest one of the same name.
    assert "PASSED test_override.py::overridden" in out, ran
    # tmp_path is pytest's own: under --basetemp, named after the item.
    tmp = [line for line in journal if line.startswith("tmp_path ")]
    assert tmp == [f"tmp_path {features / 'basetemp' / 'uses_tmp_path0'}"], journal


@test("nothing is collected twice: a @test named test_* is one item, a plain test_* its own")
def collected_once(full_run: FullRun) -> None:
    journal, ran = full_run.journal, full_run.ran
    assert journal.count("test_something runs") == 1, journal
    assert journal.count("test_plain runs") == 1, journal
    assert journal.count("test_with_params 1") == 1, journal
    assert "fixture 'n' not found" not in ran.stdout, ran
    assert "PASSED test_features.py::test_plain" in ran.stdout, ran


@test("-W error::pytest.PytestCollectionWarning passes: collecting warns of nothing")
def no_collection_warning(features: Path) -> None:
    ran = run_pytest("-q", "-W", "error::pytest.PytestCollectionWarning", "-W", "error::pytest.PytestUnknownMarkWarning",
                 "-k", "not wrong_sum", cwd=features)
    assert ran.code == 0, ran
    assert "Warning" not in ran.stdout, ran
    assert pytest_counts(ran) == {"passed": 18, "skipped": 1, "xfailed": 1, "xpassed": 1, "deselected": 1}, ran


@test("pytest-xdist collects the same items in every worker and runs them all")
def xdist(features: Path) -> None:
    ran = run_pytest("-q", "-n", "2", cwd=features)
    assert ran.code == 1, ran
    assert "Different tests were collected" not in ran.output, ran
    assert pytest_counts(ran) == {"failed": 1, "passed": 18, "skipped": 1, "xfailed": 1, "xpassed": 1}, ran


@fixture(scope="module")
def ordering() -> Path:
    return project({"journal.py": JOURNAL, "order/test_order.py": ORDER}, config=CONFIG)


def journal_of(root: Path, ran: Ran) -> list[str]:
    assert ran.code == 0, ran
    path = root / "journal.txt"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    return text.splitlines()


@test("setups, teardowns, aspects (global, block) and fixtures run in the unittest engine's order")
def order(ordering: Path) -> None:
    plain = journal_of(ordering, run_pytest("-q", "order/test_order.py", cwd=ordering))
    assert plain == ORDER_EXPECTED, plain
    unittest_engine = journal_of(ordering, run("-m", "thinking_tests", "order/test_order.py", cwd=ordering))
    assert unittest_engine == ORDER_EXPECTED, unittest_engine
    pytest_engine = journal_of(
        ordering, run("-m", "thinking_tests", "order/test_order.py", "--backend", "pytest", cwd=ordering)
    )
    assert pytest_engine == ORDER_EXPECTED, pytest_engine


@test("python_files is respected: only the files it names are collected")
def python_files() -> None:
    case = "from thinking_tests import test\n\n@test\ndef {name}():\n    pass\n"
    root = project(
        {
            "pytest.ini": "[pytest]\npython_files = check_*.py\n",
            "check_alpha.py": case.format(name="alpha"),
            "test_beta.py": case.format(name="beta"),
        }
    )
    ran = run_pytest("--collect-only", "-q", cwd=root)
    assert ran.code == 0, ran
    assert collected(ran) == ["check_alpha.py::alpha"], ran
    ran = run_pytest("-q", cwd=root)
    assert ran.code == 0 and pytest_counts(ran) == {"passed": 1}, ran


if __name__ == "__main__":
    run_current_module()
