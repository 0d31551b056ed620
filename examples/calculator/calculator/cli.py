"""Command line: `python -m calculator "1 + 2*3"`, or an interactive session without arguments.

Exit status: 0 when every expression had a value, 1 when one had an error; each error is
one line on stderr, starting with "error: ".
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from calculator.errors import CalculatorError
from calculator.evaluator import Evaluator
from calculator.formatting import format_number
from calculator.nodes import Assignment
from calculator.parser import parse_statement

USAGE = """\
usage: python -m calculator [EXPRESSION ...]

Print the value of EXPRESSION (several arguments are joined with spaces), e.g.
    python -m calculator "2 ^ 10 - max(3, 4)"

Without arguments, read one expression per line from standard input. Lines may assign
variables (let rate = 0.2) for the lines after them; `quit` or end of input ends.
Functions: abs sqrt exp ln log sin cos tan floor ceil min max. Constants: pi e tau.
"""

PROMPT = "> "
QUIT_COMMANDS = frozenset({"quit", "exit"})


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the calculator; the streams are parameters so tests can call it in-process."""
    args = sys.argv[1:] if argv is None else list(argv)
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    if args in (["-h"], ["--help"]):
        stdout.write(USAGE)
        return 0
    if args:
        # Not argparse: "-3" or "-x * 2" must stay expressions, not unknown options.
        evaluator = Evaluator()
        return 0 if _run_line(" ".join(args), evaluator, stdout, stderr) else 1
    return interactive(stdin, stdout, stderr)


def interactive(stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Evaluate lines until `quit` or end of input; variables persist between lines."""
    evaluator = Evaluator()
    # Prompts only for a person at a terminal; piped input gets clean output.
    prompt = PROMPT if stdin.isatty() else ""
    all_ok = True
    try:
        while True:
            if prompt:
                stdout.write(prompt)
                stdout.flush()
            line = stdin.readline()
            if not line:
                if prompt:
                    stdout.write("\n")  # leave the shell's prompt on a line of its own
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in QUIT_COMMANDS:
                break
            all_ok = _run_line(line, evaluator, stdout, stderr) and all_ok
    except KeyboardInterrupt:
        stdout.write("\n")
        return 130  # the shell's convention for "ended by Ctrl-C"
    return 0 if all_ok else 1


def _run_line(line: str, evaluator: Evaluator, stdout: TextIO, stderr: TextIO) -> bool:
    """Evaluate one line and print its value, or one error line; True when it worked."""
    try:
        statement = parse_statement(line)
        value = evaluator.execute(statement)
    except CalculatorError as error:
        stderr.write(f"error: {error}\n")
        stderr.flush()
        return False
    if isinstance(statement, Assignment):
        stdout.write(f"{statement.name} = {format_number(value)}\n")
    else:
        stdout.write(f"{format_number(value)}\n")
    stdout.flush()
    return True
