"""Capture at the descriptor level (the default), stdin closed to cases, the run's output budget.

What a case, C code or a child process writes to descriptors 1 and 2 is that case's output in
every report and not in the terminal; `input()` fails at once; "sys" and "no" behave as before;
a thread that never stops printing cannot make the reports bigger than the run's budget.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from test.robustness._helpers import (
    TIMEOUT,
    Ran,
    concurrently,
    inert,
    junit,
    kind,
    one_sentence,
    problem,
    project,
    run,
)
from test.support import env
from test.support import run as run_with_stdin
from thinking_tests import fixture, run_current_module, test

WRITERS = '''
import ctypes
import os
import subprocess
import sys

from thinking_tests import test


@test
def writes_everywhere():
    print("PY-BEFORE")
    os.write(1, b"FD-ONE \\xff\\xfe end\\n")
    os.write(2, b"FD-TWO\\n")
    subprocess.run(["echo", "ECHO-CHILD"], check=True)
    code = "import sys; print('PY-CHILD-OUT'); print('PY-CHILD-ERR', file=sys.stderr)"
    subprocess.run([sys.executable, "-c", code], check=True)
    libc = ctypes.CDLL(None)
    libc.puts(b"C-PUTS")
    libc.fflush(None)
    print("PY-AFTER")


@test
def next_case():
    os.write(1, b"NEXT-ONLY\\n")


@test
def fails_with_fd_output():
    os.write(2, b"FAILING-FD\\n")
    assert False, "fails"
'''

# Written by the cases above; none may reach the terminal of a passing case.
QUIET = ("PY-BEFORE", "FD-ONE", "FD-TWO", "ECHO-CHILD", "PY-CHILD-OUT", "PY-CHILD-ERR", "C-PUTS")

READERS = '''
import subprocess
import sys

from thinking_tests import test


@test
def asks():
    input("name? ")


@test
def child_reads_stdin():
    # The child inherits descriptor 0: it reads end-of-file at once, it does not wait.
    code = "import sys; print(repr(sys.stdin.read()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == "''\\n", done


@test
def after():
    pass
'''

LEVELS = '''
import os

from thinking_tests import test


@test
def prints_and_writes():
    print("PRINTED")
    os.write(1, b"FD-WRITTEN\\n")
'''

READS_TYPED = '''
from thinking_tests import test


@test
def reads_typed():
    assert input() == "typed"
'''

BUDGET = 5000
FLOOD = f'''
import sys
import threading
import time

from thinking_tests import test

STOP = threading.Event()


def flood():
    line = "y" * 99 + "\\n"
    while not STOP.is_set():
        sys.stdout.write(line)


THREAD = threading.Thread(target=flood, daemon=True)


@test
def starts():
    THREAD.start()
    time.sleep(0.01)


for number in range(48):
    @test(name=f"case_{{number:02}}")
    def waits():
        time.sleep(0.01)


@test
def stops():
    STOP.set()
    THREAD.join()
'''
FLOOD_CONFIG = f"config.reports.max_output = 1000\nconfig.reports.max_run_output = {BUDGET}\n"


def html_data(path: Path) -> dict[str, dict[str, Any]]:
    """Case id -> its record in the HTML report's data (the page checked inert first)."""
    page = inert(path.read_text(encoding="utf-8"))
    block = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    assert len(block) == 1, len(block)
    return {case["id"]: case for case in json.loads(block[0])["cases"]}


@dataclass(frozen=True)
class Finished:
    root: Path
    ran: Ran

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def testcase(self, name: str) -> ET.Element:
        return junit(self.reports / "junit.xml")[name]


def finished(files: dict[str, str], config: str = "") -> Finished:
    root = project(files, config)
    return Finished(root, run("-m", "test.run_all", cwd=root))


# --- descriptors 1 and 2 --------------------------------------------------------------------


@fixture(scope="module")
def writers() -> Finished:
    return finished({"test/test_writers.py": WRITERS})


@test("os.write, a child process and C code write into the case's system-out and system-err")
def in_junit(writers: Finished) -> None:
    assert writers.ran.code == 1, writers.ran
    case = writers.testcase("test.test_writers::writes_everywhere")
    assert kind(case) == "passed", ET.tostring(case, encoding="unicode")
    out = case.findtext("system-out") or ""
    # In the order written: print() and os.write share the descriptor.
    assert out == (
        "PY-BEFORE\nFD-ONE \\xff\\xfe end\nECHO-CHILD\nPY-CHILD-OUT\nC-PUTS\nPY-AFTER\n"
    ), out
    assert case.findtext("system-err") == "FD-TWO\nPY-CHILD-ERR\n"
    assert writers.testcase("test.test_writers::next_case").findtext("system-out") == "NEXT-ONLY\n"


@test("the HTML report's data holds the same output, undecodable bytes shown escaped")
def in_html(writers: Finished) -> None:
    cases = html_data(writers.reports / "report.html")
    everywhere = cases["test.test_writers::writes_everywhere"]
    assert "FD-ONE \\xff\\xfe end\n" in everywhere["stdout"], everywhere
    assert everywhere["stderr"] == "FD-TWO\nPY-CHILD-ERR\n", everywhere
    assert "FAILING-FD" in cases["test.test_writers::fails_with_fd_output"]["stderr"]


@test("none of it reaches the terminal, but a failing case's shows under its failure")
def not_in_terminal(writers: Finished) -> None:
    ran = writers.ran
    for text in (*QUIET, "NEXT-ONLY"):
        assert text not in ran.output, (text, ran)
    failure = ran.stdout.index("test.test_writers::fails_with_fd_output")
    assert ran.stdout.index(" captured stderr ", failure) < ran.stdout.index("FAILING-FD"), ran
    assert ran.counts == (2, 1, 0), ran


@test("the journal has the descriptor-level output of each case too")
def in_journal(writers: Finished) -> None:
    lines = (writers.reports / "journal.jsonl").read_text("utf-8").splitlines()
    records = {r["id"]: r for r in map(json.loads, lines) if r.get("kind") == "case"}
    assert records["test.test_writers::next_case"]["stdout"] == "NEXT-ONLY\n", records


# --- stdin ------------------------------------------------------------------------------------


@fixture(scope="module")
def readers() -> Finished:
    """A run whose stdin is a pipe left open, as under a CI runner or an editor."""
    root = project({"test/test_readers.py": READERS})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "test.run_all"], cwd=root, env=env(),
            stdin=subprocess.PIPE, stdout=out, stderr=err,
        )
        try:
            code = process.wait(timeout=TIMEOUT)  # a run waiting on stdin fails here
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            assert process.stdin is not None
            process.stdin.close()
        texts = []
        for stream in (out, err):
            stream.seek(0)
            texts.append(stream.read().decode("utf-8", "replace"))
    return Finished(root, Ran(code, *texts))


@test("input() fails at once with a sentence naming config.capture; the run goes on")
def input_fails(readers: Finished) -> None:
    assert readers.ran.code == 1, readers.ran
    assert readers.ran.counts == (2, 1, 0), readers.ran
    asks = readers.testcase("test.test_readers::asks")
    message = problem(asks).get("message") or ""
    assert "reading from stdin while output is captured" in message, message
    assert 'config.capture = "no"' in message, message


@test("a child process a case starts reads end-of-file from stdin instead of waiting")
def child_stdin(readers: Finished) -> None:
    case = readers.testcase("test.test_readers::child_reads_stdin")
    assert kind(case) == "passed", ET.tostring(case, encoding="unicode")


# --- the levels -------------------------------------------------------------------------------


@fixture(scope="module")
def levels() -> dict[str, Finished]:
    settings = ('"sys"', '"no"', "True", "False")
    runs = concurrently(
        *(
            (lambda value=value: finished(
                {"test/test_levels.py": LEVELS}, f"config.capture = {value}\n"
            ))
            for value in settings
        )
    )
    return dict(zip(settings, runs))


def outputs(done: Finished) -> tuple[str, str]:
    case = done.testcase("test.test_levels::prints_and_writes")
    return case.findtext("system-out") or "", done.ran.stdout


@test('config.capture = "sys": print() is captured, os.write(1, ...) reaches the terminal')
def sys_level(levels: dict[str, Finished]) -> None:
    captured, terminal = outputs(levels['"sys"'])
    assert levels['"sys"'].ran.counts == (1, 0, 0), levels['"sys"'].ran
    assert captured == "PRINTED\n", captured
    assert "FD-WRITTEN" in terminal and "PRINTED" not in terminal, terminal


@test('config.capture = "no" (and False): nothing captured, everything in the terminal')
def no_capture(levels: dict[str, Finished]) -> None:
    for setting in ('"no"', "False"):
        captured, terminal = outputs(levels[setting])
        assert captured == "", (setting, captured)
        assert "PRINTED" in terminal and "FD-WRITTEN" in terminal, (setting, terminal)


@test("config.capture = True is the default: the descriptor level")
def true_is_fd(levels: dict[str, Finished]) -> None:
    captured, terminal = outputs(levels["True"])
    assert captured == "PRINTED\nFD-WRITTEN\n", captured
    assert "PRINTED" not in terminal and "FD-WRITTEN" not in terminal, terminal


@test('config.capture = "no" leaves stdin to the cases: input() reads what was typed')
def no_reads_stdin() -> None:
    root = project({"test/test_typed.py": READS_TYPED}, 'config.capture = "no"\n')
    ran = run_with_stdin("-m", "test.run_all", cwd=root, stdin="typed\n")
    assert ran.code == 0 and ran.counts == (1, 0, 0), ran


@test("a capture level or run budget that is not one of the valid values: exit 4, one sentence")
def refused() -> None:
    for setting, expected in (
        ('config.capture = "yes"', 'config.capture must be "fd", "sys" or "no"'),
        ("config.capture = 1", 'config.capture must be "fd", "sys" or "no"'),
        ("config.reports.max_run_output = 10", "config.reports.max_run_output must be at least"),
        ('config.reports.max_run_output = "1e9"', "config.reports.max_run_output must be int"),
    ):
        root = project({"test/test_levels.py": LEVELS}, setting + "\n")
        ran = run("-m", "test.run_all", cwd=root)
        assert ran.code == 4, (setting, ran)
        assert expected in one_sentence(ran), (setting, ran)


CLOSER = '''
import os

from thinking_tests import test


@test
def before():
    os.write(1, b"BEFORE\\n")


@test
def closes_descriptors():
    for fd in range(3, 256):
        try:
            os.close(fd)
        except OSError:
            pass
    # New files get the numbers the capture's own descriptors had.
    for name in ("mine-1.txt", "mine-2.txt", "mine-3.txt"):
        handle = open(name, "w")
        handle.write("MINE\\n")
        handle.flush()


@test
def later():
    print("LATER")
'''


@test("a case closes the capture's descriptors and opens files: the run ends, the files stay its own")
def closed_descriptors() -> None:
    done = finished({"test/test_closer.py": CLOSER})
    assert done.ran.code == 0, done.ran
    cases = junit(done.reports / "junit.xml")
    assert [kind(case) for case in cases.values()] == ["passed"] * 3, cases
    assert cases["test.test_closer::before"].findtext("system-out") == "BEFORE\n"
    assert cases["test.test_closer::later"].findtext("system-out") == "LATER\n"
    for name in ("mine-1.txt", "mine-2.txt", "mine-3.txt"):
        assert (done.root / name).read_text() == "MINE\n", name


# --- the run's budget -------------------------------------------------------------------------


@fixture(scope="module")
def flooded() -> Finished:
    return finished({"test/test_flood.py": FLOOD}, FLOOD_CONFIG)


def captured_texts(done: Finished) -> list[str]:
    return [
        (case.findtext("system-out") or "") + (case.findtext("system-err") or "")
        for case in junit(done.reports / "junit.xml").values()
    ]


MARKER = "the run's captured output reached config.reports.max_run_output"


@test("a thread printing without pause over 50 cases: the reports stay near the run's budget")
def bounded(flooded: Finished) -> None:
    assert flooded.ran.code == 0 and flooded.ran.counts == (50, 0, 0), flooded.ran
    texts = captured_texts(flooded)
    assert len(texts) == 50, len(texts)
    # Each case would keep up to max_output (1,000): 50,000 in all without the budget.
    kept = sum(len(text) for text in texts if MARKER not in text)
    assert kept <= BUDGET, kept
    assert sum(len(text) for text in texts) <= BUDGET + 50 * 200, texts
    size = (flooded.reports / "junit.xml").stat().st_size
    assert size < BUDGET + 50 * 600, size


@test("past the budget a case keeps a marker saying how much was cut, in JUnit, HTML, journal")
def marker(flooded: Finished) -> None:
    cut = [text for text in captured_texts(flooded) if MARKER in text]
    assert len(cut) >= 40, cut[:3]
    assert cut[-1].startswith("[") and "characters of output cut" in cut[-1], cut[-1]
    cases = html_data(flooded.reports / "report.html")
    assert sum(MARKER in case.get("stdout", "") for case in cases.values()) == len(cut)
    journal = (flooded.reports / "journal.jsonl").read_text("utf-8")
    assert journal.count(MARKER) == len(cut), journal[:2000]
    assert len(journal) < BUDGET + 50 * 1000, len(journal)


if __name__ == "__main__":
    run_current_module()
