"""Coverage of one run with coverage.py: started before test modules are imported.

Imported only when coverage is on, so runs without it never pay for importing coverage.
It measures the code under test: unless a source, include or omit setting says otherwise
(ours or coverage.py's own [run] configuration), the test packages are left out, so the
total that `fail_under` checks is not raised by the tests covering themselves.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.config import CONFIG_FILE_NAMES, CoverageSettings, ReportSettings
from thinking_tests.model import CaseResult, CoverageSummary
from thinking_tests.paths import reason

if TYPE_CHECKING:
    from thinking_tests.items import Target

# Folders whose files are tests wherever they sit below the repository root, and the file
# names of tests: pytest's default test modules, conftest.py, the run_all.py runners, and
# the settings files of a run.
TEST_FOLDERS = ("test", "tests")
TEST_FILES = ("test_*.py", "*_test.py", "conftest.py", "run_all.py", *CONFIG_FILE_NAMES)
# What the interpreter imports at start-up from wherever it is configured to (site.py).
_INTERPRETER_SETUP = ("sitecustomize.py", "usercustomize.py")


class CoverageRun:
    def __init__(
        self,
        settings: CoverageSettings,
        reports: ReportSettings,
        root: Path,
        targets: Iterable[Target] = (),
    ) -> None:
        """`targets` are what the run collects tests from (the test packages and modules),
        left out of the measurement with the test folders found under `root`."""
        import coverage

        self.settings = settings
        self.reports = reports
        self.root = root
        # Work for the time this process waits on the child writing the HTML pages (see
        # report); done then, or by whoever calls `report` no more.
        self.meanwhile: Callable[[], None] | None = None
        from thinking_tests.affected import data_file as data_path

        self.directory = reports.folder(root)
        data_file = data_path(settings, reports, root)
        data_file.parent.mkdir(parents=True, exist_ok=True)
        self.options: dict[str, object] = dict(
            config_file=True,  # coverage's own search: .coveragerc, setup.cfg, pyproject
            data_file=str(data_file),
            source=list(settings.source) if settings.source else None,
            branch=True if settings.branch else None,  # None: .coveragerc / [tool.coverage] decide
            include=list(settings.include) if settings.include else None,
            # None: coverage.py's own configuration decides; [] (set on purpose) omits nothing.
            omit=list(settings.omit) if settings.omit is not None else None,
        )
        rc: str | None = None
        if settings.subprocess and not _has_coverage_config(Path.cwd()):
            # Measuring subprocesses wants a configuration file to have been read (it hands
            # the settings on in the environment, not the file): an empty one, read and gone.
            import tempfile

            handle, rc = tempfile.mkstemp(prefix="thinking-tests-", suffix=".coveragerc")
            os.write(handle, b"[run]\n")
            os.close(handle)
        try:
            self.coverage = coverage.Coverage(**{**self.options, "config_file": rc or True})  # type: ignore[arg-type]
        finally:
            if rc is not None:
                os.unlink(rc)
        omit = self._scope(targets)
        self.options["omit"] = omit or None  # the combined data and the HTML child use it too
        self.coverage.set_option("run:omit", omit)
        if settings.subprocess:
            # Python subprocesses started by tests are measured too; stop() combines them.
            self.coverage.set_option("run:patch", ["subprocess"])
            # Every process writes its own data file; stop() combines them into one.
            self.coverage.set_option("run:parallel", True)
        # A source package the run never imports is worth a note, not a warning on stderr.
        self.coverage.set_option(
            "run:disable_warnings",
            ["no-data-collected", "module-not-imported", "module-not-measured"],
        )

    def _scope(self, targets: Iterable[Target]) -> list[str]:
        """The omit patterns of this run: the configured ones (ours, else coverage.py's own),
        then the runner itself when no source is given, then the tests when no setting says
        what to measure."""
        option = self.coverage.get_option
        omit = [str(p) for p in option("run:omit") or ()]  # type: ignore[union-attr]
        measured = option("run:source") or option("run:source_pkgs")
        chosen = measured or option("run:include") or omit or self.settings.omit is not None
        if not measured:
            # The test runner is no code under test, nor is the interpreter's own set-up
            # (a Linux distribution's /etc/python3.X/sitecustomize.py), but both are measured
            # like any code not installed in site-packages; so is the HTML report's template,
            # whose compiled code jinja2 names after it (in a checkout it is `templates/`
            # beside the package, not inside it).
            package = os.path.dirname(os.path.abspath(__file__))
            omit.append(os.path.join(package, "*"))
            omit.append(os.path.join(os.path.dirname(package), "templates", "*"))
            omit.extend(os.path.join("*", name) for name in _INTERPRETER_SETUP)
        self.tests_left_out = not chosen
        if not chosen:
            omit.extend(test_patterns(self.root, targets))
        return omit

    def start(self) -> None:
        self.coverage.start()

    def discard(self, keep_data: bool = False) -> None:
        """Stop without keeping anything: the run's settings turned out to differ. The data
        file on disk (the last run's) is erased, unless `keep_data`: a `--resume` keeps that
        of the run it resumes."""
        self.coverage.stop()
        if not keep_data:
            self.coverage.erase()
        # Leave no trace of the discarded start: a refused run, or one whose __test__.py
        # moves the reports, must not leave a default reports/ folder behind.
        rc_file = self.options.get("config_file")
        if isinstance(rc_file, str):
            Path(rc_file).unlink(missing_ok=True)
        try:
            self.directory.rmdir()  # only succeeds when nothing else is in it
        except OSError:
            pass

    def add(self, data_file: Path) -> None:
        """After `stop`: the data of `data_file` (an earlier part of a resumed run) combined
        into this run's, and that file removed."""
        import coverage

        combined = coverage.Coverage(**self.options)  # type: ignore[arg-type]
        combined.load()  # this run's data first: combining into it, not over it
        combined.combine([str(data_file)], keep=False)
        combined.save()
        self.coverage = combined

    def stop(self) -> None:
        self.coverage.stop()
        self.coverage.save()
        if self.settings.subprocess:
            # One data file of this process and each subprocess: combine them into the
            # configured data file, which the reports then read.
            import coverage

            own = self.coverage.get_data().data_filename()
            combined = coverage.Coverage(**self.options)  # type: ignore[arg-type]
            if own != self.options["data_file"] and not self.coverage.get_option("paths") and os.path.isfile(own):
                # This process's data (most of it, a context per case) becomes the combined
                # file as it is, and only the subprocesses' data is merged into it: merging
                # copies row by row. Not with [paths] aliases, which combining applies.
                os.replace(own, str(self.options["data_file"]))
                combined.load()
            combined.combine(keep=False)
            combined.save()
            self.coverage = combined

    def record(self, cases: Sequence[CaseResult], start: float) -> str | None:
        """After `stop`, with a context per case: the record --affected reads next time (see
        `affected`); None, or why it could not be written."""
        from coverage.exceptions import CoverageException

        from thinking_tests.affected import record_path, write_record

        if not self.settings.contexts:
            return None
        data_file = Path(str(self.options["data_file"]))
        try:
            write_record(self.coverage.get_data(), cases, self.root, self.directory, start, record_path(data_file))
        except (CoverageException, OSError, ValueError) as error:
            return f"thinking-tests: the record of this run for --affected could not be written: {reason(error)}"
        return None

    def record_meanwhile(self, cases: Sequence[CaseResult], start: float, notes: list[str]) -> None:
        """The record of `record`, written while coverage.py writes its HTML pages (or at
        `do_meanwhile`); why it could not be, a line in `notes`."""

        def work() -> None:
            problem = self.record(cases, start)
            if problem is not None:
                notes.append(problem)

        self.meanwhile = work

    def report(self) -> tuple[bool, str, CoverageSummary | None]:
        """Write the configured coverage reports.

        Returns whether the threshold was met, one line for the terminal, and the summary.
        """
        from coverage.exceptions import CoverageException

        written: list[str] = []
        xml = html = None
        total: float | None = None
        if not self.coverage.get_data().measured_files():
            tests = "; the tests themselves are not measured" if self.tests_left_out else ""
            return True, f"coverage: no data: no measured code ran (see config.coverage.source{tests})", None
        wants_xml = self.reports.enabled and self.settings.xml is not None
        wants_html = self.reports.enabled and self.settings.html is not None
        partial: Path | None = None  # where the XML is written before its rename
        # Each report analyses every measured file again (most of its cost): with both on,
        # the HTML pages are written by a forked child while this process writes the XML.
        # coverage.py's analysis makes tens of thousands of objects and hardly any cycles: each
        # full collection meanwhile walks the whole run again for nothing (a tenth of a
        # 5,000-case run with coverage). Paused here and in the forked child.
        from thinking_tests.results import PausedCollector

        paused = PausedCollector()
        html_child = self._html_in_child() if wants_xml and wants_html else None
        try:
            if wants_xml:
                path = self._path(self.settings.xml)
                # Written beside, then renamed: a reader never sees half a report.
                partial = path.with_name(f".{path.name}.partial")
                total = self.coverage.xml_report(outfile=str(partial))
                os.replace(partial, path)
                xml = str(path)
                written.append(self._shown(path))
            if wants_html:
                path = self._path(self.settings.html)
                if html_child is not None:
                    self.do_meanwhile()  # while the child still writes the pages
                    failure = html_child()
                    if failure is not None:
                        raise CoverageException(failure)
                else:
                    total = self.coverage.html_report(directory=str(path), show_contexts=self.settings.contexts)
                html = str(path / "index.html")
                written.append(self._shown(path / "index.html"))
            if total is None:  # each report analyses every file again: reuse their total
                total = self.coverage.report(file=io.StringIO())
        except (CoverageException, OSError, ValueError) as error:
            # A report that could not be written (a folder where the XML goes, a full disk)
            # is named, and the run fails: never an internal error, never a quiet pass.
            if html_child is not None:
                html_child()  # never leave the child behind
            if partial is not None:
                partial.unlink(missing_ok=True)
            return False, f"coverage: could not write its reports: {reason(error)}", None
        finally:
            paused.resume(freeze=False)
        line = f"coverage: {total:.1f}%"
        if written:
            line += f" ({', '.join(written)})"
        summary = CoverageSummary(total, html, xml)
        threshold = self.settings.fail_under
        if threshold is not None and total < threshold:
            return False, f"{line}; under the required {threshold:g}%, so the run fails", summary
        return True, line, summary

    def do_meanwhile(self) -> None:
        work, self.meanwhile = self.meanwhile, None
        if work is not None:
            work()

    def _html_in_child(self) -> Callable[[], str | None] | None:
        """Start writing the HTML pages in a forked child (see `coverage_html`); None (write
        them here) where fork is missing or unsafe: a thread still running could hold a lock
        the child would wait on forever."""
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        from thinking_tests.coverage_html import html_in_child

        return html_in_child(self.options, str(self._path(self.settings.html)), self.settings.contexts)

    def _path(self, name: str | object) -> Path:
        path = Path(str(name))
        return path if path.is_absolute() else self.directory / path

    def _shown(self, path: Path) -> str:
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)


def _has_coverage_config(directory: Path) -> bool:
    """Whether coverage.py will find a configuration of its own in `directory`."""
    if (directory / ".coveragerc").is_file():
        return True
    for name, marker in (("setup.cfg", "[coverage:"), ("tox.ini", "[coverage:"), ("pyproject.toml", "[tool.coverage")):
        path = directory / name
        try:
            if path.is_file() and marker in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def is_test_name(name: str) -> bool:
    """A package or folder name that says it holds tests."""
    return name in (*TEST_FOLDERS, "testing") or name.startswith("test_") or name.endswith(("_test", "_tests"))


def test_patterns(root: Path, targets: Iterable[Target] = ()) -> list[str]:
    """Omit patterns for the tests of a run: each target's test package (the outermost
    package of its dotted name named like one, else the package itself, or the module
    file), the folders pytest's `testpaths` names, and, anywhere below `root`, folders named
    test or tests and the files of TEST_FILES."""
    root = Path(os.path.abspath(root))
    paths: list[tuple[Path, bool]] = [(path, path.suffix != ".py") for path in map(_test_package, targets)]
    paths += [(path, True) for path in _testpaths(root)]
    patterns: list[str] = []
    for path, is_folder in paths:
        if path == root or path in root.parents:
            continue  # the whole repository is never "the tests"
        patterns.append(os.path.join(path, "*") if is_folder else str(path))
    patterns += [os.path.join(root, "**", name, "*") for name in TEST_FOLDERS]
    patterns += [os.path.join(root, "**", name) for name in TEST_FILES]
    return list(dict.fromkeys(patterns))


def _test_package(target: Target) -> Path:
    """The folder (or file) a target's tests live in, helpers included: for `test.core`
    and for `test.core.test_x` that is the folder of `test`."""
    path = Path(os.path.abspath(target.path))
    packages = target.name.split(".")
    if target.kind == "module":
        packages, folder = packages[:-1], path.parent
    else:
        folder = path
    for depth, name in enumerate(packages):
        if is_test_name(name):
            for _ in range(len(packages) - depth - 1):
                folder = folder.parent
            return folder
    return folder if target.kind == "package" else path


def _testpaths(root: Path) -> list[Path]:
    """The folders pytest's `testpaths` setting names at the root, if any."""
    import glob

    from thinking_tests.pytest_config import read_settings

    settings = read_settings(str(root), upward=False, needed=("testpaths",))
    found: list[Path] = []
    for entry in settings.testpaths:
        pattern = entry if os.path.isabs(entry) else str(root / entry)
        found += [Path(os.path.abspath(p)) for p in sorted(glob.glob(pattern)) if os.path.isdir(p)]
    return found


def start_coverage(root: Path, targets: Sequence[Target] = ()) -> CoverageRun | None:
    """Coverage started as configured; `targets` (what the run collects tests from) are left
    out of the measurement with the other tests under `root` (see CoverageRun)."""
    from thinking_tests.config import config

    if not config.coverage.enabled:
        return None
    coverage = CoverageRun(config.coverage, config.reports, root, targets)
    coverage.start()
    return coverage
