"""pytest-style tests under the default engine, and which modules of a test package it imports.

A module of plain pytest tests (functions, a class with xunit setups, marks, parametrize) is
run by `python -m test.run_all` and by plain `pytest`: the same ids and outcomes, read from
each run's JUnit XML, and the same order of setups and teardowns, read from a journal the
tests write. The one difference is a test that needs a fixture only pytest provides: an
error saying `--backend pytest`, never a pass or a skip. Helper modules that declare nothing
are not imported; a module that declares @test cases under another name still runs.
"""

from __future__ import annotations

from pathlib import Path

from test.core._helpers import JOURNAL
from test.pytest_compat._helpers import junit_messages, junit_outcomes, package, project, run, run_pytest
from thinking_tests import run_current_module, test

STYLE = '''\
import pytest

from thinking_tests import test as declared
from test.journal import note
from test.test_base import test_shared


def setup_module(module):
    note("setup_module")


def teardown_module(module):
    note("teardown_module")


def setup_function(function):
    note(f"setup_function {function.__name__}")


def teardown_function(function):
    note(f"teardown_function {function.__name__}")


def test_passes(tmp_path, monkeypatch):
    monkeypatch.setenv("STYLE_VALUE", "1")
    assert tmp_path.is_dir()


def test_fails():
    assert 1 + 1 == 3


@pytest.mark.skip(reason="not today")
def test_skipped():
    raise RuntimeError("never runs")


@pytest.mark.skipif(1 < 2, reason="always")
def test_skipped_if():
    raise RuntimeError("never runs")


@pytest.mark.parametrize("a, b", [(1, 2), (2, 3), ("x", "xy"), (None, None)])
def test_params(a, b):
    assert a is None or a + (1 if isinstance(a, int) else "y") == b


@pytest.mark.parametrize("x", [0, 5])
@pytest.mark.parametrize("y", [2, 3], ids=["two", "three"])
def test_stacked(x, y):
    assert x < y


@pytest.mark.xfail(reason="bug 7")
def test_expected_failure():
    assert False


@pytest.mark.xfail(raises=ValueError, reason="only ValueError")
def test_unexpected_error():
    raise KeyError("other")


@pytest.mark.xfail(strict=True, reason="must fail")
def test_strict_pass():
    pass


@pytest.mark.slow
def test_custom_mark():
    pass


def test_needs_pytest_fixture(capsys):
    print("hello")
    assert capsys.readouterr().out == "hello\\n"


@declared
def test_declared():
    note("declared")


class TestThing:
    @classmethod
    def setup_class(cls):
        note("setup_class")

    @classmethod
    def teardown_class(cls):
        note("teardown_class")

    def setup_method(self, method):
        self.name = method.__name__
        note(f"setup_method {method.__name__}")

    def teardown_method(self, method):
        note(f"teardown_method {method.__name__}")

    def test_one(self):
        assert self.name == "test_one"

    @pytest.mark.parametrize("n", [1, 2])
    def test_two(self, n):
        assert n == 1


class TestWithInit:
    def __init__(self):
        pass

    def test_never_collected(self):
        raise RuntimeError("pytest does not collect a class with __init__")
'''

BASE = '''\
def test_shared():
    pass
'''


def _style_project() -> Path:
    return project(
        {
            **package("test"),
            "test/journal.py": JOURNAL,
            "test/test_base.py": BASE,
            "test/test_style.py": STYLE,
        }
    )


def _journal(root: Path) -> list[str]:
    path = root / "test" / "journal.txt"
    lines = path.read_text().splitlines()
    path.unlink()
    return lines


@test
def pytest_style_tests_match_plain_pytest() -> None:
    root = _style_project()
    ours = run("-m", "test.run_all", "-v", cwd=root)
    our_outcomes = junit_outcomes(root / "reports" / "junit.xml")
    our_messages = junit_messages(root / "reports" / "junit.xml")
    our_journal = _journal(root)
    plain = run_pytest("-p", "no:cacheprovider", cwd=root)
    pytest_outcomes = junit_outcomes(root / "reports" / "junit.xml")
    pytest_journal = _journal(root)

    assert ours.code == 1, ours
    assert plain.code == 1, plain
    assert sorted(our_outcomes) == sorted(pytest_outcomes), (ours, plain)
    needs = "test.test_style::test_needs_pytest_fixture"
    assert pytest_outcomes.pop(needs) == "passed", plain
    assert our_outcomes.pop(needs) == "error", ours
    message = our_messages[needs]
    assert "test_needs_pytest_fixture needs fixture 'capsys', which only pytest provides" in message
    assert "--backend pytest" in message
    assert our_outcomes == pytest_outcomes, (ours, plain)
    # Every kind of outcome was there to agree on, with pytest's parametrize ids.
    expected = {
        "test.test_style::test_passes": "passed",
        "test.test_style::test_fails": "failure",
        "test.test_style::test_skipped": "skipped",
        "test.test_style::test_skipped_if": "skipped",
        "test.test_style::test_params[x-xy]": "passed",
        "test.test_style::test_params[None-None]": "passed",
        "test.test_style::test_stacked[three-5]": "failure",
        "test.test_style::test_expected_failure": "skipped",
        "test.test_style::test_unexpected_error": "failure",
        "test.test_style::test_strict_pass": "failure",
        "test.test_style::TestThing::test_one": "passed",
        "test.test_style::TestThing::test_two[2]": "failure",
        "test.test_style::test_declared": "passed",
        "test.test_style::test_shared": "passed",  # imported: pytest collects it here too
        "test.test_base::test_shared": "passed",
    }
    for identifier, outcome in expected.items():
        assert our_outcomes.get(identifier) == outcome, (identifier, ours)
    assert not [i for i in our_outcomes if "never" in i or i.count("test_declared") > 1]
    # Setups and teardowns in pytest's order: once per module and class, per test inside.
    # Two lines differ, known: pytest wraps the test it alone runs in setup_function, and
    # the @test case too (its xunit functions reach every item of the module).
    pytest_journal = [
        line
        for line in pytest_journal
        if not line.endswith((" test_needs_pytest_fixture", "_function test_declared"))
    ]
    assert our_journal == pytest_journal, (our_journal, pytest_journal)
    assert our_journal.count("setup_module") == 1 and our_journal.count("setup_class") == 1
    assert our_journal[-2:] == ["teardown_class", "teardown_module"], our_journal
    assert "setup_method test_one" in our_journal


@test
def the_error_advice_works() -> None:
    root = _style_project()
    ran = run("-m", "test.run_all", "--backend", "pytest", cwd=root)
    outcomes = junit_outcomes(root / "reports" / "junit.xml")
    assert outcomes["test.test_style::test_needs_pytest_fixture"] == "passed", ran
    assert ran.code == 1, ran  # the real failures stay failures


@test
def a_test_only_pytest_can_run_fails_the_run() -> None:
    root = project(
        {
            **package("test"),
            "test/test_only.py": "def test_output(capsys):\n    print('x')\n",
        }
    )
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (0, 1, 0), ran
    assert "test_output needs fixture 'capsys'" in ran.output, ran


HELPER_RAISES = '''\
def helper():
    return 1


raise RuntimeError("helper module imported")
'''

TYPING_ONLY = '''\
from typing import TYPE_CHECKING

VALUE: int = 1
raise RuntimeError("type-checker file imported")
'''

CHECKS = '''\
from thinking_tests import test


@test
def checks_run():
    assert True


@test
def checks_fail():
    assert 1 == 2
'''


@test
def helper_modules_are_not_imported() -> None:
    root = project(
        {
            **package("test"),
            "test/_helpers.py": HELPER_RAISES,
            "test/typing_only.py": TYPING_ONLY,
            "test/checks.py": CHECKS,
            "test/test_plain.py": "def test_plain():\n    pass\n",
        }
    )
    ran = run("-m", "test.run_all", "-v", cwd=root)
    assert "imported" not in ran.output, ran
    assert ran.code == 1, ran
    assert ran.counts == (2, 1, 0), ran  # checks_run and test_plain pass; checks_fail fails
    outcomes = junit_outcomes(root / "reports" / "junit.xml")
    assert outcomes == {
        "test.checks::checks_run": "passed",
        "test.checks::checks_fail": "failure",
        "test.test_plain::test_plain": "passed",
    }, ran
    # The pytest engine leaves the helpers alone too.
    ran = run("-m", "test.run_all", "--backend", "pytest", cwd=root)
    assert "imported" not in ran.output, ran
    assert junit_outcomes(root / "reports" / "junit.xml")["test.test_plain::test_plain"] == "passed"


@test
def a_test_named_module_is_imported_even_when_it_declares_nothing() -> None:
    root = project(
        {
            **package("test"),
            "test/test_broken.py": "raise RuntimeError('test module imported')\n",
            "test/test_fine.py": "def test_fine():\n    pass\n",
        }
    )
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 1, ran
    assert "test module imported" in ran.output, ran


IMPERATIVE = """\
import pytest


def test_skip_call():
    pytest.skip("not here")


def test_xfail_call():
    pytest.xfail("known bug")


def test_fail_call():
    pytest.fail("said so")


@pytest.mark.xfail(reason="flaky")
def test_skip_inside_xfail():
    pytest.skip("not on this platform")
"""

MODULE_SKIP = """\
import pytest

missing = pytest.importorskip("a_module_that_is_not_installed")


def test_uses_it():
    assert missing
"""


@test("pytest.skip, pytest.xfail, pytest.fail and importorskip mean on the default engine what they mean under pytest")
def imperative_outcomes_match_pytest() -> None:
    root = project(
        {**package("tests"), "tests/test_imperative.py": IMPERATIVE, "tests/test_modskip.py": MODULE_SKIP}
    )
    ours = run("-m", "thinking_tests", "tests", cwd=root)
    assert ours.code == 1 and ours.counts == (0, 1, 4), ours
    assert junit_outcomes(root / "reports" / "junit.xml") == {
        "tests.test_imperative::test_skip_call": "skipped",
        "tests.test_imperative::test_xfail_call": "skipped",
        "tests.test_imperative::test_fail_call": "failure",
        "tests.test_imperative::test_skip_inside_xfail": "skipped",
        "tests.test_modskip::<import>": "skipped",
    }, ours
    plain = run_pytest("-p", "no:cacheprovider", "tests", cwd=root)
    assert plain.code == 1, plain
    assert "1 failed, 3 skipped, 1 xfailed" in plain.output, plain


if __name__ == "__main__":
    run_current_module()
