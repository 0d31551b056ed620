"""`-n N`: whole modules in N worker processes, with the results and reports of a serial run;
a worker that dies costs only its running case; an interrupted run keeps every finished case;
under the pytest engine `-n` is pytest-xdist's; coverage is measured in every worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from test.running._helpers import RUN_ALL, Ran, one_sentence, project, run
from test.support import env
from thinking_tests import fixture, run_current_module, test

# Every case notes the process it ran in: runs/<case> gets one line per run, its pid.
HEAD = '''
import os
import signal
import time
import unittest
from pathlib import Path

from thinking_tests import fixture, test


def count(name):
    folder = Path(__file__).resolve().parent.parent / "runs"
    folder.mkdir(exist_ok=True)
    with open(folder / name, "a") as file:
        file.write(f"{os.getpid()}\\n")
'''


def fixture_module(name: str) -> str:
    """A module fixture made once per process; a pass, a failure, a skip, an expected failure."""
    return HEAD + f'''

@fixture(scope="module")
def made():
    return os.getpid()


@test
def uses_fixture(made):
    count("{name}.uses_fixture")
    assert made == os.getpid()


@test
def fails():
    count("{name}.fails")
    assert 1 == 2, "{name} FAILS"


@test(skip="not here")
def skipped():
    pass


@test(xfail="known bug")
def expected():
    count("{name}.expected")
    raise ValueError("as expected")


@test(params=[1, 2])
def waits(n):
    count(f"{name}.waits{{n}}")
    time.sleep(0.05 * n)
'''


SETUP_MODULE = HEAD + '''

PID = None


def setUpModule():
    global PID
    PID = os.getpid()


class Plain(unittest.TestCase):
    def test_same_process(self):
        count("d.same_process")
        self.assertEqual(PID, os.getpid())

    def test_errors(self):
        count("d.errors")
        raise RuntimeError("d ERRORS")

    @unittest.skip("skipped in d")
    def test_skipped(self):
        pass
'''


def several_modules() -> Path:
    files = {"test/__init__.py": "", "test/run_all.py": RUN_ALL}
    for name in "abc":
        files[f"test/test_{name}.py"] = fixture_module(name)
    files["test/test_d.py"] = SETUP_MODULE
    return project(files)


def runs(root: Path) -> dict[str, list[int]]:
    """Case -> the pid of each run of it."""
    folder = root / "runs"
    return {p.name: [int(line) for line in p.read_text().split()] for p in folder.iterdir()}


def junit(path: Path) -> list[tuple[str, str, str, str]]:
    """(classname, name, outcome, message) of every testcase, in file order."""
    found = []
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = [c for c in case if c.tag in ("failure", "error", "skipped")]
        outcome = kinds[0].tag if kinds else "passed"
        message = kinds[0].get("message", "") if kinds else ""
        found.append((case.get("classname", ""), case.get("name", ""), outcome, message))
    return found


def journal_ids(path: Path) -> list[str]:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r["id"] for r in records if r["kind"] == "case"]


@fixture(scope="module")
def serial_and_parallel() -> tuple[Path, Ran, Ran]:
    root = several_modules()
    serial = run("-m", "test.run_all", "--report-dir", "serial", cwd=root)
    (root / "runs").rename(root / "serial-runs")
    parallel = run("-m", "test.run_all", "-n", "2", "--report-dir", "parallel", cwd=root)
    return root, serial, parallel


@test("-n 2 gives a serial run's results: the same JUnit XML, case by case and in the same order "
      "(names, outcomes, messages); the journal records every case; the exit code and summary agree")
def same_reports(serial_and_parallel: tuple[Path, Ran, Ran]) -> None:
    root, serial, parallel = serial_and_parallel
    assert serial.code == parallel.code == 1, (serial, parallel)
    assert serial.counts == parallel.counts == (10, 4, 7), (serial, parallel)
    expected = junit(root / "serial" / "junit.xml")
    assert len(expected) == 21, expected
    assert junit(root / "parallel" / "junit.xml") == expected
    assert sorted(journal_ids(root / "parallel" / "journal.jsonl")) == sorted(
        journal_ids(root / "serial" / "journal.jsonl")
    )


@test("-n 2 runs modules in two worker processes, each module whole in one: a module fixture and "
      "setUpModule are made in the process that runs the module's cases, each case runs once")
def modules_whole_in_workers(serial_and_parallel: tuple[Path, Ran, Ran]) -> None:
    root, _, parallel = serial_and_parallel
    ran = runs(root)
    assert all(len(pids) == 1 for pids in ran.values()), ran
    per_module: dict[str, set[int]] = {}
    for name, pids in ran.items():
        per_module.setdefault(name.split(".")[0], set()).update(pids)
    assert all(len(pids) == 1 for pids in per_module.values()), per_module
    assert len(set().union(*per_module.values())) == 2, per_module
    # The module fixture and setUpModule held in their worker: those cases passed.
    cases = {(c[0], c[1]): c[2] for c in junit(root / "parallel" / "junit.xml")}
    assert cases[("test.test_d", "Plain::test_same_process")] == "passed", cases
    assert all(cases[(f"test.test_{m}", "uses_fixture")] == "passed" for m in "abc"), cases


KILLS = HEAD + "".join(
    f'''

@test
def case_{n}():
    count("case_{n}")
'''
    + ("    os.kill(os.getpid(), signal.SIGKILL)\n" if n == 3 else "")
    for n in range(1, 7)
)

QUICK = HEAD + '''

@test
def other():
    count("other")
'''


@test("-n 2: a worker killed mid-module costs only the case it was running (an error naming the "
      "signal); the rest of its module runs in a fresh worker, every case exactly once")
def killed_worker() -> None:
    root = project({
        "test/__init__.py": "", "test/run_all.py": RUN_ALL,
        "test/test_kills.py": KILLS, "test/test_other.py": QUICK,
    })
    ran = run("-m", "test.run_all", "-n", "2", cwd=root)
    assert ran.code == 1, ran
    assert ran.counts == (6, 1, 0), ran
    counted = runs(root)
    assert {name: len(pids) for name, pids in counted.items()} == {
        **{f"case_{n}": 1 for n in range(1, 7)}, "other": 1,
    }, counted
    # The cases after the death ran in another process than the ones before it.
    assert counted["case_4"] != counted["case_2"], counted
    cases = junit(root / "reports" / "junit.xml")
    assert [c[1] for c in cases] == [f"case_{n}" for n in range(1, 7)] + ["other"], cases
    outcome = {c[1]: (c[2], c[3]) for c in cases}
    assert outcome["case_3"][0] == "error", outcome
    assert "died" in outcome["case_3"][1] and "signal 9" in outcome["case_3"][1], outcome
    assert all(outcome[f"case_{n}"][0] == "passed" for n in (1, 2, 4, 5, 6)), outcome


SLEEPER = HEAD + '''

@test
def first():
    count("first")


@test
def sleeps():
    count("sleeps")
    time.sleep(600)


@test
def never():
    count("never")
'''


def _wait_for(condition: "object", seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@test("-n 2, SIGTERM to the parent mid-run: exit 2, the reports hold every finished case of "
      "every worker, the workers end")
def terminated() -> None:
    root = project({
        "test/__init__.py": "", "test/run_all.py": RUN_ALL,
        "test/test_sleeper.py": SLEEPER, "test/test_other.py": QUICK,
    })
    process = subprocess.Popen(
        [sys.executable, "-m", "test.run_all", "-n", "2"], cwd=root, env=env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        folder = root / "runs"
        _wait_for(lambda: (folder / "sleeps").exists() and (folder / "other").exists())
        time.sleep(0.3)  # the parent sees the finished cases journaled
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    ran = Ran(process.returncode, stdout, stderr)
    assert ran.code == 2, ran
    counted = runs(root)
    assert "never" not in counted, counted
    sleeper = counted["sleeps"][0]
    _wait_for(lambda: not _alive(sleeper), 10)
    cases = {c[1]: c[2] for c in junit(root / "reports" / "junit.xml")}
    assert cases["first"] == "passed" and cases["other"] == "passed", cases
    assert ran.counts[0] == 2, ran


@test("-n 2 under the pytest engine runs through pytest-xdist: the serial run's counts, cases in "
      "two processes")
def pytest_engine_xdist() -> None:
    root = several_modules()
    serial = run("-m", "test.run_all", "--backend", "pytest", "--report-dir", "serial", cwd=root)
    (root / "runs").rename(root / "serial-runs")
    parallel = run("-m", "test.run_all", "--backend", "pytest", "-n", "2", "--report-dir", "xdist", cwd=root)
    assert serial.code == parallel.code == 1, (serial, parallel)
    assert parallel.counts == serial.counts, (serial, parallel)
    pids = {pid for each in runs(root).values() for pid in each}
    assert len(pids) == 2, pids
    assert sorted(junit(root / "xdist" / "junit.xml")) == sorted(junit(root / "serial" / "junit.xml"))


@test("-n under the pytest engine without pytest-xdist installed: one sentence, exit 4")
def pytest_engine_without_xdist() -> None:
    root = several_modules()
    hide = (
        "import sys; sys.modules['xdist'] = None; from thinking_tests.cli import main; "
        "sys.exit(main(['test', '--backend', 'pytest', '-n', '2']))"
    )
    ran = run("-c", hide, cwd=root)
    assert ran.code == 4, ran
    assert "pytest-xdist" in one_sentence(ran), ran
    assert not (root / "runs").exists()


CALC = '''
def double(x):
    return x * 2


def never_called(x):
    return x * 3
'''

USES_CALC = '''
from thinking_tests import test


@test
def doubles():
    from calc.ops import double

    assert double(2) == 4
'''


@test("-n 2 with coverage on: what ran only in the workers is in coverage.xml, combined")
def coverage_from_workers() -> None:
    root = project(
        {
            "calc/__init__.py": "", "calc/ops.py": CALC,
            "test/__init__.py": "", "test/run_all.py": RUN_ALL,
            "test/test_one.py": USES_CALC, "test/test_two.py": QUICK,
        },
        config="config.coverage.enabled = True\nconfig.coverage.source = ['calc']\nconfig.coverage.html = None\n",
    )
    ran = run("-m", "test.run_all", "-n", "2", cwd=root)
    assert ran.code == 0, ran
    hits: dict[str, dict[int, int]] = {}
    for cls in ET.parse(root / "reports" / "coverage.xml").getroot().iter("class"):
        hits[cls.get("filename", "")] = {
            int(line.get("number", 0)): int(line.get("hits", 0)) for line in cls.iter("line")
        }
    ops = next(lines for name, lines in hits.items() if name.endswith("ops.py"))
    assert ops[3] == 1 and ops[7] == 0, ops  # double's body ran in a worker; never_called's not
    assert not list((root / "reports").glob(".coverage.*")), "worker data files left uncombined"


@test("-n 1, -n auto with fewer modules than cores, config.workers and -n 0: each runs every case "
      "once; -n with a word that is not a number is refused, exit 4")
def worker_counts() -> None:
    files = {
        "test/__init__.py": "", "test/run_all.py": RUN_ALL,
        "test/test_a.py": fixture_module("a"), "test/test_d.py": SETUP_MODULE,
    }
    for args, config in (
        (("-n", "1"), ""), (("-n", "auto"), ""), ((), "config.workers = 3\n"), (("-n", "0"), "config.workers = 2\n"),
    ):
        root = project(files, config=config)
        ran = run("-m", "test.run_all", *args, cwd=root)
        assert ran.code == 1 and ran.counts == (4, 2, 3), (args, config, ran)
        assert all(len(pids) == 1 for pids in runs(root).values()), (args, runs(root))
    root = project(files)
    refused = run("-m", "test.run_all", "-n", "many", cwd=root)
    assert refused.code == 4 and "-n takes a number of workers or auto" in refused.output, refused
    bad = run("-m", "test.run_all", cwd=project(files, config="config.workers = 'many'\n"))
    assert bad.code == 4 and "config.workers must be" in one_sentence(bad), bad


if __name__ == "__main__":
    run_current_module()
