"""pytest-style tests under the default engine: a module's `test*` functions and `Test*`
classes, as cases, with the ids pytest gives them (`module::TestX::test_y[param-id]`).

They run on the one case runner when they need only what can be given exactly as pytest
gives it: fixtures declared with @fixture or built in (tmp_path, monkeypatch, recwarn); the marks
skip, skipif and xfail with boolean conditions, parametrize, usefixtures, asyncio and marks
that only tag; pytest's xunit setup and teardown functions and methods. A test that needs
more (a fixture of pytest or a conftest.py, a plugin's mark, a condition string, a conftest
hook) is one error case saying what it needs and to run it with `--backend pytest`: never a
pass, never a skip. Collection follows pytest's own: module `__dict__` order, base classes'
tests first, imported tests collected too unless `collect_imported_tests` is off.

- `collect`: which objects of a module are tests, in pytest's order, with their ids;
- `context`: what every test of a module or class shares (marks, xunit fixtures, blockers);
- `marks`: skip, skipif and xfail evaluated, and which marks only tag; `parametrize`: the
  parameter sets and ids, made by pytest's own code;
- `case`: one test, its marks evaluated, as a case (or an error case saying why not);
  `call`: how that case calls the test;
- `xunit`: setup_module, setup_class, setup_method, setup_function and their teardowns;
- `blockers`: what makes every test of a module or class need pytest.

Here: the exceptions that say why a test cannot run on the default engine (their names
show in reports as `thinking_tests.pytest_style.NeedsPytest`).
"""

from __future__ import annotations


class NeedsPytest(Exception):
    """A pytest-style test only pytest can run as written; the message says what it needs."""


class InvalidTest(Exception):
    """A pytest-style test pytest itself refuses; the message is pytest's."""


class _NotRun(Exception):
    """What an xfail(run=False) case raises: reported xfailed, as pytest reports it."""


class AsyncUnsupported(Exception):
    """An async test that no installed plugin would run: it fails as it does under pytest."""


def needs(who: str, what: str, verb: str = "provides") -> NeedsPytest:
    """The one way a test says what only pytest gives it."""
    return NeedsPytest(f"{who} needs {what}, which only pytest {verb}: run with --backend pytest")
