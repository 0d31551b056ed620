"""Ctrl-C: the running case is marked interrupted, the reports are written with what finished,
the summary is printed last, exit code 2; a second Ctrl-C exits at once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from test.robustness._helpers import TIMEOUT, Ran, inert, junit, kind, problem, project
from test.support import env
from thinking_tests import fixture, run_current_module, test

# The marker goes to the real stdout (the capture would keep it for the report), so the test
# knows when to press Ctrl-C: while the case sleeps. Capture at the sys level leaves
# sys.__stdout__ alone (at the descriptor level, the default, it is captured too).
SYS_CAPTURE = 'config.capture = "sys"\n'
CASES = '''
import sys
import time

from thinking_tests import test


def mark(text):
    sys.__stdout__.write(text + "\\n")
    sys.__stdout__.flush()


@test
def first():
    print("FIRST-RAN")


@test
def second():
    assert False, "SECOND-FAILS"


@test
def sleeper():
    mark("SLEEPING")
    time.sleep(30)


@test
def never():
    mark("NEVER-RAN")
'''

# Catches every KeyboardInterrupt and sleeps on: only a second Ctrl-C ends the run.
STUBBORN = '''
import sys
import time

from thinking_tests import test


@test
def finished_first():
    pass


@test
def stubborn():
    said = "SLEEPING"
    while True:
        try:
            sys.__stdout__.write(said + "\\n")
            sys.__stdout__.flush()
            time.sleep(30)
        except KeyboardInterrupt:
            said = "CAUGHT"
'''


@dataclass(frozen=True)
class Interrupted:
    root: Path
    ran: Ran
    seen: list[str]  # the lines read before each Ctrl-C


def interrupt(root: Path, args: tuple[str, ...], presses: list[str]) -> Interrupted:
    """Run `python ARGS` in root; press Ctrl-C (SIGINT) each time a line in `presses` appears."""
    process = subprocess.Popen(
        [sys.executable, *args], cwd=root, env=env(), text=True, errors="replace",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    # A run that never prints the marker, or never ends, is killed: the case fails, no hang.
    watchdog = threading.Timer(TIMEOUT, process.kill)
    watchdog.start()
    seen: list[str] = []
    try:
        assert process.stdout is not None
        for wanted in presses:
            for line in process.stdout:
                seen.append(line)
                if line.rstrip("\n").endswith(wanted):
                    process.send_signal(signal.SIGINT)
                    break
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    return Interrupted(root, Ran(process.returncode, "".join(seen) + out, err), seen)


@fixture(scope="module")
def once() -> Interrupted:
    root = project({"test/test_cases.py": CASES}, SYS_CAPTURE)
    return interrupt(root, ("-m", "test.run_all", "-v"), ["SLEEPING"])


@fixture(scope="module")
def twice() -> Interrupted:
    root = project({"test/test_stubborn.py": STUBBORN}, SYS_CAPTURE)
    return interrupt(root, ("-m", "test.run_all", "-v"), ["SLEEPING", "CAUGHT"])


@test("Ctrl-C: exit code 2, the summary printed last, counting the cases that finished")
def exits_2(once: Interrupted) -> None:
    ran = once.ran
    assert ran.code == 2, ran
    assert ran.counts == (1, 2, 0), ran  # first; second failed, sleeper interrupted
    lines = ran.stdout.rstrip("\n").splitlines()
    assert "(interrupted)" in lines[-2], lines[-2]
    assert "NEVER-RAN" not in ran.stdout, ran
    assert "test.test_cases::sleeper ERROR (interrupted)" in ran.stdout, ran
    assert "Traceback" not in ran.stderr, ran


@test("Ctrl-C: the reports are written with the finished cases and the interrupted one as an error")
def reports_written(once: Interrupted) -> None:
    reports = once.root / "reports"
    cases = junit(reports / "junit.xml")
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_cases::first": "passed",
        "test.test_cases::second": "failure",
        "test.test_cases::sleeper": "error",
    }, sorted(cases)
    assert problem(cases["test.test_cases::sleeper"]).get("message") == "interrupted"
    assert cases["test.test_cases::first"].findtext("system-out") == "FIRST-RAN\n"
    page = inert((reports / "report.html").read_text(encoding="utf-8"))
    data = json.loads(
        next(text for attrs, text in page.scripts if attrs.get("type") == "application/json")
    )
    assert [case["outcome"] for case in data["cases"]] == ["passed", "failed", "error"], data
    journal = [json.loads(line) for line in (reports / "journal.jsonl").read_text("utf-8").splitlines()]
    assert journal[-1] == {**journal[-1], "kind": "end", "interrupted": True}, journal[-1]


@test("a second Ctrl-C, while a case ignores the first, exits at once with code 2")
def second_press_exits(twice: Interrupted) -> None:
    ran = twice.ran
    assert ran.code == 2, ran
    assert [line.strip() for line in twice.seen[-2:]] == ["SLEEPING", "CAUGHT"], twice.seen
    assert "interrupted twice" in ran.output, ran
    assert "Traceback" not in ran.output, ran
    # It did not wait for the case; what finished before is still in the journal.
    journal = (twice.root / "reports" / "journal.jsonl").read_text("utf-8").splitlines()
    finished = [json.loads(line) for line in journal if '"kind": "case"' in line]
    assert [r["id"] for r in finished] == ["test.test_stubborn::finished_first"], finished


@test("Ctrl-C in a module run on its own behaves the same: exit 2, summary last, reports")
def module_run() -> None:
    root = project({"test/test_cases.py": CASES + _MAIN}, SYS_CAPTURE)
    interrupted = interrupt(root, ("-m", "test.test_cases"), ["SLEEPING"])
    assert interrupted.ran.code == 2, interrupted.ran
    assert interrupted.ran.counts == (1, 2, 0), interrupted.ran
    assert kind(junit(root / "reports" / "junit.xml")["test.test_cases::sleeper"]) == "error"


_MAIN = '''

if __name__ == "__main__":
    from thinking_tests import run_current_module

    run_current_module()
'''

if __name__ == "__main__":
    run_current_module()
