"""`-n N`: whole modules run in N long-lived worker processes, each case streamed as it ends.

A worker is `python -m thinking_tests.worker`. It reads jobs on its standard input, one JSON
line each: the command line of `python -m thinking_tests` for the selected cases of one
module (an --isolate job: `--only-ids`, its own journal, no reports) and a file to write the
job's exit code to. It runs them one after the other in the same process and ends at the end
of its input. The parent tails each job's journal and hands every finished case on at once
(the terminal, the run's journal), as --isolate does.

Modules are handed out whole from one queue in run order, so module fixtures and setUpModule
keep their meaning (a session fixture is set up once per module, as under --isolate). A
worker that dies costs only the case it was running, an error naming its signal or exit
code; the rest of that module goes first in the queue, for a fresh worker. At the end the
results are put back in run order: the reports list the cases as a serial run does.

Coverage: workers are Python subprocesses of the run, measured and combined as --isolate's
children are (config.coverage.subprocess).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from thinking_tests.isolate import Job, dies_with_parent, modules, start, stop
from thinking_tests.usage import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from thinking_tests.items import Item
    from thinking_tests.model import CaseResult
    from thinking_tests.options import Options
    from thinking_tests.results import Results

# How often the parent looks at its busy workers, in seconds: a finished module's worker
# gets the next one within this, and the terminal looks live.
_TICK = 0.01
# How long workers may take to end once their input ends (coverage saves its data then).
_END = 60.0


def count(text: str) -> int:
    """The number of workers `-n` (or config.workers) asks for: "auto" is one per core."""
    if text == "auto":
        return max(1, os.cpu_count() or 1)
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"-n takes a number of workers or auto, not {text!r}") from None
    if number < 0:
        raise ValueError(f"-n takes 0 or more workers, not {number}")
    return number


def wanted(option: int | None, setting: int | str | None) -> int:
    """Workers for this run: the command line's `-n`, else config.workers; 0 runs in-process."""
    if option is not None:
        return option
    if setting is None:
        return 0
    return count(str(setting))


def to_xdist(workers: int, pytest_args: list[str]) -> list[str]:
    """The pytest engine's arguments with `-n` handed to pytest-xdist."""
    import importlib.util

    if importlib.util.find_spec("xdist") is None:
        raise UsageError(
            f"-n {workers} under the pytest engine needs pytest-xdist: pip install pytest-xdist"
        )
    return [*pytest_args, "-n", str(workers)]


def run_workers(items: "Sequence[Item]", results: "Results", options: "Options", workers: int) -> bool:
    """Run the modules of `items` in `workers` worker processes; True when interrupted."""
    from thinking_tests.engines import import_failure_result
    from thinking_tests.items import ImportFailure

    order = _Order(items, results)
    queue: deque[tuple[str, str, list[Item]]] = deque()
    for module, file, group in modules(items):
        first = order.index[group[0].id]
        for failure in [i for i in group if isinstance(i, ImportFailure)]:
            order.listener(first).finished(import_failure_result(failure))
        pending = [i for i in group if not isinstance(i, ImportFailure)]
        if pending:
            queue.append((module, file, pending))
    try:
        with tempfile.TemporaryDirectory(prefix="thinking-tests-workers-") as scratch:
            pool = _Pool(Path(scratch), max(1, workers), options, order)
            return pool.run(queue)
    finally:
        order.sort()


class _Order:
    """Each result's place in run order, to sort them back into it at the end: a case's own
    place among the items, or (a result of no item, say a setUpClass error) just after the
    result its worker handed on before it."""

    def __init__(self, items: "Sequence[Item]", results: "Results") -> None:
        self.index: dict[str, int] = {}
        for position, item in enumerate(items):
            self.index.setdefault(item.id, position)
        self.results = results
        self.keys: dict[int, tuple[int, int]] = {}

    def listener(self, first: int) -> "_InOrder":
        return _InOrder(self, first)

    def sort(self) -> None:
        last = (len(self.index), 0)
        self.results.cases.sort(key=lambda case: self.keys.get(id(case), last))


class _InOrder:
    """The listener of one job: hands each result on and notes its place."""

    def __init__(self, order: _Order, first: int) -> None:
        self.order = order
        self.last = first  # the place of the job's last result so far

    def started(self, item: "Item") -> None:
        self.order.results.started(item)

    def finished(self, result: "CaseResult") -> None:
        position = self.order.index.get(result.id)
        key = (self.last, 1) if position is None else (position, 0)
        self.last = key[0]
        self.order.results.finished(result)
        self.order.keys[id(self.order.results.cases[-1])] = key


class _Worker:
    """One worker process and the job it runs, if any."""

    def __init__(self, scratch: Path, number: int, preexec: "Callable[[], None] | None") -> None:
        self.scratch = scratch
        self.output = scratch / f"worker-{number}.out"
        self.file: BinaryIO = self.output.open("wb")
        command = [sys.executable, "-m", "thinking_tests.worker"]
        self.process = start(command, self.file, preexec, stdin=subprocess.PIPE)
        self.job: Job | None = None
        self.listener: _InOrder | None = None
        self.done = scratch / f"worker-{number}.done"
        self.name = f"w{number}"  # what the reports call it

    def give(self, job: Job, listener: _InOrder) -> None:
        """Start `job`; a worker that died meanwhile is found by `ended`."""
        self.job, self.listener = job, listener
        self.done = job.journal.with_suffix(".done")
        line = json.dumps({"argv": job.arguments, "done": str(self.done)}, ensure_ascii=True)
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(line.encode("ascii") + b"\n")
            self.process.stdin.flush()
        except OSError:  # a broken pipe: the worker is gone, which `ended` tells
            pass

    def ended(self) -> Job | None:
        """Hand on what the running job finished; the job, once it has ended (its rest to run
        again when the worker died in it)."""
        job, listener = self.job, self.listener
        if job is None or listener is None:
            return None
        job.stream(listener)
        code = _code(self.done)
        if code is not None:
            job.ended(code, listener)
        elif self.process.poll() is not None:
            code = _code(self.done)  # it may have ended the job just before it ended
            if code is not None:
                job.ended(code, listener)
            else:
                job.ended(self.process.returncode, listener, dead=True)
        else:
            return None
        self.job = self.listener = None
        return job

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, interrupted: bool) -> None:
        """End the worker: its input closed; interrupted, it is stopped as Ctrl-C would."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        if interrupted:
            stop(self.process)
        else:
            try:
                self.process.wait(timeout=_END)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.file.close()


def _code(path: Path) -> int | None:
    """The exit code a worker wrote for its job, or None while it runs."""
    try:
        return int(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


class _Pool:
    """Up to `size` workers taking modules from one queue."""

    def __init__(self, scratch: Path, size: int, options: "Options", order: _Order) -> None:
        self.scratch, self.size, self.options, self.order = scratch, size, options, order
        self.workers: list[_Worker] = []
        self.started = 0  # workers started, for their files' names
        self.jobs = 0  # jobs handed out, for theirs
        self.preexec = dies_with_parent()

    def run(self, queue: "deque[tuple[str, str, list[Item]]]") -> bool:
        interrupted = False
        try:
            stopping = False
            while True:
                if not stopping:
                    self.hand_out(queue)
                busy = [w for w in self.workers if w.job is not None]
                if not busy:
                    return False
                time.sleep(_TICK)
                for worker in busy:
                    job = worker.ended()
                    if job is None:
                        continue
                    if job.rest:
                        queue.appendleft((job.module, job.file, job.rest))
                    if self.options.exitfirst and self.failed():
                        stopping = True
        except KeyboardInterrupt:
            interrupted = True
            return True
        finally:
            self.close(interrupted)

    def hand_out(self, queue: "deque[tuple[str, str, list[Item]]]") -> None:
        """Give each idle worker the next module, starting workers up to the pool's size."""
        self.workers = [w for w in self.workers if w.job is not None or w.alive()]
        while queue:
            idle = next((w for w in self.workers if w.job is None), None)
            if idle is None:
                if len(self.workers) >= self.size:
                    return
                idle = _Worker(self.scratch, self.started, self.preexec)
                self.started += 1
                self.workers.append(idle)
            module, file, pending = queue.popleft()
            job = Job(
                self.scratch, self.jobs, module, file, pending, self.options, output=idle.output,
                worker=idle.name,
            )
            self.jobs += 1
            idle.give(job, self.order.listener(self.order.index[pending[0].id]))

    def failed(self) -> bool:
        from thinking_tests.model import Outcome

        return any(c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in self.order.results.cases)

    def close(self, interrupted: bool) -> None:
        """Every worker ended; interrupted, each running job keeps what it journaled."""
        for worker in self.workers:
            try:
                if worker.process.stdin is not None:
                    worker.process.stdin.close()
            except OSError:
                pass
        for worker in self.workers:
            worker.close(interrupted)
            if interrupted and worker.job is not None and worker.listener is not None:
                worker.job.interrupted(worker.listener)
                worker.job = None
