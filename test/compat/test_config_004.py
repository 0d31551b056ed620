"""0.0.4's test_config switches: `enabled = False` turns reports off; anything else is one sentence."""

from __future__ import annotations

from pathlib import Path

from test.compat._helpers import project, run
from thinking_tests import run_current_module, test
from thinking_tests.configure import turns_coverage_off

SUITE = {
    "tests/__init__.py": "",
    "tests/test_a.py": "from thinking_tests import test\n\n@test\ndef a(): pass\n",
}
HEAD = "from thinking_tests.running.test_config import test_config\n"


@test("unittest.enabled = False and coverage.enabled = False leave no report behind")
def all_off() -> None:
    root = project({
        **SUITE,
        "__test__.py": HEAD + "test_config.unittest.enabled = False\ntest_config.coverage.enabled = False\n",
    })
    ran = run("-m", "thinking_tests", "tests", cwd=root)
    assert ran.counts == (1, 0, 0), ran
    written = {p.name for p in (root / "reports").iterdir()} if (root / "reports").exists() else set()
    assert not written & {"junit.xml", "report.html", ".coverage", "coverage.xml", "coverage-html"}, written


@test("the single-report switches turn off only their report")
def some_off() -> None:
    root = project({
        **SUITE,
        "__test__.py": HEAD + (
            "test_config.unittest.html_report_enabled = False\n"
            "test_config.coverage.xml_report_enabled = False\n"
            "test_config.coverage.html_report_dir = None\n"
        ),
    })
    ran = run("-m", "thinking_tests", "tests", cwd=root)
    assert ran.counts == (1, 0, 0), ran
    reports = root / "reports"
    assert (reports / "junit.xml").is_file() and (reports / ".coverage").is_file(), ran
    assert not (reports / "report.html").exists() and not (reports / "coverage.xml").exists(), ran
    assert not (reports / "coverage-html").exists(), ran


@test("switching a report on with True is refused in one sentence naming the setting")
def true_refused() -> None:
    root = project({**SUITE, "__test__.py": HEAD + "test_config.coverage.enabled = True\n"})
    ran = run("-m", "thinking_tests", "tests", cwd=root)
    assert ran.code == 4, ran
    assert "test_config.coverage.enabled can only be set to False" in ran.output, ran
    assert "Traceback" not in ran.output, ran


@test("an absolute report path stays as given; a relative one resolves against __test__.py's folder")
def absolute_and_relative(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "tests.xml"
    root = project({
        **SUITE,
        "__test__.py": HEAD + f"test_config.unittest.xml_report_path = {str(target)!r}\n"
        "test_config.coverage.enabled = False\n"
        "assert test_config.unittest.xml_report_path == " + repr(str(target)) + "\n"
        "test_config.unittest.html_report_path = 'html/tests.html'\n",
    })
    ran = run("-m", "thinking_tests", "test_a.py", cwd=root / "tests")  # started below the root
    assert ran.counts == (1, 0, 0), ran
    assert target.is_file() and (root / "html" / "tests.html").is_file(), ran


@test("0.0.4's ways of turning coverage off are seen before __test__.py runs (coverage never starts)")
def coverage_off_read(tmp_path: Path) -> None:
    for text, off in [
        ("test_config.coverage.enabled = False", True),
        ("test_config.coverage.binary_report_enabled = False", True),
        ("test_config.coverage.binary_report_path = None", True),
        ("test_config.coverage.binary_report_path = 'x/.coverage'", False),
        ("test_config.coverage.enabled = False\ntest_config.coverage.binary_report_path = 'b'", False),
    ]:
        file = tmp_path / "__test__.py"
        file.write_text(HEAD + text + "\n")
        assert turns_coverage_off(file) is off, text


if __name__ == "__main__":
    run_current_module()
