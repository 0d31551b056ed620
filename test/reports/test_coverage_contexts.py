"""Coverage per case: each case's setup, run and teardown under its own coverage context
(`<case id>|setup`, `|run`, `|teardown`), the empty context for imports and collection, on
both engines, in workers, in --isolate children and under plain pytest. The data is read back
through coverage.py's own API; the coverage HTML shows the contexts."""

from __future__ import annotations

from pathlib import Path

from test.reports._e2e_helpers import project
from test.support import run, run_pytest
from thinking_tests import run_current_module, test

CALC = '''\
def prepare():
    return 1


def add(a, b):
    return a + b


def release(value):
    return value * 2


def twice(a):
    return a * 2
'''
PREPARE, ADD, RELEASE, TWICE = 2, 6, 10, 14  # the body line of each function

TESTS = '''\
import subprocess
import sys

import calc
from thinking_tests import fixture, test


@fixture
def thing():
    value = calc.prepare()
    yield value
    calc.release(value)


@test
def adds(thing):
    assert calc.add(thing, 1) == 2


@test
def in_a_child():
    subprocess.run([sys.executable, "-c", "import calc; calc.twice(2)"], check=True)
'''

OTHER = '''\
import calc
from thinking_tests import test


@test
def doubles():
    assert calc.twice(3) == 6
'''

CONFIG = '''\
config.coverage.enabled = True
config.coverage.source = ["calc"]
config.reports.html = None
config.coverage.xml = None
'''


def _project(config: str = CONFIG) -> Path:
    return project(
        {"calc.py": CALC, "test/__init__.py": "", "test/test_calc.py": TESTS, "test/test_other.py": OTHER},
        config,
    )


def _contexts(root: Path) -> dict[int, set[str]]:
    """Line of calc.py -> the contexts that ran it, by coverage.py's CoverageData."""
    import coverage

    data = coverage.CoverageData(str(root / "reports" / ".coverage"))
    data.read()
    assert "" in data.measured_contexts(), data.measured_contexts()  # imports, collection
    return {line: set(contexts) for line, contexts in data.contexts_by_lineno(str(root / "calc.py")).items()}


def _check(root: Path) -> None:
    lines = _contexts(root)
    case = "test.test_calc::adds"
    assert lines[PREPARE] == {f"{case}|setup"}, lines
    assert lines[ADD] == {f"{case}|run"}, lines
    assert lines[RELEASE] == {f"{case}|teardown"}, lines
    # A subprocess a case starts is measured under that case's context.
    assert lines[TWICE] == {"test.test_calc::in_a_child|run", "test.test_other::doubles|run"}, lines
    assert lines[1] == {""} | ({"test.test_calc::in_a_child|run"}), lines  # the def line: imports


@test(
    "each case's stages have their own coverage context, whichever way the run goes",
    params=["", "--backend pytest", "-n 2", "--isolate", "--backend pytest -n 2", "pytest"],
    ids=["unittest", "pytest-engine", "workers", "isolate", "pytest-engine-xdist", "plain-pytest"],
    timeout=240,
)
def contexts_per_case(flags: str) -> None:
    """`flags` of `python -m thinking_tests test`, or plain pytest."""
    root = _project()
    if flags == "pytest":
        ran = run_pytest("-q", "test", cwd=root)
    else:
        ran = run("-m", "thinking_tests", "test", *flags.split(), cwd=root)
    assert ran.code == 0, ran
    _check(root)


@test("with branch coverage too (coverage.py's own switching), on both engines", params=["unittest", "pytest"])
def contexts_with_branches(backend: str) -> None:
    root = _project(CONFIG + "config.coverage.branch = True\n")
    ran = run("-m", "thinking_tests", "test", "--backend", backend, cwd=root)
    assert ran.code == 0, ran
    _check(root)


@test("the coverage HTML shows which cases ran each line; coverage.xml is as without contexts")
def html_shows_contexts() -> None:
    import xml.etree.ElementTree as ET

    root = _project(CONFIG.replace("config.coverage.xml = None\n", ""))
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 0, ran
    pages = [p for p in (root / "reports" / "coverage-html").glob("*.html") if "calc" in p.name]
    assert len(pages) == 1, pages
    page = pages[0].read_text(encoding="utf-8")
    for context in ("test.test_calc::adds|setup", "test.test_calc::adds|run", "test.test_calc::adds|teardown"):
        assert context in page, context
    assert 'class="ctx"' in page or "contexts" in page
    tree = ET.parse(root / "reports" / "coverage.xml")
    assert float(tree.getroot().get("line-rate") or 0) == 1.0
    assert not list(tree.iter("context"))  # nothing new in the XML CI reads


@test("the coverage HTML pages with contexts are the ones coverage.py itself writes from the same data")
def html_as_coverage_writes_it() -> None:
    import re

    # XML and HTML both: the pages are written by a forked child (see coverage_html).
    root = _project(CONFIG.replace("config.reports.html = None\n", "").replace("config.coverage.xml = None\n", ""))
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 0, ran
    ours = root / "reports" / "coverage-html"
    theirs = root / "theirs"
    write = "import coverage; c = coverage.Coverage(data_file='reports/.coverage'); c.load(); "
    written = run("-c", write + "c.html_report(directory='theirs', show_contexts=True)", cwd=root)
    assert written.code == 0, written
    pages = sorted(p.name for p in theirs.glob("*.html"))
    assert any("calc" in name for name in pages), pages
    assert sorted(p.name for p in ours.glob("*.html")) == pages
    stamp = re.compile(r"created at [^<]*")  # the minute each was written
    for name in pages:
        page = stamp.sub("", (ours / name).read_text(encoding="utf-8"))
        assert page == stamp.sub("", (theirs / name).read_text(encoding="utf-8")), name
    assert "test.test_calc::adds|run" in (ours / next(n for n in pages if "calc" in n)).read_text(encoding="utf-8")


@test("config.coverage.contexts = False measures without contexts, and the HTML shows none")
def contexts_off() -> None:
    import coverage

    root = _project(CONFIG.replace("config.reports.html = None\n", "") + "config.coverage.contexts = False\n")
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 0, ran
    data = coverage.CoverageData(str(root / "reports" / ".coverage"))
    data.read()
    assert data.measured_contexts() == {""}, data.measured_contexts()
    pages = [p for p in (root / "reports" / "coverage-html").glob("*.html") if "calc" in p.name]
    assert "test.test_calc::adds" not in pages[0].read_text(encoding="utf-8")
    assert not (root / "reports" / ".coverage-affected.json").exists()


@test("a run with coverage measures contexts without a note of changed environment variables")
def no_sandbox_note() -> None:
    root = _project()
    ran = run("-m", "thinking_tests", "test", cwd=root)
    assert ran.code == 0, ran
    junit = (root / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert "test_calc" in junit and "put back after this case" not in junit, junit


ODD = """\
import os
import subprocess
import sys

import calc
from thinking_tests import test

SHOW = "import os; print(os.environ.get('COVERAGE_PROCESS_CONFIG'))"


@test(params=['say "hi"', "na\\u00efve\\\\path"], ids=['say "hi"', "na\\u00efve\\\\path"])
def odd(word):
    subprocess.run([sys.executable, "-c", "import calc; calc.twice(2)"], check=True)
    # What a subprocess finds in its environment is what os.environ says here (-S: no
    # coverage.py start-up in it to read or change it).
    shown = subprocess.run([sys.executable, "-S", "-c", SHOW], check=True, capture_output=True, text=True)
    assert shown.stdout.strip() == os.environ["COVERAGE_PROCESS_CONFIG"], (shown.stdout, os.environ)
"""


@test(
    "a subprocess is measured under its case's context whatever the case's name holds (quotes, "
    "backslashes, non-ASCII), and sees the environment os.environ shows",
    params=["", "--backend pytest"],
    ids=["unittest", "pytest-engine"],
)
def odd_names_in_subprocesses(flags: str) -> None:
    root = project({"calc.py": CALC, "test/__init__.py": "", "test/test_odd.py": ODD}, CONFIG)
    ran = run("-m", "thinking_tests", "test", *flags.split(), cwd=root)
    assert ran.code == 0, ran
    lines = _contexts(root)
    assert lines[TWICE] == {'test.test_odd::odd[say "hi"]|run', "test.test_odd::odd[na\u00efve\\path]|run"}, lines


if __name__ == "__main__":
    run_current_module()
