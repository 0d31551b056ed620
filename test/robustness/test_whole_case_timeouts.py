"""A case's timeout covers all it does: fixtures of every scope (made and torn down), setup
and teardown blocks, aspects. A stage that hangs is blamed by name, the run goes on, the
reports are written. `--run-timeout` / `config.run_timeout` stops a whole run as Ctrl-C does.

Each hung stage would write a file after it hangs: that the file is missing proves the stage
was stopped, not finished."""

from __future__ import annotations

import re

import xml.etree.ElementTree as ET
from pathlib import Path

from test.robustness._helpers import Ran, concurrently, junit, kind, one_sentence, problem, project, run
from thinking_tests import fixture, run_current_module, test

CONFIG = "config.timeout = 1\n"

HANGS = '''
import threading
import time
from pathlib import Path

from thinking_tests import aspect, fixture, setup, test


@fixture
def busy():
    while True:  # a fixture's setup that never ends, not even for a signal's sake
        pass
    yield 1


@test
def hung_fixture_setup(busy):
    Path("NEVER-fixture-setup").write_text("ran")


@test
def after_fixture_setup():
    Path("RAN-after-fixture-setup").write_text("ran")


def blocks():
    threading.Event().wait()


with setup(blocks):

    @test
    def hung_setup_block():
        Path("NEVER-setup-block").write_text("ran")


@test
def after_setup_block():
    Path("RAN-after-setup-block").write_text("ran")


@aspect
def stalls(stage, case):
    if str(stage) == "run":
        time.sleep(3600)
        Path("NEVER-aspect").write_text("ran")
    yield


@test(aspects=[stalls])
def hung_aspect():
    Path("NEVER-aspect-body").write_text("ran")


@fixture
def cleaned():
    yield 1
    Path("RAN-cleanup-after-timeout").write_text("ran")


@test
def hung_body(cleaned):
    time.sleep(3600)


@test
def after_hung_body():
    Path("RAN-after-hung-body").write_text("ran")
'''

MODULE_END = '''
import time
from pathlib import Path

from thinking_tests import fixture, test


@fixture(scope="module")
def slow_end():
    yield 1
    time.sleep(3600)
    Path("NEVER-module-teardown").write_text("ran")


@test
def first_user(slow_end):
    Path("RAN-first-user").write_text("ran")


@test
def ends_the_scope(slow_end):
    Path("RAN-ends-the-scope").write_text("ran")
'''

LATER = '''
from pathlib import Path

from thinking_tests import test


@test
def in_the_next_module():
    Path("RAN-next-module").write_text("ran")
'''

# case -> the message its error must carry
BLAMED = {
    "test.test_hangs::hung_fixture_setup": "fixture 'busy' setup timed out after 1 s",
    "test.test_hangs::hung_setup_block": "setup 'blocks' timed out after 1 s",
    "test.test_hangs::hung_aspect": "aspect 'stalls' around run timed out after 1 s",
    "test.test_hangs::hung_body": "case hung_body timed out after 1 s",
    "test.test_module_end::ends_the_scope": "fixture 'slow_end' teardown timed out after 1 s",
}
PASSED = [
    "test.test_hangs::after_fixture_setup",
    "test.test_hangs::after_setup_block",
    "test.test_hangs::after_hung_body",
    "test.test_module_end::first_user",
    "test.test_next::in_the_next_module",
]


class Hung:
    """A project whose stages hang, run once on one engine."""

    def __init__(self, *args: str) -> None:
        self.root = project(
            {"test/test_hangs.py": HANGS, "test/test_module_end.py": MODULE_END, "test/test_next.py": LATER},
            config=CONFIG,
        )
        self.ran = run(*args, cwd=self.root)
        self.cases = junit(self.root / "reports" / "junit.xml")

    def files(self, prefix: str) -> set[str]:
        return {path.name for path in self.root.glob(f"{prefix}-*")}


@fixture(scope="module")
def both() -> list[Hung]:
    # Each run mostly waits for its timeouts: both engines at once.
    return concurrently(
        lambda: Hung("-m", "test.run_all"),
        lambda: Hung("-m", "thinking_tests", "test", "--backend", "pytest"),
    )


def _check(hung: Hung) -> None:
    ran = hung.ran
    assert ran.code == 1, ran
    assert ran.counts == (len(PASSED), len(BLAMED), 0), ran
    assert "Traceback" not in ran.stderr, ran
    assert {name: kind(hung.cases[name]) for name in PASSED} == dict.fromkeys(PASSED, "passed"), ran
    for name, message in BLAMED.items():
        error = problem(hung.cases[name])
        assert error.tag == "error", (name, ET.tostring(error, encoding="unicode"))
        assert message in (error.get("message") or ""), (name, error.get("message"))
    # No hung stage finished; everything after one ran.
    assert hung.files("NEVER") == set(), hung.files("NEVER")
    assert hung.files("RAN") == {
        "RAN-after-fixture-setup", "RAN-after-setup-block", "RAN-cleanup-after-timeout",
        "RAN-after-hung-body", "RAN-first-user", "RAN-ends-the-scope", "RAN-next-module",
    }, hung.files("RAN")


@test("each hung stage is an error naming it; later cases pass; exit 1; JUnit written")
def stages_blamed(both: list[Hung]) -> None:
    hung = both[0]
    _check(hung)
    # The message is the case's own, not hidden behind "error in setup: <type>: ...".
    assert problem(hung.cases["test.test_hangs::hung_fixture_setup"]).get("message") == (
        "fixture 'busy' setup timed out after 1 s"
    )
    # On the header line, or on the next when the line would pass the terminal's width.
    said = r"error in teardown(: |\n)fixture 'slow_end' teardown timed out after 1 s"
    assert re.search(said, hung.ran.stdout), hung.ran.stdout


@test("the pytest engine keeps the whole-case timeouts")
def under_pytest(both: list[Hung]) -> None:
    _check(both[1])


SLOW_RUN = '''
import time
from pathlib import Path

from thinking_tests import test


@test
def first():
    print("FIRST-RAN")


@test
def sleeps():
    time.sleep(3600)
    Path("NEVER-woke").write_text("ran")


@test
def never_reached():
    Path("NEVER-reached").write_text("ran")
'''


class Stopped:
    def __init__(self, config: str, *args: str) -> None:
        self.root = project({"test/test_slow.py": SLOW_RUN}, config=config)
        self.ran = run(*args, cwd=self.root)


@fixture(scope="module")
def stopped() -> list[Stopped]:
    return concurrently(
        lambda: Stopped("", "-m", "thinking_tests", "test", "--run-timeout", "2"),
        lambda: Stopped("", "-m", "test.run_all", "--run-timeout", "2"),
        lambda: Stopped("config.run_timeout = 2\n", "-m", "test.run_all"),
        lambda: Stopped("", "-m", "test.run_all", "--run-timeout", "2", "--backend", "pytest"),
        lambda: Stopped("config.run_timeout = 2\n", "-m", "pytest", "-p", "no:cacheprovider"),
    )


@test(
    "past the run timeout the run stops as on Ctrl-C: exit 2, finished results in the reports",
    params=[0, 1, 2, 3, 4],
    ids=["command line", "after run_all", "config.run_timeout", "pytest engine", "plain pytest"],
)
def run_timeout(index: int, stopped: list[Stopped]) -> None:
    done = stopped[index]
    ran = done.ran
    assert ran.code == 2, ran
    assert "the run timeout of 2 s was reached" in ran.stdout, ran
    assert "Traceback" not in ran.stderr, ran
    cases = junit(done.root / "reports" / "junit.xml")
    first = cases["test.test_slow::first"]
    assert kind(first) == "passed", ET.tostring(first, encoding="unicode")
    assert first.findtext("system-out") == "FIRST-RAN\n"
    assert kind(cases["test.test_slow::sleeps"]) == "error"
    error = cases["test.test_slow::sleeps"].find("error")
    assert error is not None, ET.tostring(cases["test.test_slow::sleeps"], encoding="unicode")
    assert error.get("message") == "interrupted: the run timeout of 2 s was reached", error.attrib
    assert 'value="partial run: 1 not run"' in (done.root / "reports" / "junit.xml").read_text()
    assert "test.test_slow::never_reached" not in cases
    assert not list(done.root.glob("NEVER-*"))
    # The reports say why the run stopped: a JUnit property and the HTML report's banner.
    junit_text = (done.root / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert 'name="thinking-tests.note" value="the run timeout of 2 s was reached"' in junit_text
    assert "the run timeout of 2 s was reached" in (done.root / "reports" / "report.html").read_text()


@test("a run timeout that is not a positive number of seconds is refused before anything runs")
def run_timeout_refused() -> None:
    bad_config = project({"test/test_slow.py": SLOW_RUN}, config="config.run_timeout = -1\n")
    bad_flag = project({"test/test_slow.py": SLOW_RUN})
    refused: list[Ran] = concurrently(
        lambda: run("-m", "test.run_all", cwd=bad_config),
        lambda: run("-m", "thinking_tests", "test", "--run-timeout", "soon", cwd=bad_flag),
    )
    assert [r.code for r in refused] == [4, 4], refused
    assert "config.run_timeout must be a positive, finite number of seconds" in one_sentence(refused[0])
    assert "--run-timeout" in refused[1].stderr and "soon" in refused[1].stderr, refused[1]
    for root in (bad_config, bad_flag):
        assert not (root / "reports" / "junit.xml").exists()
        assert not list(root.glob("NEVER-*"))


if __name__ == "__main__":
    run_current_module()
