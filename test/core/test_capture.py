"""Capture of stdout, stderr and logging per case: in the terminal under a failure, in JUnit."""

from __future__ import annotations

import functools

from test.core._helpers import Finished, run_project
from thinking_tests import run_current_module, test

OUTPUT = """\
    import logging
    import sys
    import threading
    import time

    from thinking_tests import test


    @test
    def quiet_pass():
        print("PASSING-STDOUT")
        print("PASSING-STDERR", file=sys.stderr)
        logging.getLogger("app").warning("PASSING-LOG")


    @test
    def noisy_fail():
        print("FAILING-STDOUT")
        print("FAILING-STDERR", file=sys.stderr)
        logging.getLogger("app").error("FAILING-LOG")
        assert False, "noisy"


    @test
    def writes_bytes():
        sys.stdout.buffer.write(b"raw \\xff bytes\\n")


    STOP = threading.Event()


    def chatter():
        while not STOP.is_set():
            print("THREAD-LINE")
            time.sleep(0.001)


    THREAD = threading.Thread(target=chatter, daemon=True)


    @test
    def starts_thread():
        # The thread keeps printing through this case, between cases and into the next.
        THREAD.start()
        time.sleep(0.05)


    @test
    def while_thread_prints():
        time.sleep(0.05)
        print("OWN-LINE")


    @test
    def stops_thread():
        STOP.set()
        THREAD.join()


    @test
    def after_thread():
        print("AFTER")
"""


@functools.cache
def captured() -> Finished:
    return run_project({"test/test_output.py": OUTPUT}, args=("-m", "test.run_all"))


@test("the run survives a printing thread and ends with its summary")
def counts() -> None:
    ran = captured().ran
    assert ran.code == 1, ran
    assert ran.counts == (6, 1, 0), ran
    assert "Traceback" not in ran.stderr, ran


@test("a failing case's output is shown under its failure, by stream")
def under_the_failure() -> None:
    stdout = captured().ran.stdout
    failure = stdout.index("test.test_output::noisy_fail")
    sections = [
        stdout.index(text, failure)
        for text in (
            " captured stdout ", "FAILING-STDOUT",
            " captured stderr ", "FAILING-STDERR",
            " captured log ", "ERROR    app: FAILING-LOG",
        )
    ]
    assert sections == sorted(sections), stdout


@test("a passing case's output stays out of the terminal")
def passing_is_quiet() -> None:
    ran = captured().ran
    for text in ("PASSING-STDOUT", "PASSING-STDERR", "PASSING-LOG", "OWN-LINE", "AFTER"):
        assert text not in ran.output, ran


@test("JUnit has stdout in system-out, stderr then the log in system-err, per case")
def in_junit() -> None:
    finished = captured()
    quiet = finished.testcase("quiet_pass")
    assert quiet.findtext("system-out") == "PASSING-STDOUT\n"
    err = quiet.findtext("system-err") or ""
    assert err.startswith("PASSING-STDERR\n----- captured log -----\n"), err
    assert err.rstrip("\n").endswith("WARNING  app: PASSING-LOG"), err
    noisy = finished.testcase("noisy_fail")
    assert noisy.findtext("system-out") == "FAILING-STDOUT\n"
    assert "FAILING-LOG" in (noisy.findtext("system-err") or "")
    assert "PASSING" not in (noisy.findtext("system-out") or "") + (noisy.findtext("system-err") or "")


@test("bytes written to sys.stdout.buffer are captured, an invalid byte kept visible")
def raw_bytes() -> None:
    assert captured().testcase("writes_bytes").findtext("system-out") == "raw \\xff bytes\n"


@test("what a thread prints during a case lands in that case; none leaks after it stops")
def thread_output() -> None:
    finished = captured()
    during = finished.testcase("while_thread_prints").findtext("system-out") or ""
    # print() writes a line and its newline apart: the thread's line may land between them.
    assert "OWN-LINE" in during and "THREAD-LINE\n" in during, during
    assert finished.testcase("after_thread").findtext("system-out") == "AFTER\n"


if __name__ == "__main__":
    run_current_module()
