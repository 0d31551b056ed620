"""`--isolate`: each module runs in a child process, so a crash costs only the case it hit.

A child runs exactly the selected cases of its module and writes a journal. The parent reads
that journal as it grows and hands each finished case on at once (progress on the terminal,
the parent's own journal), so an interrupted or killed child loses nothing it finished. When
a child dies (a signal, os._exit, a segfault), the case it was running becomes an error
saying so, and the cases of the module it never reached run in a fresh child: each case is
handed out once at most, so a module whose every case kills its child ends. Coverage of the
children is measured as subprocesses of the parent and combined.

Ids cross to the child as a JSON list in ASCII, so any id (line breaks, NUL, control
characters, lone surrogates) arrives exactly; every case handed over that the child does not
report back is an error saying so, never a silent drop.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from thinking_tests.engines import import_failure_result
from thinking_tests.journal import JournalError, from_json, read, read_warning
from thinking_tests.model import CaseResult, ExceptionInfo, Outcome, Stage, StageResult, error_result
from thinking_tests.select import SelectionError

if TYPE_CHECKING:
    from thinking_tests.engines import Listener
    from thinking_tests.items import Item
    from thinking_tests.options import Options
    from thinking_tests.results import Results


def modules(items: Sequence["Item"]) -> list[tuple[str, str, list["Item"]]]:
    """(module, file, items) in run order."""
    groups: dict[str, tuple[str, list[Item]]] = {}
    for item in items:
        file = getattr(item, "file", "")
        groups.setdefault(item.module, (file, []))[1].append(item)
    return [(module, file, group) for module, (file, group) in groups.items()]


def run_isolated(items: Sequence["Item"], results: "Results", options: "Options") -> bool:
    """Run each module of `items` in children; True when the run was interrupted."""
    from thinking_tests.items import ImportFailure

    with tempfile.TemporaryDirectory(prefix="thinking-tests-isolate-") as scratch:
        children = 0
        preexec = dies_with_parent()
        for module, file, group in modules(items):
            for failure in [i for i in group if isinstance(i, ImportFailure)]:
                results.finished(import_failure_result(failure))
            pending = [i for i in group if not isinstance(i, ImportFailure)]
            # Each child either finishes what it was handed or dies in one case, which is
            # never handed out again: the pending cases shrink with every child, no loop.
            while pending:
                job = Job(
                    Path(scratch), children, module, file, pending, options, worker=f"c{children}"
                )
                child = _Child(job, preexec)
                children += 1
                if child.run(results):
                    return True
                pending = child.rest
            if options.exitfirst and any(
                c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in results.cases
            ):
                break
    return False


class Job:
    """Cases of one module handed to a process (a child of its own, or a worker), and what
    became of them: each result handed on once, as it is journaled or at the end."""

    def __init__(
        self, scratch: Path, index: int, module: str, file: str, handed: Sequence["Item"],
        options: "Options", output: Path | None = None, worker: str = "",
    ) -> None:
        self.module, self.file, self.handed = module, file, list(handed)
        self.worker = worker  # the process that runs it, named in each of its results
        self.exitfirst = options.exitfirst
        self.journal = scratch / f"{index}.jsonl"
        self.output = output or scratch / f"{index}.out"
        ids = scratch / f"{index}.ids"
        write_ids(ids, [i.id for i in self.handed])
        # The command line of `python -m thinking_tests` that runs exactly these cases.
        self.arguments = [
            file or module, "--only-ids", str(ids), "--journal", str(self.journal),
            "--no-reports", "--no-coverage", "-q", "-n", "0",  # config.workers is the parent's
        ]
        if options.backend:
            self.arguments += ["--backend", options.backend]
        if options.exitfirst:
            self.arguments.append("-x")
        if options.reruns is not None:
            self.arguments += ["--reruns", str(options.reruns)]
        self.tail = _Tail(self.journal)
        self.streamed: Counter[str] = Counter()  # ids of the results handed on so far
        self.rest: list["Item"] = []  # cases never reached by a process that died: run them again

    def stream(self, results: "Listener") -> None:
        """Hand on the case records the journal gained; any other line waits for the whole
        reading at the process's end, which warns of the unreadable ones."""
        for line in self.tail.lines():
            try:
                record = json.loads(line.decode("utf-8"))
                if not isinstance(record, dict) or record.get("kind") != "case":
                    continue
                case = from_json(record)
            except (ValueError, RecursionError):  # UnicodeDecodeError and JSON errors too
                continue
            self.streamed[case.id] += 1
            results.finished(self.marked(case))

    def ended(self, returncode: int, results: "Listener", dead: bool = False) -> None:
        """The process ended the job with `returncode` (its exit code, or how it died; `dead`:
        it ended before the job did): every result not handed on yet is; `rest` says what
        to run again."""
        self.stream(results)
        self.tail.close()
        self.hand_on(self.results(returncode, dead), results)

    def interrupted(self, results: "Listener") -> None:
        """The run was interrupted: what the process journaled is kept, nothing more."""
        self.stream(results)
        self.tail.close()
        self.hand_on(self.journaled(), results)

    def hand_on(self, cases: Sequence[CaseResult], results: "Listener") -> None:
        """Hand on the results not streamed already: errors for cases the process never
        reported, and records only the whole reading makes out."""
        left = Counter(self.streamed)
        for case in cases:
            if left[case.id] > 0:
                left[case.id] -= 1
                continue
            results.finished(self.marked(case))

    def marked(self, case: CaseResult) -> CaseResult:
        """`case` naming the process that ran it."""
        if not self.worker or case.worker:
            return case
        from dataclasses import replace

        return replace(case, worker=self.worker)

    def journaled(self) -> Sequence[CaseResult]:
        try:
            return read(self.journal).cases
        except JournalError:
            return ()

    def results(self, returncode: int, dead: bool = False) -> list[CaseResult]:
        """Every result of the cases handed over; sets `rest` to those to run again."""
        code = f"signal {-returncode}" if returncode < 0 else f"code {returncode}"
        output = _end_of(self.output)
        module = self.module
        try:
            run = read_warning(self.journal)
        except JournalError:
            # The process died before it could record anything: every case it was given is lost.
            message = f"the child process for {module} ended with {code} before running a case"
            return [_unreported(item, self.file, message, output) for item in self.handed]
        cases = list(run.cases)
        died = dead or returncode < 0 or (run.interrupted and returncode not in (0, 1, 2))
        reported = {case.id for case in cases}
        unreported = [item for item in self.handed if item.id not in reported]
        if died:
            dead = [c for c in cases if _died_in(c)]
            cases = [_with_code(c, code) if _died_in(c) else c for c in cases]
            if dead:
                # Only the case it died in is lost: the ones after it get a fresh process,
                # unless the run stops at the first failure (then the rest did not run).
                if not self.exitfirst:
                    self.rest = unreported
                return cases
            message = f"never ran: the child process for {module} ended with {code} before it"
        else:
            message = f"the child process for {module} (exit {code}) never reported this case"
            stopped = any(c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in cases)
            if self.exitfirst and stopped and returncode == 1:
                return cases
        cases.extend(_unreported(item, self.file, message, output) for item in unreported)
        return cases


class _Child:
    """One child process of its own running a job, its results streamed."""

    def __init__(self, job: Job, preexec: Callable[[], None] | None = None) -> None:
        self.job = job
        self.preexec = preexec
        self.command = [sys.executable, "-m", "thinking_tests", *job.arguments]

    @property
    def rest(self) -> list["Item"]:
        return self.job.rest

    def run(self, results: "Listener") -> bool:
        """Run the child, handing each case it finishes to `results` as it finishes; True
        when the run was interrupted meanwhile (what the child finished is kept)."""
        job = self.job
        with job.output.open("wb") as output:
            process = start(self.command, output, self.preexec)
            try:
                while True:
                    try:
                        process.wait(timeout=_POLL)
                        break
                    except subprocess.TimeoutExpired:
                        job.stream(results)
            except KeyboardInterrupt:
                stop(process)
                job.interrupted(results)
                return True
            except BaseException:
                stop(process)
                job.tail.close()
                raise
        job.ended(process.returncode, results)
        return False


def start(
    command: list[str], output: BinaryIO, preexec: Callable[[], None] | None, stdin: int | None = None,
) -> "subprocess.Popen[bytes]":
    """A child process whose output goes to `output`, in its own process group: a Ctrl-C
    at the terminal reaches the parent alone, which passes it on once (a second one would
    make the child exit without its record)."""
    return subprocess.Popen(
        command, stdin=subprocess.DEVNULL if stdin is None else stdin, stdout=output,
        stderr=subprocess.STDOUT, process_group=0 if os.name == "posix" else None,
        preexec_fn=preexec,
    )


# How often the parent looks for new results of a running child, in seconds: often enough
# for the terminal to look live, seldom enough to cost nothing.
_POLL = 0.05
# How long a child may take to record its interrupted case and exit after Ctrl-C.
_GRACE = 10.0


def stop(process: "subprocess.Popen[bytes]") -> None:
    """Interrupt a child as Ctrl-C would, once; kill it if it will not end (or on a second
    Ctrl-C meanwhile)."""
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=_GRACE)
    except (subprocess.TimeoutExpired, KeyboardInterrupt, ValueError, OSError):
        # ValueError: no SIGINT to send on Windows
        process.kill()
        process.wait()


def dies_with_parent() -> Callable[[], None] | None:
    """On Linux, what makes a child end when the parent does: a child in its own process
    group outlives a parent killed outright (SIGKILL, a second Ctrl-C), and would run the
    rest of its module unseen."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def in_child() -> None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before that took effect
            os._exit(1)

    return in_child


class _Tail:
    """The complete lines a file gains while another process appends to it: a line not yet
    ended by a line feed is kept back until it is (it is being written, not torn)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: BinaryIO | None = None
        self.partial = b""

    def lines(self) -> list[bytes]:
        if self.file is None:
            try:
                self.file = self.path.open("rb")
            except OSError:
                return []  # not created yet
        data = self.file.read()
        if not data:
            return []
        *complete, self.partial = (self.partial + data).split(b"\n")
        return complete

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _end_of(path: Path, lines: int = 15) -> str:
    """The last lines of a child's output, for the errors of cases it did not report."""
    try:
        with path.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - 16384))
            text = file.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:]) + "\n"


def _died_in(case: CaseResult) -> bool:
    """Whether a result is the journal's error for the case a dead process was running."""
    return bool(case.stages) and case.stages[-1].exception is not None and (
        case.stages[-1].exception.type_name == "ProcessDied"
    )


def write_ids(path: Path, ids: Sequence[str]) -> None:
    """Case ids for a child's `--only-ids`: JSON escapes every character outside printable
    ASCII, lone surrogates included, so each id reads back exactly."""
    path.write_text(json.dumps(list(ids), ensure_ascii=True), encoding="ascii")


def read_ids(path: str | Path) -> set[str]:
    """The ids `write_ids` wrote."""
    try:
        ids = json.loads(Path(path).read_text(encoding="ascii"))
    except (OSError, ValueError) as error:
        raise SelectionError(f"--only-ids {str(path)!r} cannot be read: {error}") from None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise SelectionError(f"--only-ids {str(path)!r} holds no JSON list of case ids")
    return set(ids)


def _unreported(item: "Item", file: str, message: str, output: str) -> CaseResult:
    """An error for a case handed to a child that did not report it; the traceback holds
    the end of the child's output, which says why."""
    import time

    info = ExceptionInfo("ProcessDied", message, output if output.strip() else message + "\n")
    return error_result(
        item.id, item.module, item.name, info, message,
        file=getattr(item, "file", "") or file, line=getattr(item, "line", 0), start=time.time(),
    )


def _with_code(case: CaseResult, code: str) -> CaseResult:
    from dataclasses import replace

    message = f"{case.message} ({code})"
    info = ExceptionInfo("ProcessDied", message, message + "\n")
    return replace(case, message=message, stages=(StageResult(Stage.RUN, False, 0.0, info),))
