"""pytest-style tests that need pytest, on the default engine: one error case per test pytest
collects, with pytest's id (parameter sets of parametrize marks and of parametrized fixtures
in the module and its conftest.py included), or one case saying its parameter cases are
unknown without pytest; recwarn run natively; and a run of many such errors that reads in a
few lines, with no traceback of thinking-tests' own code.
"""

from __future__ import annotations

import re
from pathlib import Path

from test.pytest_compat._helpers import junit_messages, junit_outcomes, package, project, run, run_pytest
from thinking_tests import run_current_module, test

CONFTEST = '''\
import pytest


@pytest.fixture(params=[lambda spec: spec, lambda spec: spec()], ids=["as-class", "as-instance"])
def spec(request, pm):
    return request.param


@pytest.fixture
def pm():
    return object()


@pytest.fixture(params=range(2))
def computed(request):
    return request.param
'''

PARAMETRIZED = '''\
import pytest


@pytest.fixture(params=sorted({"b": 2, "a": 1}))
def key(request):
    return request.param


@pytest.fixture
def value(key):
    return {"a": 1, "b": 2}[key]


def test_module_fixture(value):
    assert value in (1, 2)


@pytest.mark.parametrize("n", [1, 2])
def test_conftest_fixture(spec, n):
    assert n


def test_plain_conftest_fixture(pm):
    assert pm


@pytest.mark.parametrize("x", ["p", "q"])
def test_builtin(x, capsys):
    print(x)


@pytest.mark.parametrize("computed", [7], indirect=True)
def test_indirect(computed):
    assert computed == 7


def test_computed(computed):
    assert computed in (0, 1)


class TestInClass:
    @pytest.fixture(params=[None, 1.5])
    def number(self, request):
        return request.param

    def test_method(self, number, key):
        assert key
'''


def _ids_of_pytest(root: Path) -> set[str]:
    """Node ids plain pytest collects, as `module::name` (the form of our case ids)."""
    collected = run("-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests", cwd=root)
    assert collected.code == 0, collected
    ids = set()
    for line in collected.stdout.splitlines():
        if "::" in line:
            path, _, rest = line.partition("::")
            ids.add(f"{Path(path).with_suffix('').as_posix().replace('/', '.')}::{rest}")
    return ids


@test
def a_test_that_needs_pytest_is_one_error_per_parameter_set_with_pytests_ids() -> None:
    root = project({**package("tests"), "tests/conftest.py": CONFTEST, "tests/test_params.py": PARAMETRIZED})
    ran = run("-m", "thinking_tests", "tests", "--report-dir", "reports", cwd=root)
    outcomes = junit_outcomes(root / "reports" / "junit.xml")
    messages = junit_messages(root / "reports" / "junit.xml")
    assert ran.code == 1, ran
    assert set(outcomes.values()) == {"error"}, ran  # never a pass or a skip
    theirs = _ids_of_pytest(root)
    computed = "tests.test_params::test_computed"
    # pytest makes the params of 'computed' by calling range(): only one case stands for them.
    assert {i for i in theirs if i.startswith(computed + "[")} == {computed + "[0]", computed + "[1]"}
    assert set(outcomes) == (theirs - {computed + "[0]", computed + "[1]"}) | {computed}, (sorted(outcomes), sorted(theirs))
    assert "tests.test_params::test_conftest_fixture[as-instance-2]" in outcomes
    assert "tests.test_params::TestInClass::test_method[None-a]" in outcomes or "tests.test_params::TestInClass::test_method[a-None]" in outcomes
    assert "its parameter cases are unknown without pytest" in messages[computed], messages[computed]
    assert "conftest.py" in messages[computed], messages[computed]
    known = "tests.test_params::test_builtin[q]"
    assert "needs fixture 'capsys', which only pytest provides: run with --backend pytest" in messages[known]
    assert "unknown" not in messages[known]
    # The advice works: pytest runs every one of them.
    ran = run("-m", "thinking_tests", "tests", "--backend", "pytest", "--report-dir", "reports", cwd=root)
    assert ran.code == 0, ran
    assert set(junit_outcomes(root / "reports" / "junit.xml")) == theirs, ran



TYPOS = """\
def test_tmp(tmp_pth):
    pass


def test_conftest_typo(databse):
    pass


def test_conftest_fixture(database):
    pass


def test_builtin(capsys):
    pass
"""


@test("a fixture known nowhere (a typo) is said to be so, with the closest names; pytest's and a conftest's still need pytest")
def an_unknown_fixture_is_a_likely_typo() -> None:
    conftest = "import pytest\n\n\n@pytest.fixture\ndef database():\n    return {}\n"
    root = project({**package("tests"), "tests/conftest.py": conftest, "tests/test_typos.py": TYPOS})
    ran = run("-m", "thinking_tests", "tests", "--report-dir", "reports", cwd=root)
    assert ran.code == 1, ran
    messages = junit_messages(root / "reports" / "junit.xml")
    typo = messages["tests.test_typos::test_tmp"]
    assert "no fixture of that name is known here" in typo and typo.endswith("did you mean 'tmp_path'?"), typo
    typo = messages["tests.test_typos::test_conftest_typo"]
    assert "no fixture of that name is known here" in typo and typo.endswith("did you mean 'database'?"), typo
    for known in ("test_conftest_fixture", "test_builtin"):
        message = messages[f"tests.test_typos::{known}"]
        assert "which only pytest provides: run with --backend pytest" in message, message
        assert "did you mean" not in message, message


WARNS = '''\
import warnings


def warn_twice():
    for _ in range(2):
        warnings.warn("old", DeprecationWarning)


def test_records(recwarn):
    warn_twice()
    warnings.warn("new", UserWarning)
    assert [str(w.message) for w in recwarn.list] == ["old", "new"]
    assert recwarn.pop(DeprecationWarning).category is DeprecationWarning
    assert len(recwarn) == 1


def test_counts_wrong(recwarn):
    warnings.warn("one")
    assert len(recwarn) == 2


from thinking_tests import test


@test
def declared(recwarn):
    warnings.warn("declared", UserWarning)
    assert len(recwarn) == 1
'''


@test
def recwarn_runs_on_the_default_engine_as_under_pytest() -> None:
    root = project({**package("tests"), "tests/test_warns.py": WARNS})
    expected = {
        "tests.test_warns::test_records": "passed",
        "tests.test_warns::test_counts_wrong": "failure",
        "tests.test_warns::declared": "passed",  # a @test case gets it too
    }
    ours = run("-m", "thinking_tests", "tests", "--report-dir", "reports", cwd=root)
    assert ours.code == 1 and ours.counts == (2, 1, 0), ours
    assert junit_outcomes(root / "reports" / "junit.xml") == expected, ours
    assert "needs" not in ours.output, ours
    plain = run_pytest("-p", "no:cacheprovider", "tests", cwd=root)
    assert plain.code == 1, plain
    assert junit_outcomes(root / "reports" / "junit.xml") == expected, plain


AUTOUSE = '''\
import pytest


@pytest.fixture(autouse=True)
def clean():
    yield
'''


@test
def many_tests_that_need_pytest_read_in_a_few_lines() -> None:
    count = 100
    tests = "\n".join(f"def test_{n}():\n    pass\n" for n in range(count))
    root = project(
        {
            **package("tests", "tests.needy"),
            "tests/needy/conftest.py": AUTOUSE,
            "tests/needy/test_many.py": tests,
            "tests/test_real.py": "def test_real_failure():\n    assert 1 == 2\n",
        }
    )
    ran = run("-m", "thinking_tests", "tests", "--report-dir", "reports", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (0, count + 1, 0), ran  # errors, counted failed: never a pass or a skip
    outcomes = junit_outcomes(root / "reports" / "junit.xml")
    assert list(outcomes.values()).count("error") == count, ran
    assert outcomes["tests.test_real::test_real_failure"] == "failure", ran
    messages = junit_messages(root / "reports" / "junit.xml")
    assert "tests/needy/conftest.py's autouse fixtures" in messages["tests.needy.test_many::test_7"], messages
    # No frame of thinking-tests' own code, in the terminal or the report.
    assert "thinking_tests/" not in ran.output and "thinking_tests\\" not in ran.output, ran
    assert not [m for m in messages.values() if "thinking_tests/" in m], messages
    # The real failure keeps its traceback; each needing pytest at most one line.
    assert "assert 1 == 2" in ran.output, ran
    assert len(ran.stdout.splitlines()) < 50, ran  # not one line, let alone a traceback, per case
    assert re.search(r"\.\.\. and \d+ more tests that need pytest", ran.stdout), ran
    closing = [line for line in ran.stdout.splitlines() if "pytest-style tests need pytest" in line]
    assert closing == [
        f"{count} pytest-style tests need pytest (tests/needy/conftest.py's autouse fixtures): run them with "
        '--backend pytest, or set config.backend = "pytest" in __test__.py'
    ], ran
    assert ran.stdout.splitlines()[-3] == closing[0], ran  # just above the summary


if __name__ == "__main__":
    run_current_module()
