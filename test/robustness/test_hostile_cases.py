"""Cases that exit, raise the unprintable, print the unprintable or too much, leave threads
printing, change the process, or break in setup and teardown: the run goes on, and says so."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from test.robustness._helpers import (
    Ran,
    concurrently,
    inert,
    junit,
    kind,
    problem,
    project,
    run,
    run_measured,
)
from thinking_tests import fixture, run_current_module, test

EXITS = '''
import sys

from thinking_tests import test


@test
def exits_with_3():
    sys.exit(3)


@test
def raises_system_exit():
    raise SystemExit("leaving now")


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("str() refused")


@test
def unprintable_exception():
    raise Unprintable()


@test
def hostile_message():
    print("out \\udcff nul\\x00 esc\\x1b[31m bell\\x07 \\ud800 end-of-out")
    sys.stderr.write("err \\udc80\\x1b[2J\\n")
    assert False, "msg \\udc80 nul\\x00 clear\\x1b[2J bell\\x07 ]]> </script> end-of-msg"


@test
def still_runs():
    pass
'''

CHANGES = '''
import logging
import os
import sys
import tempfile

from thinking_tests import fixture, test

SEEN = {}


def state():
    root = logging.getLogger()
    return {
        "cwd": os.getcwd(),
        "path": list(sys.path),
        "environ": dict(os.environ),
        "level": root.level,
        "handlers": list(root.handlers),
    }


@test
def records_the_state():
    SEEN.update(state())
    assert os.environ["ROBUSTNESS_PRESENT"] == "original"


def change_everything():
    os.chdir(tempfile.gettempdir())
    sys.path.insert(0, "/no/such/dir")
    sys.path.pop()
    os.environ["ROBUSTNESS_ADDED"] = "added"
    os.environ["ROBUSTNESS_PRESENT"] = "changed"
    del os.environ["ROBUSTNESS_GONE"]
    root = logging.getLogger()
    root.setLevel(logging.CRITICAL)
    root.handlers.clear()
    root.addHandler(logging.NullHandler())


@test
def changes_everything():
    change_everything()


@test
def sees_the_original():
    assert state() == SEEN
    logging.getLogger("app").warning("STILL-CAPTURED")


@test
def changes_everything_then_fails():
    change_everything()
    raise RuntimeError("left a mess")


@test
def sees_the_original_again():
    assert state() == SEEN
'''

# Threads that outlive the case starting them, printing to stdout, stderr and logging through
# the cases after it and between them, then stopping by themselves.
THREADS = '''
import logging
import sys
import threading
import time

from thinking_tests import test


def chatter(number, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        print(f"THREAD-{number}")
        sys.stderr.write(f"THREAD-ERR-{number}\\n")
        logging.getLogger("thread").warning("THREAD-LOG-%s", number)
        time.sleep(0.0005)


@test
def starts_threads():
    for number in range(4):
        threading.Thread(target=chatter, args=(number, 0.4), daemon=True).start()


@test
def while_threads_print():
    time.sleep(0.1)
    print("OWN-LINE")


@test
def outlasts_them():
    time.sleep(0.8)


@test
def after_threads():
    print("AFTER-THREADS")
'''

STAGES = '''
from thinking_tests import Stage, aspect, fixture, test


@fixture
def broken_setup():
    raise OSError("FIXTURE-SETUP-BROKE")


@fixture
def broken_teardown():
    yield 1
    raise ValueError("FIXTURE-TEARDOWN-BROKE")


@aspect
def refuses_setup(stage, case):
    if stage is Stage.SETUP:
        raise RuntimeError("ASPECT-SETUP-BROKE")
    yield


@aspect
def breaks_teardown(stage, case):
    yield
    if stage is Stage.TEARDOWN:
        raise RuntimeError("ASPECT-TEARDOWN-BROKE")


@test
def fixture_setup(broken_setup):
    pass


@test
def fixture_teardown(broken_teardown):
    pass


@test
def fails_and_fixture_teardown(broken_teardown):
    assert 1 == 2


@test(aspects=[refuses_setup])
def aspect_setup():
    pass


@test(aspects=[breaks_teardown])
def aspect_teardown():
    pass


@test
def later_case():
    pass
'''

FILES = {
    "test/test_a_exits.py": EXITS,
    "test/test_b_changes.py": CHANGES,
    "test/test_c_threads.py": THREADS,
    "test/test_d_stages.py": STAGES,
}
ENV = {"ROBUSTNESS_PRESENT": "original", "ROBUSTNESS_GONE": "here"}


class Hostile:
    def __init__(self) -> None:
        self.root = project(FILES)
        self.ran, self.ascii = concurrently(
            lambda: run("-m", "test.run_all", "-v", cwd=self.root, extra_env=ENV),
            # The same run on a terminal that can only show ASCII (and writes no reports).
            lambda: run(
                "-m", "test.run_all", "--no-reports", cwd=self.root,
                extra_env={**ENV, "PYTHONIOENCODING": "ascii"},
            ),
        )
        self.cases = junit(self.root / "reports" / "junit.xml")
        self.html = (self.root / "reports" / "report.html").read_text(encoding="utf-8")

    def case(self, module: str, name: str) -> ET.Element:
        return self.cases[f"test.{module}::{name}"]


@fixture(scope="module")
def hostile() -> Hostile:
    return Hostile()


def verbose(ran: Ran) -> dict[str, str]:
    """Case id -> outcome word of a -v run (a line may start with what a thread printed)."""
    found = re.findall(r"(test\.test_\w+::\S+) (PASSED|FAILED|ERROR|SKIPPED) ", ran.stdout)
    return dict(found)


@test("the run survives every hostile module, ends with its summary, and says what happened")
def run_survives(hostile: Hostile) -> None:
    for ran in (hostile.ran, hostile.ascii):
        assert ran.code == 1, ran
        # passed: still_runs, 4 of changes, 4 of threads, later_case
        assert ran.counts == (10, 10, 0), ran
        assert "Traceback" not in ran.stderr and "internal error" not in ran.output, ran
    assert len(hostile.cases) == 20


@test(
    "sys.exit(n), SystemExit and an exception whose str() raises are failures of their case",
    params=[
        ("exits_with_3", "SystemExit: 3", "sys.exit(3)"),
        ("raises_system_exit", "SystemExit: leaving now", 'raise SystemExit("leaving now")'),
        ("unprintable_exception", "Unprintable", "raise Unprintable()"),
    ],
    ids=["sys.exit", "SystemExit", "unprintable"],
)
def exits_are_failures(name: str, message: str, line: str, hostile: Hostile) -> None:
    assert verbose(hostile.ran)[f"test.test_a_exits::{name}"] == "FAILED", hostile.ran
    failure = problem(hostile.case("test_a_exits", name))
    assert failure.tag == "failure", failure.tag
    assert message in (failure.get("message") or ""), failure.get("message")
    assert line in (failure.text or ""), failure.text  # the traceback shows the case's line
    assert verbose(hostile.ran)["test.test_a_exits::still_runs"] == "PASSED"


@test("the unprintable exception's message says that its str() failed, and the run goes on")
def unprintable_message(hostile: Hostile) -> None:
    message = problem(hostile.case("test_a_exits", "unprintable_exception")).get("message") or ""
    assert "str()" in message and "RuntimeError" in message, message
    assert "raise Unprintable()" in hostile.ran.stdout, hostile.ran


@test("a message with lone surrogates and control characters prints on a UTF-8 and an ASCII terminal")
def hostile_message_prints(hostile: Hostile) -> None:
    for ran in (hostile.ran, hostile.ascii):
        assert "end-of-msg" in ran.stdout and "end-of-out" in ran.stdout, ran
        assert "\\udc80" in ran.stdout, ran  # shown escaped, not dropped, not a crash
    assert all(ord(c) < 128 for c in hostile.ascii.stdout if c != "\ufffd"), hostile.ascii
    failure = problem(hostile.case("test_a_exits", "hostile_message"))
    assert "end-of-msg" in (failure.get("message") or ""), failure.get("message")
    out = hostile.case("test_a_exits", "hostile_message").findtext("system-out") or ""
    assert "end-of-out" in out and "#x00" in out and "#x1B[31m" in out, out


@test("the working directory, sys.path, environment and root logger are put back after a case")
def process_put_back(hostile: Hostile) -> None:
    outcomes = verbose(hostile.ran)
    assert outcomes["test.test_b_changes::changes_everything"] == "PASSED", hostile.ran
    assert outcomes["test.test_b_changes::sees_the_original"] == "PASSED", hostile.ran
    assert outcomes["test.test_b_changes::changes_everything_then_fails"] == "FAILED", hostile.ran
    assert outcomes["test.test_b_changes::sees_the_original_again"] == "PASSED", hostile.ran
    # The capture's own log handler was put back too: the next case's log is still captured.
    err = hostile.case("test_b_changes", "sees_the_original").findtext("system-err") or ""
    assert "STILL-CAPTURED" in err, err


@test("threads printing after their case ended land in the running case's output; nothing crashes")
def printing_threads(hostile: Hostile) -> None:
    for name in ("starts_threads", "while_threads_print", "outlasts_them", "after_threads"):
        assert kind(hostile.case("test_c_threads", name)) == "passed", hostile.ran
    during = hostile.case("test_c_threads", "while_threads_print")
    out, err = during.findtext("system-out") or "", during.findtext("system-err") or ""
    assert "OWN-LINE" in out and "THREAD-" in out, out[:500]
    assert "THREAD-ERR-" in err and "THREAD-LOG-" in err, err[:500]
    after = hostile.case("test_c_threads", "after_threads")
    assert after.findtext("system-out") == "AFTER-THREADS\n", after.findtext("system-out")


@test(
    "a fixture or aspect raising in setup or teardown: the stage is blamed, as an error",
    params=[
        ("fixture_setup", "error", "error in setup: OSError: FIXTURE-SETUP-BROKE"),
        ("fixture_teardown", "error", "error in teardown: ValueError: FIXTURE-TEARDOWN-BROKE"),
        ("aspect_setup", "error", "error in setup: RuntimeError: ASPECT-SETUP-BROKE"),
        ("aspect_teardown", "error", "error in teardown: RuntimeError: ASPECT-TEARDOWN-BROKE"),
        ("fails_and_fixture_teardown", "failure", "AssertionError"),
    ],
    ids=["fixture setup", "fixture teardown", "aspect setup", "aspect teardown",
         "failure and teardown"],
)
def stage_blamed(name: str, tag: str, message: str, hostile: Hostile) -> None:
    element = problem(hostile.case("test_d_stages", name))
    assert element.tag == tag, (name, element.tag)
    assert (element.get("message") or "").startswith(message), element.get("message")
    word = "ERROR" if tag == "error" else "FAILED"
    assert verbose(hostile.ran)[f"test.test_d_stages::{name}"] == word, hostile.ran
    # The terminal's failure header names the stage too.
    header = re.search(r"^test/test_d_stages\.py:\d+: (.*)$", _block(hostile.ran, name), re.MULTILINE)
    assert header, hostile.ran
    expected = message.split(":")[0] if tag == "error" else "failed in run"
    assert header[1].startswith(expected), header[1]


@test("a failing body and a failing teardown are one failure naming both; later cases pass")
def both_stages(hostile: Hostile) -> None:
    element = problem(hostile.case("test_d_stages", "fails_and_fixture_teardown"))
    assert "and in teardown: ValueError: FIXTURE-TEARDOWN-BROKE" in (element.get("message") or "")
    assert "----- teardown -----" in (element.text or ""), element.text
    assert kind(hostile.case("test_d_stages", "later_case")) == "passed"
    block = _block(hostile.ran, "fails_and_fixture_teardown")
    assert "--- in run ---" in block and "--- in teardown ---" in block, block


@test("the HTML report of the hostile run is well-formed and inert")
def hostile_html(hostile: Hostile) -> None:
    inert(hostile.html)


def _block(ran: Ran, name: str) -> str:
    """The lines under a case's header in the FAILURES section."""
    text = ran.stdout
    start = text.index(f" test.test_d_stages::{name} ")
    following = re.search(r"^_{3,} ", text[start + 1:], re.MULTILINE)
    return text[start: start + 1 + following.start()] if following else text[start:]


# --- tens of megabytes ------------------------------------------------------------------------

FLOOD = '''
import sys

from thinking_tests import test


@test
def prints_fifty_megabytes():
    chunk = "y" * 1023 + "\\n"
    for _ in range(50 * 1024):
        sys.stdout.write(chunk)
    assert False, "flooded"


@test
def after_the_flood():
    print("DRY")
'''
MIB = 1024 * 1024
WRITTEN = 50 * MIB


@fixture(scope="module")
def flood() -> tuple[Path, Ran, int]:
    root = project({"test/test_flood.py": FLOOD})
    ran, peak = run_measured("-m", "test.run_all", cwd=root)
    return root, ran, peak


@test("50 MB printed by one case: cut in the reports with a true marker, in bounded memory")
def fifty_megabytes(flood: tuple[Path, Ran, int]) -> None:
    root, ran, peak = flood
    assert ran.code == 1, ran
    assert ran.counts == (1, 1, 0), ran
    assert peak < 400 * MIB, f"the run's peak memory was {peak / MIB:.0f} MiB"
    assert len(ran.stdout) < 100_000, f"the terminal got {len(ran.stdout)} characters"
    assert "earlier lines in the reports" in ran.stdout, ran.stdout[-3000:]
    cases = junit(root / "reports" / "junit.xml")
    out = cases["test.test_flood::prints_fifty_megabytes"].findtext("system-out") or ""
    markers = re.findall(r"\[truncated (\d+) chars\]", out)
    assert len(markers) == 1, markers
    kept = len(out) - len(f"\n[truncated {markers[0]} chars]\n")
    assert kept + int(markers[0]) == WRITTEN, (kept, markers[0])
    assert out.startswith("y" * 1023 + "\n") and out.endswith("y\n"), (out[:40], out[-40:])
    assert cases["test.test_flood::after_the_flood"].findtext("system-out") == "DRY\n"
    for name in ("junit.xml", "report.html", "journal.jsonl"):
        size = (root / "reports" / name).stat().st_size
        assert size < 5 * MIB, f"{name} is {size} bytes"
    inert((root / "reports" / "report.html").read_text(encoding="utf-8"))


# --- threads that never stop ------------------------------------------------------------------

FOREVER = '''
import logging
import sys
import threading

from thinking_tests import test


def chatter(number):
    while True:
        print(f"FOREVER-{number}")
        sys.stderr.write(f"FOREVER-ERR-{number}\\n")
        logging.getLogger("forever").warning("FOREVER-LOG")


@test
def starts_endless_threads():
    for number in range(4):
        threading.Thread(target=chatter, args=(number,), daemon=True).start()


@test
def fails_meanwhile():
    assert False, "meanwhile"
'''


@test("threads printing until the process ends: the run still ends cleanly with its reports")
def endless_threads() -> None:
    root = project({"test/test_forever.py": FOREVER})
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 1, f"exit code {ran.code}\n{ran.stderr[-3000:]}"
    assert "Fatal Python error" not in ran.stderr, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    # The threads may print after the summary, but the summary is there, whole.
    assert "1 passed, 1 failed, 0 skipped\n" in ran.stdout, ran.stdout[-2000:]
    cases = junit(root / "reports" / "junit.xml")
    assert kind(cases["test.test_forever::fails_meanwhile"]) == "failure"


# The capture swaps sys.stdout in at the start of a run and back at its end. CPython 3.11's
# print() holds only a borrowed reference to sys.stdout between its writes, so a thread
# printing across the swap back used to write through a freed stream: a segfault. One run
# hits that window rarely; thousands of swaps a second under printing threads hit it at once.
SWAPS = """
import sys
import threading
import time

from thinking_tests.capture import Capture

sys.setswitchinterval(1e-5)
sys.stdout = open(sys.argv[1], "w")
stop = False


def printer():
    while not stop:
        print("x" * 10)


for _ in range(4):
    threading.Thread(target=printer, daemon=True).start()
swaps = 0
end = time.monotonic() + 1.0
while time.monotonic() < end:
    capture = Capture(10_000)
    capture.install()
    capture.start_case()
    capture.end_case()
    capture.uninstall()
    swaps += 1
stop = True
sys.__stdout__.write(f"{swaps} swaps\\n")
sys.__stdout__.flush()  # before the shutdown, where daemon threads may hold its lock
"""


@test("the streams swapped in and out while threads print: no crash")
def swaps_under_printing_threads() -> None:
    root = project({"swaps.py": SWAPS}, packaged=False)
    ran = run("swaps.py", str(root / "printed.txt"), cwd=root)
    assert ran.code == 0, f"exit code {ran.code}\n{ran.stderr[-3000:]}"
    assert re.fullmatch(r"\d+ swaps\n", ran.stdout), ran


if __name__ == "__main__":
    run_current_module()
