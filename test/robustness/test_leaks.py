"""A case that leaves the process changed cannot take the run down nor blind the cases after
it: leaked mocks of clocks, JSON and os.write, closed file descriptors, a replaced sys.stdout
and logging turned off. Every case is reported, the reports are written, and the leaking
case's report says what was put back."""

from __future__ import annotations

import json
from pathlib import Path

from test.robustness._helpers import Ran, inert, junit, kind, problem, project, run
from thinking_tests import fixture, run_current_module, test

# Mocks started and never stopped; each raises when called, so a runner that still calls
# the module's function fails loudly rather than getting a plausible value.
MOCKS = '''
import json
import os
import time
from unittest import mock

from thinking_tests import test


@test
def leaks_clocks():
    for name in ("time.time", "time.perf_counter", "time.monotonic", "time.perf_counter_ns"):
        mock.patch(name, side_effect=RuntimeError(f"{name} is mocked")).start()


@test
def leaks_json():
    for name in ("json.dumps", "json.dump", "json.loads"):
        mock.patch(name, side_effect=RuntimeError(f"{name} is mocked")).start()


@test
def leaks_os_write():
    mock.patch("os.write", side_effect=OSError(5, "os.write is mocked")).start()


@test(tags=["tagged"])
def fails_after_the_leaks():
    print("OUT-AFTER-LEAKS")
    assert 1 == 2, "FAILS-AFTER-LEAKS"


@test(params=[(1,), (2,)])
def passes_after_the_leaks(n):
    print(f"PARAM-{n}")
'''

# Closes every descriptor the runner may hold (the journal's among them), then opens files
# of its own, which take the freed numbers.
DESCRIPTORS = '''
import os

from thinking_tests import test

KEPT = []


@test
def closes_descriptors():
    os.closerange(3, 64)


@test
def opens_its_own_files():
    for n in range(8):
        KEPT.append(open(f"user-file-{n}.txt", "w", buffering=1))
    print("OPENED")


@test
def fails_after():
    assert False, "FAILS-AFTER-CLOSE"


@test
def passes_after():
    print("PASSES-AFTER-CLOSE")
'''

STREAMS = '''
import io
import logging
import sys

from thinking_tests import test


@test
def replaces_stdout():
    sys.stdout = io.StringIO()


@test
def prints_after_stdout():
    print("PRINTED-AFTER-STDOUT")


@test
def replaces_stderr_and_stdin():
    sys.stderr = io.StringIO()
    sys.stdin = io.StringIO("typed\\n")


@test
def writes_after_stderr():
    sys.stderr.write("WRITTEN-AFTER-STDERR\\n")


@test
def disables_logging():
    logging.disable(logging.CRITICAL)


@test
def logs_after_disable():
    logging.getLogger("later").warning("LOGGED-AFTER-DISABLE")


@test
def drops_handlers_and_fails():
    logging.getLogger().handlers.clear()
    sys.stdout = io.StringIO()
    assert False, "FAILS-WITH-LEAKS"


@test
def logs_after_handlers():
    logging.getLogger("later").warning("LOGGED-AFTER-HANDLERS")
    print("PRINTED-AFTER-HANDLERS")
'''


# Nothing imports logging before the first case does: the capture's log handler comes with
# it, and what the case configured is put back as from logging's defaults.
LATE_LOGGING = '''
from thinking_tests import test


@test
def configures_logging():
    import logging

    logging.basicConfig(level=logging.DEBUG)
    logging.getLogger("first").debug("DEBUG-IN-FIRST")


@test
def logs_later():
    import logging

    logging.getLogger("later").info("INFO-NOT-SHOWN")
    logging.getLogger("later").warning("WARNING-IN-LATER")
'''


# A unittest TestCase test may leave most changes to the tests after it, as under unittest;
# not the streams nor logging's off switch, which would take their output.
NATIVE = '''
import io
import logging
import sys
import unittest


class Leaks(unittest.TestCase):
    def test_a_replaces_stdout_and_disables_logging(self):
        sys.stdout = io.StringIO()
        logging.disable(logging.CRITICAL)

    def test_b_prints_and_logs(self):
        print("NATIVE-PRINTED-AFTER")
        logging.getLogger("native").warning("NATIVE-LOGGED-AFTER")
'''


class Leaked:
    """One run of a project whose cases leak, with its reports read back."""

    def __init__(self, root: Path, ran: Ran) -> None:
        self.root = root
        self.ran = ran
        reports = root / "reports"
        self.cases = junit(reports / "junit.xml")
        self.html = (reports / "report.html").read_text(encoding="utf-8")
        inert(self.html)
        self.journal = [
            json.loads(line)
            for line in (reports / "journal.jsonl").read_text(encoding="utf-8").splitlines()
        ]

    def case(self, module: str, name: str) -> str:
        return kind(self.cases[f"test.{module}::{name}"])

    def err(self, module: str, name: str) -> str:
        return self.cases[f"test.{module}::{name}"].findtext("system-err") or ""

    def out(self, module: str, name: str) -> str:
        return self.cases[f"test.{module}::{name}"].findtext("system-out") or ""

    def journaled(self) -> dict[str, str]:
        return {r["id"]: r["outcome"] for r in self.journal if r["kind"] == "case"}


def _leaked(modules: dict[str, str], config: str = "") -> Leaked:
    root = project({f"test/{module}.py": text for module, text in modules.items()}, config=config)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code != 3 and "internal error" not in ran.output, ran
    return Leaked(root, ran)


@fixture
def mocks() -> Leaked:
    return _leaked({"test_mocks": MOCKS})


@fixture
def descriptors() -> Leaked:
    # The default descriptor-level capture: its own descriptors, the journal's and the
    # report-folder lock's sit high, out of the range the case closes.
    return _leaked({"test_descriptors": DESCRIPTORS})


@fixture
def streams() -> Leaked:
    return _leaked({"test_streams": STREAMS, "test_streams_native": NATIVE})


@test("leaked mocks of time, json and os.write: every case reported, reports written, exit 1")
def leaked_mocks(mocks: Leaked) -> None:
    assert mocks.ran.code == 1, mocks.ran
    assert mocks.ran.counts == (5, 1, 0), mocks.ran
    for name in ("leaks_clocks", "leaks_json", "leaks_os_write"):
        assert mocks.case("test_mocks", name) == "passed", mocks.ran
    failure = problem(mocks.cases["test.test_mocks::fails_after_the_leaks"])
    assert "FAILS-AFTER-LEAKS" in (failure.get("message") or ""), failure.attrib
    assert "OUT-AFTER-LEAKS" in mocks.out("test_mocks", "fails_after_the_leaks")
    assert "PARAM-2" in mocks.out("test_mocks", "passes_after_the_leaks[1]"), mocks.cases.keys()
    assert "FAILS-AFTER-LEAKS" in mocks.html
    # The journal holds every case and its end, whole: the run wrote it past the mocks.
    assert len(mocks.journaled()) == 6, mocks.journaled()
    assert mocks.journaled()["test.test_mocks::fails_after_the_leaks"] == "failed"
    assert mocks.journal[-1]["kind"] == "end", mocks.journal[-1]
    # The times the runner took are real numbers, not a mock's.
    assert all(isinstance(r.get("ns", 0), int) for r in mocks.journal)


@test("a case that closes the runner's descriptors: the journal stays whole, no record lands in the user's files")
def closed_descriptors(descriptors: Leaked) -> None:
    assert descriptors.ran.code == 1, descriptors.ran
    assert descriptors.ran.counts == (3, 1, 0), descriptors.ran
    journaled = descriptors.journaled()
    assert journaled == {
        "test.test_descriptors::closes_descriptors": "passed",
        "test.test_descriptors::opens_its_own_files": "passed",
        "test.test_descriptors::fails_after": "failed",
        "test.test_descriptors::passes_after": "passed",
    }, journaled
    assert descriptors.journal[-1]["kind"] == "end", descriptors.journal[-1]
    for n in range(8):
        text = (descriptors.root / f"user-file-{n}.txt").read_text(encoding="utf-8")
        assert text == "", f"user-file-{n}.txt holds {text[:300]!r}"
    assert "PASSES-AFTER-CLOSE" in descriptors.out("test_descriptors", "passes_after")
    # Descriptor capture survived the closing: the next case's print is its own output.
    assert "OPENED" in descriptors.out("test_descriptors", "opens_its_own_files")


EVERY_DESCRIPTOR = '''
import os

from thinking_tests import test


@test
def closes_every_descriptor():
    os.closerange(3, 4096)


@test
def takes_the_high_numbers():
    # Files of the case's own on the numbers the runner kept for itself.
    for number in range(1020, 1100):
        fd = os.open(f"user-{number}.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        if fd != number:
            os.dup2(fd, number)
            os.close(fd)


@test
def runs_after():
    pass
'''


@test("a case that closes every descriptor and takes the runner's numbers gets no journal record")
def every_descriptor_closed() -> None:
    root = project({"test/test_every.py": EVERY_DESCRIPTOR}, config="")
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    for number in range(1020, 1100):
        text = (root / f"user-{number}.txt").read_text(encoding="utf-8")
        assert text == "", f"user-{number}.txt holds {text[:300]!r}"
    records = [
        json.loads(line)
        for line in (root / "reports" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    ids = [r.get("id") for r in records if r.get("kind") == "case"]
    assert "test.test_every::runs_after" in ids, records
    assert records[-1]["kind"] == "end", records[-1]


@test("a replaced sys.stdout, sys.stderr or sys.stdin is put back after the case, which says so")
def streams_put_back(streams: Leaked) -> None:
    assert streams.ran.code == 1, streams.ran
    assert streams.ran.counts == (9, 1, 0), streams.ran
    assert "PRINTED-AFTER-STDOUT" in streams.out("test_streams", "prints_after_stdout")
    assert "WRITTEN-AFTER-STDERR" in streams.err("test_streams", "writes_after_stderr")
    assert "PRINTED-AFTER-HANDLERS" in streams.out("test_streams", "logs_after_handlers")
    note = streams.err("test_streams", "replaces_stdout")
    assert "put back" in note and "sys.stdout" in note, note
    note = streams.err("test_streams", "replaces_stderr_and_stdin")
    assert "sys.stderr" in note and "sys.stdin" in note and "sys.stdout" not in note, note
    # A case that changed nothing gets no note.
    assert "put back" not in streams.err("test_streams", "prints_after_stdout")
    # The journal and the HTML page say it too.
    leaking = [r for r in streams.journal if r.get("id") == "test.test_streams::replaces_stdout"]
    assert "sys.stdout" in leaking[0].get("stderr", ""), leaking
    assert "thinking-tests: put back after this case: sys.stdout\\n" in streams.html


@test("logging turned off or its handlers dropped: put back, later cases' logs still captured")
def logging_put_back(streams: Leaked) -> None:
    assert "LOGGED-AFTER-DISABLE" in streams.err("test_streams", "logs_after_disable")
    assert "LOGGED-AFTER-HANDLERS" in streams.err("test_streams", "logs_after_handlers")
    note = streams.err("test_streams", "disables_logging")
    assert "put back" in note and "logging.disable" in note, note
    # The case keeps its outcome; its report names what was put back.
    assert streams.case("test_streams", "drops_handlers_and_fails") == "failure"
    note = streams.err("test_streams", "drops_handlers_and_fails")
    assert "root logger handlers" in note and "sys.stdout" in note, note



@test("logging first imported by a case: its basicConfig put back, later cases' logs captured once")
def logging_imported_late() -> None:
    late = _leaked({"test_late_logging": LATE_LOGGING})
    assert late.ran.code == 0 and late.ran.counts == (2, 0, 0), late.ran
    first = late.err("test_late_logging", "configures_logging")
    assert "DEBUG-IN-FIRST" in first, first
    assert "root logger level" in first and "root logger handlers" in first, first
    later = late.err("test_late_logging", "logs_later")
    assert "INFO-NOT-SHOWN" not in later, later  # the level is WARNING again
    assert later.count("WARNING-IN-LATER") == 1, later  # basicConfig's handler is gone
    assert "WARNING  later: WARNING-IN-LATER" in later, later  # through the capture's handler


@test("a unittest TestCase test that replaces sys.stdout and turns logging off: put back, and said")
def native_streams_put_back(streams: Leaked) -> None:
    module = "test_streams_native"
    assert streams.case(module, "Leaks::test_a_replaces_stdout_and_disables_logging") == "passed"
    note = streams.err(module, "Leaks::test_a_replaces_stdout_and_disables_logging")
    assert "put back" in note and "sys.stdout" in note and "logging.disable" in note, note
    assert "NATIVE-PRINTED-AFTER" in streams.out(module, "Leaks::test_b_prints_and_logs"), streams.ran
    assert "NATIVE-LOGGED-AFTER" in streams.err(module, "Leaks::test_b_prints_and_logs"), streams.ran


# The working directory, sys.path and the environment a case's body changes: put back after
# it, said in that case's report and no other, also when the next case starts from the state
# the runner put back; a TestCase class's own changes stay for what follows, as in unittest.
PROCESS = '''
import os
import sys
import unittest

from thinking_tests import test

START = os.getcwd()


@test
def a_changes_the_process():
    os.chdir(os.path.dirname(START))
    sys.path.insert(0, "/nowhere")
    os.environ["TT_LEAKED"] = "1"


@test
def b_finds_it_put_back():
    assert os.getcwd() == START, os.getcwd()
    assert "/nowhere" not in sys.path
    assert "TT_LEAKED" not in os.environ


@test
def c_changes_the_directory_again():
    os.chdir(os.path.dirname(START))


@test
def d_finds_it_put_back_again():
    assert os.getcwd() == START, os.getcwd()


class Moves(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        os.chdir(os.path.join(START, "elsewhere"))

    def test_nothing(self):
        pass


@test
def e_after_the_class_sees_its_directory():
    assert os.getcwd() == os.path.join(START, "elsewhere"), os.getcwd()


@test
def f_changes_nothing():
    pass
'''


@test("what a body changes is put back before the next case, whichever way it starts, and said only for that case")
def process_put_back() -> None:
    root = project({"test/test_process.py": PROCESS, "elsewhere/keep.txt": ""}, config="")
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0 and ran.counts == (7, 0, 0), ran
    cases = junit(root / "reports" / "junit.xml")

    def err(name: str) -> str:
        return cases[f"test.test_process::{name}"].findtext("system-err") or ""

    note = err("a_changes_the_process")
    for what in ("working directory", "sys.path", "environment variables"):
        assert what in note, note
    assert "working directory" in err("c_changes_the_directory_again")
    for name in ("b_finds_it_put_back", "d_finds_it_put_back_again",
                 "e_after_the_class_sees_its_directory", "f_changes_nothing"):
        assert "put back" not in err(name), (name, err(name))


# The runner moves what is alive before the cases run out of the garbage collector's reach;
# what a case leaves behind in a reference cycle is still collected, also after the last case
# of a module whose import made a cycle of its own.
GARBAGE = '''
import gc
import weakref

from thinking_tests import test


class Node:
    pass


AT_IMPORT = Node()
AT_IMPORT.me = AT_IMPORT
REFS = [weakref.ref(AT_IMPORT)]
del AT_IMPORT


@test
def a_makes_cyclic_garbage():
    node = Node()
    node.me = node
    REFS.append(weakref.ref(node))


@test
def b_finds_it_collected():
    gc.collect()
    assert REFS[1]() is None, "a case's cyclic garbage was never collected"


@test
def c_runs_with_the_collector_on():
    assert gc.isenabled(), "the garbage collector is off while cases run"
'''


@test("a case's cyclic garbage is collected and the collector is on while cases run: only what was alive before them is frozen")
def garbage_collected() -> None:
    root = project({"test/test_garbage.py": GARBAGE}, config="")
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0 and ran.counts == (3, 0, 0), ran


if __name__ == "__main__":
    run_current_module()
