"""Reports plug in through the entry-point group `thinking_tests.reports`: the built-in ones
are declared there and found without it; a report of another package, installed with pip
into a folder of its own, is turned on by `config.reports.plugins` and written."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path

from test.engines._helpers import run_with
from test.reports._e2e_helpers import project, temporary
from test.support import REPO, RUN_ALL
from thinking_tests import fixture, run_current_module, test

# A third party's report: one line per case, and whether it was given max_output.
PLUGIN = '''
def write(results, path, *, max_output=0):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"max_output={max_output}\\n")
        for case in results.cases:
            handle.write(f"{case.id} {case.outcome.value}\\n")


def plain(results, path):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"{len(results.cases)} cases\\n")


def broken(results, path):
    raise RuntimeError("the plug-in broke")
'''

PLUGIN_PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "tt-report-demo"
version = "1.0"

[project.entry-points."thinking_tests.reports"]
demo = "tt_report_demo:write"
plain = "tt_report_demo:plain"
broken = "tt_report_demo:broken"
missing = "tt_report_demo_gone:write"

[tool.hatch.build.targets.wheel]
packages = ["tt_report_demo"]
"""

TESTS = {
    "test/__init__.py": "",
    "test/run_all.py": RUN_ALL,
    "test/test_x.py": """
        from thinking_tests import run_current_module, test

        @test
        def ok():
            open("ran.txt", "a").close()

        @test(skip="later")
        def later():
            pass

        if __name__ == "__main__":
            run_current_module()
    """,
}


@fixture(scope="module")
def site() -> Iterator[Path]:
    """tt-report-demo installed with pip into a folder of its own (no index, no network)."""
    folder = Path(tempfile.mkdtemp(prefix="tt-report-site-"))
    source = temporary("tt-report-src-")
    (source / "pyproject.toml").write_text(textwrap.dedent(PLUGIN_PYPROJECT))
    (source / "tt_report_demo").mkdir()
    (source / "tt_report_demo" / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--disable-pip-version-check", "--target", str(folder), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, f"pip could not install the demo report:\n{done.stdout}\n{done.stderr}"
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@test("the built-in reports declared in pyproject.toml load the writers a run finds without them")
def declared_built_ins() -> None:
    from importlib.metadata import EntryPoint

    from thinking_tests.reports import BUILT_IN, GROUP

    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    group = declared["project"]["entry-points"][GROUP]
    assert sorted(group) == sorted(BUILT_IN), (group, BUILT_IN)
    for name, value in group.items():
        loaded = EntryPoint(name, value, GROUP).load()
        assert loaded is importlib.import_module(BUILT_IN[name]).write, (name, value)
    # Installed from this checkout, the metadata says the same (an older install may not).
    from importlib.metadata import entry_points

    installed = {entry.name: entry.value for entry in entry_points(group=GROUP) if entry.name in BUILT_IN}
    assert not installed or installed == group, (installed, group)


@test("a report of an installed package, named in config.reports.plugins, is written")
def writes_plugin(site: Path) -> None:
    root = project(TESTS, config='config.reports.plugins = {"demo": "demo.txt", "plain": "out/plain.txt"}\n')
    ran = run_with(site, "-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    lines = (root / "reports" / "demo.txt").read_text(encoding="utf-8").splitlines()
    assert lines == ["max_output=1048576", "test.test_x::ok passed", "test.test_x::later skipped"], lines
    assert (root / "reports" / "out" / "plain.txt").read_text(encoding="utf-8") == "2 cases\n"
    assert "demo report: reports/demo.txt" in ran.stdout, ran
    assert (root / "reports" / "junit.xml").is_file() and (root / "reports" / "report.html").is_file()


@test("pyproject.toml names a plug-in in [tool.thinking-tests.reports.plugins]")
def plugin_from_pyproject(site: Path) -> None:
    files = {
        **TESTS,
        "pyproject.toml": "[tool.thinking-tests.reports.plugins]\ndemo = \"demo.txt\"\n"
        "[tool.thinking-tests.coverage]\nenabled = false\n",
    }
    root = project(files, config=None)
    ran = run_with(site, "-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    assert (root / "reports" / "demo.txt").is_file(), ran


@test(
    "a plug-in name that is unknown, built in or cannot be loaded is one sentence before anything runs",
    params=[
        ('{"nosuch": "x.txt"}', "'nosuch', which no installed package provides (installed reports: broken, demo, html, json, junit_xml, missing, plain)"),
        ('{"html": "x.html"}', "names a built-in report: set config.reports.html instead"),
        ('{"missing": "x.txt"}', "the report plug-in 'missing' (tt_report_demo_gone:write) cannot be loaded: ModuleNotFoundError"),
        ('{"demo": ""}', "config.reports.plugins['demo'] is empty"),
        ('{"demo": "junit.xml"}', "both name 'junit.xml'"),
        ('["demo"]', "config.reports.plugins must be a dict of report name to path"),
    ],
    ids=["unknown", "built-in", "unloadable", "empty", "taken", "not-a-dict"],
)
def refused(plugins: str, said: str, site: Path) -> None:
    root = project(TESTS, config=f"config.reports.plugins = {plugins}\n")
    ran = run_with(site, "-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    assert said in ran.output, ran
    assert "Traceback" not in ran.output, ran
    assert not (root / "ran.txt").exists(), "a case ran"


@test("without the package installed, the unknown name lists the built-in reports")
def unknown_without_site() -> None:
    root = project(TESTS, config='config.reports.plugins = {"demo": "demo.txt"}\n')
    ran = run_with(None, "-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    assert "(installed reports: html, json, junit_xml)" in ran.output, ran
    assert not (root / "ran.txt").exists(), "a case ran"


@test("a plug-in that raises is a report not written: the others are, and the run says so (exit 4)")
def plugin_raises(site: Path) -> None:
    root = project(TESTS, config='config.reports.plugins = {"broken": "b.txt", "demo": "demo.txt"}\n')
    ran = run_with(site, "-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    assert "could not write the broken report" in ran.stdout and "RuntimeError: the plug-in broke" in ran.stdout, ran
    assert "Traceback" not in ran.output, ran
    assert ran.counts == (1, 0, 1), ran
    for name in ("junit.xml", "report.html", "demo.txt"):
        assert (root / "reports" / name).is_file(), name
    assert (root / "ran.txt").exists()


@test("a run without plug-ins never reads the installed distributions' metadata")
def no_scan_by_default(site: Path) -> None:
    probe = (
        'import atexit, sys\n'
        'config.reports.json = "report.json"\n'
        'atexit.register(lambda: open("modules.txt", "w").write("\\n".join(sorted(sys.modules))))\n'
    )
    root = project(TESTS, config=probe)
    ran = run_with(site, "-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    modules = (root / "modules.txt").read_text().split()
    assert "thinking_tests.reports.ctrf" in modules, "the probe saw no report written"
    assert "importlib.metadata" not in modules and "thinking_tests.reports.plugins" not in modules, ran


if __name__ == "__main__":
    run_current_module()
