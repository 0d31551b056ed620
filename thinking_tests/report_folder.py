"""What a run does to its report folder, start to end: holds it (one run at a time); puts
failing stand-ins on its report paths until the run writes its own reports; keeps the last
run's reports while they may have to be put back; and lets go of it.

Used by a run of our own (`session`) and by plain pytest with our reports (`pytest_reports`).
"""

from __future__ import annotations

from pathlib import Path

from thinking_tests.inprogress import LastReports, ReportLock, write_stand_ins
from thinking_tests.model import RunResult
from thinking_tests.run_reports import report_directory, report_writers


class ReportFolder:
    """The report folder of one run, held from `hold` to `let_go`."""

    def __init__(self, root: Path, hint: str = "give this run a folder of its own with --report-dir") -> None:
        self.root = root
        self.hint = hint  # how else to run now, said when the folder is busy
        self.lock: ReportLock | None = None
        self.kept: LastReports | None = None  # the last run's reports, to put back

    def hold(self) -> None:
        """The folder's lock taken; ReportFolderBusy when another run holds it."""
        lock = ReportLock(report_directory(self.root), self.hint)
        lock.acquire()
        self.lock = lock

    def put_stand_ins(
        self, stand_in: RunResult, keep: list[Path] | None = None, pytest_junitxml: Path | None = None
    ) -> list[str]:
        """A stand-in on every report path; a line for each that could not be written.
        `keep`: files kept with the last run's reports, for a run that may yet put them back
        (`put_back`). A report on the path of pytest's own `--junitxml` is left to pytest."""
        named = [
            (path, write)
            for _, path, write in report_writers(self.root)
            if pytest_junitxml is None or path.resolve() != pytest_junitxml
        ]
        if keep is not None:
            self.kept = LastReports([path for path, _ in named] + keep)
        problems = write_stand_ins(stand_in, named)
        return [f"thinking-tests: could not replace the last run's report {problem}" for problem in problems]

    def put_back(self) -> None:
        """The last run's reports put back: the run selected nothing, or its engine refused
        its command line."""
        if self.kept is not None:
            self.kept.restore()

    def let_go(self) -> None:
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()
