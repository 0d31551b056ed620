"""Bad values refused before anything runs; reports written whatever fails or interrupts the
end of a run; SIGTERM stopping a run as Ctrl-C does; pyproject.toml read as TOML; every usage
error exit code 4 with one sentence."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from test.robustness._helpers import TIMEOUT, Ran, inert, junit, kind, one_sentence, project, run
from test.support import env
from thinking_tests import run_current_module, test

ONE_CASE = {"test/test_a.py": "from thinking_tests import test\n\n\n@test\ndef a():\n    pass\n"}
CLI = ("-m", "thinking_tests")


@test(
    "a report path that cannot be a report is refused before anything runs: exit 4, one sentence",
    params=[
        ('config.reports.html = "a\\0b.html"\n', "config.reports.html", "NUL"),
        ('config.reports.journal = "j\\0.jsonl"\n', "config.reports.journal", "NUL"),
        ('config.coverage.enabled = True\nconfig.coverage.xml = "c\\0.xml"\n', "config.coverage.xml", "NUL"),
        ('config.reports.junit_xml = "same.xml"\nconfig.reports.html = "same.xml"\n', "config.reports.html", "both name"),
        ('config.reports.journal = "junit.xml"\n', "config.reports.junit_xml", "both name"),
        ('config.coverage.enabled = True\nconfig.coverage.xml = "report.html"\n', "config.coverage.xml", "both name"),
        ('config.coverage.enabled = True\nconfig.coverage.html = "junit.xml"\n', "config.coverage.html", "both name"),
        # An absolute path naming the same file as a relative one is the same report.
        ('import os\nconfig.reports.directory = os.path.abspath("out")\n'
         'config.reports.html = os.path.abspath("out/junit.xml")\n', "config.reports.html", "both name"),
        ('config.reports.journal = ""\n', "config.reports.journal", "empty"),
        ('config.coverage.enabled = True\nconfig.coverage.xml = ""\n', "config.coverage.xml", "empty"),
    ],
)
def bad_report_paths(setting: str, setting_named: str, words: str) -> None:
    root = project(ONE_CASE, config=setting)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert setting_named in sentence and words in sentence, sentence
    assert not (root / "reports").exists() and not (root / "out").exists(), sorted(root.iterdir())


@test(
    "a folder where a report file goes (or a file where coverage's HTML folder goes) is refused up front",
    params=[
        ("reports/junit.xml/", "config.reports.junit_xml", "is a folder"),
        ("reports/journal.jsonl/", "config.reports.journal", "is a folder"),
        ("reports/coverage.xml/", "config.coverage.xml", "is a folder"),
        ("reports/coverage-html", "config.coverage.html", "is a file"),
        ("reports/sub", "config.reports.html", "is a file"),
    ],
)
def folder_where_file_goes(made: str, setting_named: str, words: str) -> None:
    config = "config.coverage.enabled = True\n" if "coverage" in made else ""
    if made == "reports/sub":
        config += 'config.reports.html = "sub/report.html"\n'
    root = project(ONE_CASE, config=config)
    target = root / made
    if made.endswith("/"):
        target.mkdir(parents=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("not a folder")
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert setting_named in sentence and words in sentence, sentence
    assert not (root / "reports" / "report.html").exists(), sorted((root / "reports").iterdir())


MAKES_COVERAGE_XML_A_FOLDER = '''
import os

from thinking_tests import test


@test
def fine():
    pass


@test
def sabotage():
    os.makedirs(os.path.join("reports", "coverage.xml"))
'''


@test("coverage's XML path made a folder mid-run: JUnit XML and HTML are written, the failure named, exit non-zero")
def coverage_failure_costs_nothing_else() -> None:
    # The tests are all the code there is: measured, so coverage has reports to write.
    config = "config.coverage.enabled = True\nconfig.coverage.omit = []\n"
    root = project({"test/test_sab.py": MAKES_COVERAGE_XML_A_FOLDER}, config=config)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code not in (0, 3), ran
    assert "internal error" not in ran.output and "Traceback" not in ran.output, ran
    assert "coverage: could not write its reports" in ran.output, ran
    assert ran.counts == (2, 0, 0), ran
    cases = junit(root / "reports" / "junit.xml")
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_sab::fine": "passed",
        "test.test_sab::sabotage": "passed",
    }, cases
    inert((root / "reports" / "report.html").read_text(encoding="utf-8"))


def signalled(root: Path, args: tuple[str, ...], signum: int) -> Ran:
    """Run `python ARGS` in root; send `signum` from outside once the file MARK appears.

    A file, not a line of output: what a case writes to the terminal is captured."""
    process = subprocess.Popen(
        [sys.executable, *args], cwd=root, env=env(), text=True, errors="replace",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        waited = 0.0
        while not (root / "MARK").exists() and process.poll() is None and waited < TIMEOUT:
            time.sleep(0.05)
            waited += 0.05
        assert (root / "MARK").exists(), "the run never reached the marker"
        process.send_signal(signum)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return Ran(process.returncode, out, err)


CASES = '''
import time

from thinking_tests import test


@test
def first():
    print("FIRST-RAN")


@test
def second():
    assert False, "SECOND-FAILS"


@test
def sleeper():
    open("MARK", "w").close()
    time.sleep(30)


@test
def never():
    print("NEVER-RAN")
'''


SIGNALS = [signal.SIGTERM, signal.SIGINT]


@test("SIGTERM or SIGINT during a case: exit 2, JUnit XML and HTML complete with the finished cases", params=SIGNALS)
def signal_during_case(signum: int) -> None:
    root = project({"test/test_cases.py": CASES})
    ran = signalled(root, ("-m", "test.run_all", "-v"), signum)
    assert ran.code == 2, ran
    assert ran.counts == (1, 2, 0), ran
    assert "NEVER-RAN" not in ran.stdout and "internal error" not in ran.output, ran
    cases = junit(root / "reports" / "junit.xml")
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_cases::first": "passed",
        "test.test_cases::second": "failure",
        "test.test_cases::sleeper": "error",
    }, sorted(cases)
    inert((root / "reports" / "report.html").read_text(encoding="utf-8"))


@test(
    "interrupted under the pytest engine or plain pytest: the running case is an error, what never ran is counted",
    params=[
        (("-m", "test.run_all", "--backend", "pytest"), signal.SIGINT),
        (("-m", "test.run_all", "--backend", "pytest"), signal.SIGTERM),
        (("-m", "pytest", "-p", "no:cacheprovider"), signal.SIGINT),
    ],
    ids=["engine-SIGINT", "engine-SIGTERM", "plain-pytest-SIGINT"],
)
def signal_under_pytest(args: tuple[str, ...], signum: int) -> None:
    root = project({"test/test_cases.py": CASES})
    ran = signalled(root, args, signum)
    assert ran.code == 2, ran
    assert "NEVER-RAN" not in ran.stdout and "internal error" not in ran.output, ran
    tree = ET.parse(root / "reports" / "junit.xml")
    cases = junit(root / "reports" / "junit.xml")
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_cases::first": "passed",
        "test.test_cases::second": "failure",
        "test.test_cases::sleeper": "error",
    }, sorted(cases)
    error = cases["test.test_cases::sleeper"].find("error")
    assert error is not None and error.get("message") == "interrupted", ET.tostring(error or tree.getroot())
    # The traceback starts in the case, not in pytest's machinery.
    assert "test_cases.py" in (error.text or "") and "_pytest" not in (error.text or ""), error.text
    properties = {p.get("value") for p in tree.iter("property")}
    assert "partial run: 1 not run" in properties, properties
    inert((root / "reports" / "report.html").read_text(encoding="utf-8"))


SLOW_IMPORT = '''
import time

open("MARK", "w").close()
time.sleep(30)
'''


@test("SIGTERM or SIGINT during collection: exit 2, JUnit XML and HTML say the run was interrupted", params=SIGNALS)
def signal_during_collection(signum: int) -> None:
    root = project({"test/test_a.py": ONE_CASE["test/test_a.py"], "test/test_slow.py": SLOW_IMPORT})
    ran = signalled(root, ("-m", "test.run_all"), signum)
    assert ran.code == 2, ran
    assert "Traceback" not in ran.output, ran
    assert ran.counts == (0, 0, 0), ran
    ET.parse(root / "reports" / "junit.xml")  # complete, well-formed
    assert junit(root / "reports" / "junit.xml") == {}
    page = inert((root / "reports" / "report.html").read_text(encoding="utf-8"))
    assert "interrupted" in "".join(page.text).lower(), "".join(page.text)[:2000]


# __test__.py runs in the runner's process before the run: it slows down one report writer
# (the JUnit XML writer on the final report, or coverage's XML report) so that a signal sent
# once MARK appears lands while the reports are being written.
SLOW_WRITER = {
    "junit": '''
import time

import thinking_tests.reports.junit_xml as junit_xml

_write = junit_xml.write


def write(run, path, **options):
    if len(run.cases) > 1:  # the final report, not the stand-in written at the start
        open("MARK", "w").close()
        time.sleep(3)
    return _write(run, path, **options)


junit_xml.write = write
''',
    "coverage": '''
import time

import coverage

config.coverage.enabled = True
config.coverage.omit = []
_xml_report = coverage.Coverage.xml_report


def xml_report(self, *args, **kwargs):
    open("MARK", "w").close()
    time.sleep(3)
    return _xml_report(self, *args, **kwargs)


coverage.Coverage.xml_report = xml_report
''',
}
TWO_CASES = {"test/test_a.py": "from thinking_tests import test\n\n\n@test\ndef a():\n    pass\n\n\n@test\ndef b():\n    pass\n"}


@test(
    "SIGTERM or SIGINT while the reports are written (JUnit XML, coverage's): exit 2, JUnit XML and HTML complete",
    params=[(phase, signum) for phase in SLOW_WRITER for signum in SIGNALS],
    ids=[f"{phase}-{signal.Signals(signum).name}" for phase in SLOW_WRITER for signum in SIGNALS],
)
def signal_during_reports(phase: str, signum: int) -> None:
    root = project(TWO_CASES, config=SLOW_WRITER[phase])
    ran = signalled(root, ("-m", "test.run_all"), signum)
    assert ran.code == 2, ran
    assert "internal error" not in ran.output and "Traceback" not in ran.output, ran
    assert ran.counts == (2, 0, 0), ran
    cases = junit(root / "reports" / "junit.xml")
    assert {name: kind(case) for name, case in cases.items()} == {
        "test.test_a::a": "passed",
        "test.test_a::b": "passed",
    }, cases
    page = (root / "reports" / "report.html").read_text(encoding="utf-8")
    inert(page)
    assert "did not finish" not in page, "the HTML report is still the stand-in"


@test(
    "[tool.thinking-tests] is read in every TOML spelling",
    params=[
        '[tool.thinking-tests.reports]\ndirectory = "out"\n',
        '[tool."thinking-tests".reports]\ndirectory = "out"\n',
        "[tool.'thinking-tests']\nreports = { directory = \"out\" }\n",
        'tool = { "thinking-tests" = { reports = { directory = "out" } } }\n',
        'tool."thinking-tests".reports.directory = "out"\n',
        '[tool]\n"thinking-tests".reports.directory = "out"\n',
    ],
)
def pyproject_spellings(toml: str) -> None:
    root = project({**ONE_CASE, "pyproject.toml": toml}, config=None)
    ran = run(*CLI, "test", cwd=root)
    assert ran.code == 0, ran
    assert (root / "out" / "junit.xml").is_file(), sorted(root.iterdir())
    assert not (root / "reports").exists(), sorted(root.iterdir())


@test(
    "unknown and dunder keys in [tool.thinking-tests] are refused with the valid names",
    params=[
        ('[tool.thinking-tests]\n__class__ = 1\n', "config.__class__"),
        ('[tool.thinking-tests.__class__]\nbackend = "pytest"\n', "config.__class__"),
        ('[tool.thinking-tests.reports]\n__init__ = 1\n', "config.reports.__init__"),
        ('[tool.thinking-tests]\nbackendd = "pytest"\n', "config.backendd"),
        ('[tool.thinking-tests.coverage]\nsorce = ["x"]\n', "config.coverage.sorce"),
    ],
)
def pyproject_unknown_keys(toml: str, named: str) -> None:
    root = project({**ONE_CASE, "pyproject.toml": toml}, config=None)
    ran = run(*CLI, "test", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert f"unknown setting '{named}'" in sentence and "known: " in sentence, sentence
    from thinking_tests.config import Config

    assert Config().backend == "unittest"  # nothing was patched (in this process either)


@test(
    "a usage error of any subcommand exits 4 with one sentence",
    params=["merge", "report --bogus", "init --bogus", "merge a --bogus"],
)
def subcommand_usage(args: str) -> None:
    root = project(ONE_CASE)
    ran = run(*CLI, *args.split(), cwd=root)
    assert ran.code == 4, ran
    one_sentence(ran)


@test("an option pytest does not know in config.pytest_args exits 4, naming the setting")
def bad_pytest_args() -> None:
    root = project(ONE_CASE, config='config.backend = "pytest"\nconfig.pytest_args = ["--no-such-option"]\n')
    ran = run(*CLI, "test", cwd=root)
    assert ran.code == 4, ran
    assert "config.pytest_args" in ran.output and "Traceback" not in ran.output, ran


@test("-k nested 5,000 parentheses deep: exit 4, one sentence")
def deep_keyword() -> None:
    root = project(ONE_CASE)
    ran = run(*CLI, "test", "-k", "(" * 5000 + "a" + ")" * 5000, cwd=root)
    assert ran.code == 4, ran
    assert "nests too deeply" in one_sentence(ran), ran


if __name__ == "__main__":
    run_current_module()
