"""The HTML report's pages written by a forked child (`reports/html/renderer.py`): the page is
the run's whole report, the child is gone when the run ends, and a child that is killed, or
whose pipes a case takes over, costs no report and writes into no file of the case's."""

from __future__ import annotations

import os
import time
from pathlib import Path

from test.reports._e2e_helpers import project, read_html, report_data
from test.support import package, run
from thinking_tests import run_current_module, test

# Whether a run here forks the child at all: on one processor it writes its pages itself.
FORKS = len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") else False

# Helpers a case uses to find the child: its own process's children, from /proc.
FIND = '''
import os
from pathlib import Path


def children() -> list[int]:
    found = []
    for task in Path("/proc/self/task").iterdir():
        found += [int(pid) for pid in (task / "children").read_text().split()]
    return found
'''


def cases(body: str) -> dict[str, str]:
    """A package of three cases, the middle one `body` (with os and Path imported)."""
    return {
        **package("test"),
        "test/finding.py": FIND,
        "test/test_cases.py": f"""\
import os
from pathlib import Path

from thinking_tests import test
from test.finding import children


@test
def first():
    pass


@test
def acts():
{body}


@test
def last():
    pass
""",
    }


def whole_report(root: Path) -> list[str]:
    """The ids the HTML report lists, once it is the finished run's page (not the stand-in)."""
    parser, text = read_html(root / "reports" / "report.html")
    assert "has not finished" not in text, text[:2000]
    return [case["id"] for case in report_data(parser)["cases"]]


IDS = ["test.test_cases::first", "test.test_cases::acts", "test.test_cases::last"]


@test("the page is the whole report, and the child that wrote it is gone when the run ends")
def child_writes_the_page() -> None:
    root = project(cases('    Path("children").write_text(" ".join(map(str, children())))'))
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0 and ran.counts == (3, 0, 0), ran
    assert whole_report(root) == IDS
    pids = [int(pid) for pid in (root / "children").read_text().split()]
    assert len(pids) == (1 if FORKS else 0), pids
    for pid in pids:  # reaped by the run: no such process any more
        assert not Path(f"/proc/{pid}").exists(), f"the child {pid} outlived the run"
    again = run("-m", "test.run_all", cwd=root)  # the report folder's lock was let go
    assert again.code == 0 and again.counts == (3, 0, 0), again


@test("a child killed during the run costs no page: the run writes it itself")
def killed_child() -> None:
    root = project(
        cases(
            "    import signal\n"
            "    for pid in children():\n"
            "        os.kill(pid, signal.SIGKILL)\n"
            '    Path("killed").write_text(str(len(children())))'
        )
    )
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0 and ran.counts == (3, 0, 0), ran
    assert "html report: reports/report.html" in ran.output, ran
    assert whole_report(root) == IDS


@test("a case that puts its own file on the child's pipes gets nothing written into it")
def pipes_taken_over() -> None:
    # The run's ends of the pipes it shares with its child (found by the pipes the child
    # holds) are made the case's own file: the run must notice, and write the page itself.
    body = (
        '    mine = os.open("mine.txt", os.O_RDWR | os.O_CREAT)\n'
        "    shared = set()\n"
        "    for pid in children():\n"
        '        for entry in Path(f"/proc/{pid}/fd").iterdir():\n'
        "            if int(entry.name) > 2:  # not the output it holds until its first page\n"
        "                shared.add(os.readlink(entry))\n"
        "    taken = 0\n"
        '    for entry in Path("/proc/self/fd").iterdir():\n'
        "        try:\n"
        "            link = os.readlink(entry)\n"
        "        except OSError:\n"
        "            continue\n"
        '        if link.startswith("pipe:") and link in shared and int(entry.name) >= 1024:\n'
        "            os.dup2(mine, int(entry.name))\n"
        "            taken += 1\n"
        '    Path("taken").write_text(str(taken))'
    )
    root = project(cases(body))
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0 and ran.counts == (3, 0, 0), ran
    assert whole_report(root) == IDS
    assert (root / "mine.txt").read_bytes() == b"", "the run wrote into the case's file"
    if FORKS:
        assert int((root / "taken").read_text()) == 2, "the child's two pipes were not found"


@test("a run killed at once still leaves the HTML stand-in, in place when its output ends")
def killed_run_leaves_the_stand_in() -> None:
    root = project(
        cases(
            '    Path("children").write_text(" ".join(map(str, children())))\n'
            "    import signal\n"
            "    os.kill(os.getpid(), signal.SIGKILL)"
        )
    )
    (root / "reports").mkdir()
    (root / "reports" / "report.html").write_text("<!doctype html><title>Tests passed</title>")
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == -9, ran
    page = (root / "reports" / "report.html").read_text()
    assert "has not finished" in page and "Tests failed" in page, page[:2000]
    for pid in map(int, (root / "children").read_text().split()):
        for _ in range(250):  # it notices its run is gone within a second
            if not _running(pid):
                break
            time.sleep(0.02)
        assert not _running(pid), f"the child {pid} outlived its killed run"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has ended


if __name__ == "__main__":
    run_current_module()
