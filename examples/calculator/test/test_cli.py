"""The command line: real `python -m calculator` processes, plus main() called in-process."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from thinking_tests import run_current_module, test

from calculator.cli import main

# The folder holding the calculator package: `python -m calculator` must start there.
PROJECT = Path(__file__).resolve().parents[1]


def run_calculator(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calculator", *args],
        input=stdin, capture_output=True, text=True, cwd=PROJECT,
    )


def call_main(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run main() in this process; a StringIO is not a tty, so no prompt is shown."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@test(timeout=5.0)
def prints_the_result() -> None:
    done = run_calculator("1 + 2*3")
    assert (done.returncode, done.stdout, done.stderr) == (0, "7\n", "")


@test("an error is one line on stderr and exit code 1", timeout=5.0)
def reports_an_error() -> None:
    done = run_calculator("1 / 0")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "error: division by zero at column 3\n"


@test("interactive mode reads stdin; variables persist; quit ends", timeout=5.0)
def runs_a_session() -> None:
    done = run_calculator(stdin="let x = 3\n\nx * 2\nquit\nx * 100\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "x = 3\n6\n", "")


@test
def keeps_going_after_an_error() -> None:
    code, out, err = call_main(stdin="let r = 2\nr / 0\npi * r ^ 2\n")
    assert code == 1  # end of input ends the session; the failed line sets the exit code
    assert out == "r = 2\n12.5663706143592\n"
    assert err == "error: division by zero at column 3\n"


@test
def joins_arguments() -> None:
    # Unquoted arguments are joined, and "-3" is an expression, not an option.
    assert call_main("-3", "*", "2") == (0, "-6\n", "")


@test
def shows_usage() -> None:
    code, out, _ = call_main("--help")
    assert code == 0
    assert out.startswith("usage: python -m calculator")


@test(
    params=[("0.1 + 0.2", "0.3"), ("2 ^ 70", "1.18059162071741e+21"), ("-0", "0")],
    ids=["no-binary-noise", "large", "negative-zero"],
)
def formats(text: str, shown: str) -> None:
    assert call_main(text) == (0, f"{shown}\n", "")


if __name__ == "__main__":
    run_current_module()
