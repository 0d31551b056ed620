"""`--isolate` keeps everything a child finished: results stream from the child as each case
ends (an interrupted child loses nothing it finished), and after a child dies in a case, the
cases of its module it never reached run in a fresh child, each case at most once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import unittest
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from test.robustness._helpers import TIMEOUT, Ran, concurrently, junit, kind, problem, project, run
from test.support import env
from thinking_tests import fixture, run_current_module, test

DIED = "the test process died while this case was running"

# Every case counts its runs in runs/<name>, closed before anything can kill the process.
HEAD = '''
import os
import signal
from pathlib import Path

from thinking_tests import test


def count(name):
    folder = Path(__file__).resolve().parent.parent / "runs"
    folder.mkdir(exist_ok=True)
    with open(folder / name, "a") as file:
        file.write("ran\\n")
'''

# case_10 exits at once, case_20 is killed by a signal; the other 28 pass.
THIRTY = HEAD + "".join(
    f'''

@test
def case_{n:02}():
    count("case_{n:02}")
'''
    + ("    os._exit(3)\n" if n == 10 else "")
    + ("    os.kill(os.getpid(), signal.SIGKILL)\n" if n == 20 else "")
    for n in range(1, 31)
)

# Every case kills the process that runs it.
ALL_DIE = HEAD + "".join(
    f'''

@test
def killer_{n}():
    count("killer_{n}")
    os.kill(os.getpid(), signal.SIGKILL)
'''
    for n in range(1, 5)
)

AFTER = '''
from thinking_tests import test


@test
def after():
    pass
'''


def runs(root: Path) -> dict[str, int]:
    """How many times each case ran: name -> count."""
    folder = root / "runs"
    return {p.name: len(p.read_text().splitlines()) for p in folder.iterdir()} if folder.is_dir() else {}


@dataclass(frozen=True)
class Isolated:
    root: Path
    ran: Ran


def isolated(files: dict[str, str], *args: str) -> Isolated:
    root = project(files)
    return Isolated(root, run("-m", "test.run_all", "--isolate", *args, cwd=root))


@fixture(scope="module")
def deaths() -> tuple[Isolated, Isolated, Isolated]:
    """Thirty cases, two deaths; every case a death; thirty cases under -x."""
    thirty = {"test/test_thirty.py": THIRTY, "test/test_zafter.py": AFTER}
    return tuple(  # type: ignore[return-value]
        concurrently(
            lambda: isolated(thirty),
            lambda: isolated({"test/test_all_die.py": ALL_DIE, "test/test_zafter.py": AFTER}),
            lambda: isolated(thirty, "-x"),
        )
    )


@test("--isolate: a child that dies in a case costs only that case; the rest of the module runs "
      "in a fresh child, every case exactly once; exit 1")
def death_costs_one_case(deaths: tuple[Isolated, Isolated, Isolated]) -> None:
    root, ran = deaths[0].root, deaths[0].ran
    assert ran.code == 1, ran
    assert ran.counts == (29, 2, 0), ran  # 28 of thirty and after pass; case_10, case_20 err
    assert runs(root) == {f"case_{n:02}": 1 for n in range(1, 31)}, runs(root)
    cases = junit(root / "reports" / "junit.xml")
    dead = {"test.test_thirty::case_10": "code 3", "test.test_thirty::case_20": "signal 9"}
    expected = {f"test.test_thirty::case_{n:02}": "passed" for n in range(1, 31)}
    assert {name: kind(case) for name, case in cases.items()} == {
        **expected, **{name: "error" for name in dead}, "test.test_zafter::after": "passed",
    }, sorted(cases.items())
    for name, how in dead.items():
        message = problem(cases[name]).get("message") or ""
        assert DIED in message and how in message, (name, message)
    records = _journal(root / "reports" / "journal.jsonl")
    assert len([r for r in records if r["kind"] == "case"]) == 31, records
    assert records[-1]["kind"] == "end" and records[-1]["interrupted"] is False, records[-1]


@test("--isolate: a module whose every case kills its child tries each case once, each an error "
      "naming the signal; the next module still runs")
def every_case_dies(deaths: tuple[Isolated, Isolated, Isolated]) -> None:
    root, ran = deaths[1].root, deaths[1].ran
    assert ran.code == 1, ran
    assert ran.counts == (1, 4, 0), ran
    assert runs(root) == {f"killer_{n}": 1 for n in range(1, 5)}, runs(root)
    cases = junit(root / "reports" / "junit.xml")
    for n in range(1, 5):
        message = problem(cases[f"test.test_all_die::killer_{n}"]).get("message") or ""
        assert DIED in message and "signal 9" in message, message
    assert kind(cases["test.test_zafter::after"]) == "passed"


@test("--isolate -x: a death is the first failure: the run stops there, the rest counted as not "
      "run, never re-run")
def death_under_exitfirst(deaths: tuple[Isolated, Isolated, Isolated]) -> None:
    root, ran = deaths[2].root, deaths[2].ran
    assert ran.code == 1, ran
    assert ran.counts == (9, 1, 0), ran
    assert "stopped at the first failure (-x): 21 of 31 selected cases did not run" in ran.stdout, ran
    assert runs(root) == {f"case_{n:02}": 1 for n in range(1, 11)}, runs(root)


# Each case leaves a marker as it starts; the third fails for real; the fifth sleeps long.
MARKED = '''
import os
import time
from pathlib import Path

from thinking_tests import test


def mark(n):
    folder = Path(__file__).resolve().parent.parent / "markers"
    folder.mkdir(exist_ok=True)
    (folder / str(n)).write_text(str(os.getpid()))
''' + "".join(
    f'''

@test
def step_{n}():
    mark({n})
'''
    + ('    assert 1 == 2, "STEP-3-FAILS"\n' if n == 3 else "")
    + ("    time.sleep(600)\n" if n == 5 else "")
    for n in range(1, 9)
)


@dataclass(frozen=True)
class Interrupted:
    root: Path
    ran: Ran
    journal_before: list[dict[str, object]]  # the parent's journal while step_5 slept


def _journal(path: Path) -> list[dict[str, object]]:
    """The records of a journal, without a line still being written."""
    text = path.read_text("utf-8") if path.exists() else ""
    return [json.loads(line) for line in text.split("\n")[:-1] if line.strip()]


def _case_ids(records: list[dict[str, object]]) -> list[object]:
    return [r["id"] for r in records if r["kind"] == "case"]


def _until(condition: Callable[[], bool], deadline: float) -> bool:
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def at_step_5(root: Path, act: Callable[[subprocess.Popen[str]], None]) -> tuple[Ran, list[dict[str, object]]]:
    """An --isolate run of MARKED: `act` on the parent while step_5 sleeps, once the parent's
    journal holds step_1 (a parent that reads its child only at the end has none then); the
    run's end, and the parent's journal as it was just before `act`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "test.run_all", "--isolate", "-v"], cwd=root, env=env(),
        text=True, errors="replace", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(TIMEOUT, process.kill)  # a hang fails the case, never the suite
    watchdog.start()
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda s=s, into=into: into.append(s.read()), daemon=True)
        for s, into in ((process.stdout, out), (process.stderr, err))
    ]
    for reader in readers:
        reader.start()
    journal = root / "reports" / "journal.jsonl"
    before: list[dict[str, object]] = []
    try:
        deadline = time.monotonic() + TIMEOUT / 2
        if _until(lambda: (root / "markers" / "5").exists(), deadline):
            # step_5 sleeps far longer than this wait: whatever the journal holds meanwhile was
            # streamed from a running child.
            _until(lambda: "test.test_marked::step_1" in _case_ids(_journal(journal)), deadline)
            before = _journal(journal)
        act(process)
        process.wait(timeout=TIMEOUT)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        for reader in readers:
            reader.join(TIMEOUT)
    return Ran(process.returncode, "".join(out), "".join(err)), before


@fixture(scope="module")
def interrupted() -> Interrupted:
    """Ctrl-C (SIGINT to the parent alone) while step_5 sleeps."""
    root = project({"test/test_marked.py": MARKED})
    ran, before = at_step_5(root, lambda process: process.send_signal(signal.SIGINT))
    return Interrupted(root, ran, before)


@test("--isolate streams: the parent's journal holds a child's finished cases while the child "
      "still runs")
def streams_while_running(interrupted: Interrupted) -> None:
    finished = _case_ids(interrupted.journal_before)
    assert "test.test_marked::step_1" in finished, (interrupted.journal_before, interrupted.ran)
    assert "test.test_marked::step_5" not in finished, finished


@test("--isolate, Ctrl-C while a child runs: exit 2, every case the child finished in the reports "
      "with its real outcome, the running one interrupted, nothing after it run")
def interrupt_keeps_finished(interrupted: Interrupted) -> None:
    root, ran = interrupted.root, interrupted.ran
    assert ran.code == 2, ran
    assert ran.counts == (3, 2, 0), ran  # steps 1, 2, 4 pass; 3 fails; 5 interrupted
    cases = junit(root / "reports" / "junit.xml")
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_marked::step_1": "passed",
        "test.test_marked::step_2": "passed",
        "test.test_marked::step_3": "failure",
        "test.test_marked::step_4": "passed",
        "test.test_marked::step_5": "error",
    }, sorted(cases)
    assert "STEP-3-FAILS" in (problem(cases["test.test_marked::step_3"]).get("message") or "")
    assert problem(cases["test.test_marked::step_5"]).get("message") == "interrupted"
    assert sorted(p.name for p in (root / "markers").iterdir()) == ["1", "2", "3", "4", "5"]
    records = _journal(root / "reports" / "journal.jsonl")
    assert records[-1]["kind"] == "end" and records[-1]["interrupted"] is True, records[-1]


def _gone(pid: int) -> bool:
    """Whether a process has ended (a zombie nobody reaped has)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


@test("--isolate, the parent killed outright (SIGKILL) while a child runs: the child ends too, "
      "it does not run the rest of its module unseen (Linux)")
def child_dies_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        raise unittest.SkipTest("a child ends with its parent on Linux only")
    root = project({"test/test_marked.py": MARKED})
    ran, before = at_step_5(root, lambda process: process.kill())
    assert ran.code == -signal.SIGKILL, ran
    assert "test.test_marked::step_1" in _case_ids(before), (before, ran)
    pid = int((root / "markers" / "5").read_text())
    assert _until(lambda: _gone(pid), time.monotonic() + TIMEOUT / 2), f"child {pid} still runs"
    assert not (root / "markers" / "6").exists()


if __name__ == "__main__":
    run_current_module()
