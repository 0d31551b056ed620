"""Helpers of the 0.0.4-compatibility tests: a suite written in 0.0.4's style, and readers."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from test.support import Ran, run, run_pytest
from test.support import project as _project

__all__ = ["OLD_SUITE", "Ran", "deprecations", "project", "run", "run_pytest"]

def project(files: dict[str, str]) -> Path:
    """A temporary project with exactly these files (its own __test__.py, if any), removed at exit."""
    return _project({name: textwrap.dedent(text) for name, text in files.items()}, config=None)


_WARNING = re.compile(r"^(\S+?):(\d+): DeprecationWarning: (\S+) is thinking-tests 0\.0\.4's spelling; use (.+)$")


def deprecations(output: str) -> list[tuple[str, int, str, str]]:
    """(file, line, old name, new spelling) of every 0.0.4 DeprecationWarning printed."""
    found = []
    for line in output.splitlines():
        match = _WARNING.match(line.strip())
        if match:
            found.append((match[1], int(match[2]), match[3], match[4]))
    return found


# A project written for thinking-tests 0.0.4, as its README showed: its calculator, a test
# package whose modules end with run_current_module(), a run_all.py calling run_all(), and
# a __test__.py putting every report where test_config says.
OLD_SUITE = {
    "calc/__init__.py": """\
        def add(a, b):
            return a + b


        def never_called():
            return "not measured"
        """,
    "tests/__init__.py": "",
    "tests/run_all.py": """\
        from thinking_tests.running.start import run_all

        if __name__ == "__main__":
            run_all()
        """,
    "tests/test_math.py": """\
        from thinking_tests.current import current_case_id, current_case_name, current_stage
        from thinking_tests.decorators import case, setup, teardown
        from thinking_tests.running.start import run_current_module

        from calc import add

        LOG = []


        @case
        def adds():
            assert add(1, 2) == 3


        @case("subtraction by adding")
        def named():
            assert current_case_name() == "subtraction by adding"
            assert current_case_id() == "tests.test_math::subtraction by adding"
            assert add(5, -2) == 3


        def open_account():
            return {"balance": 10}


        def close_account(setup, outcome):
            print(f"closing {setup} after {outcome} in {current_stage().name}")
            assert "balance" in setup
            assert outcome in ("deposited", None)


        with setup(open_account), teardown(close_account):
            @case
            def deposits(setup):
                setup["balance"] = add(setup["balance"], 5)
                assert setup["balance"] == 15
                return "deposited"

            @case(name="overdraws")
            def overdraws(setup):
                assert setup["balance"] - 20 >= 0, "no overdraft"


        if __name__ == "__main__":
            run_current_module()
        """,
    "tests/test_more.py": """\
        from thinking_tests.decorators import case
        from thinking_tests.running.start import run_current_module


        @case
        def more():
            assert True


        if __name__ == "__main__":
            run_current_module()
        """,
    "__test__.py": """\
        from thinking_tests.running.test_config import test_config

        test_config.unittest.xml_report_path = "build/tests.xml"
        test_config.unittest.html_report_path = "build/tests.html"
        test_config.coverage.binary_report_path = "build/.coverage"
        test_config.coverage.xml_report_path = "build/coverage.xml"
        test_config.coverage.html_report_dir = "build/coverage"
        test_config.coverage.branch = True
        test_config.coverage.include = ["calc/*"]
        test_config.coverage.omit = "calc/nothing_here.py"
        """,
}
