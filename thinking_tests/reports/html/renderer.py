"""The HTML report's pages written by a forked child, which imports jinja2 and loads the
template while the run's cases run (the largest part of what the report costs a run).

The child is forked as the stand-in reports are written: it writes the HTML stand-in, then
waits. At the end the run builds the page's view model (it holds the results) and sends it;
the child renders and writes the page while the run writes its other reports, and says how
it went. Pages are written in the order asked for, so the real page never lands before the
stand-in.

The run writes a page itself, as without a child, when a child cannot help: no fork (not
Linux), a single processor, another thread running (it could hold a lock the child would
wait on forever), a process so big that a child would pin much memory (the pages the run
changes are copied while the child lives); or when the child died, hung, or failed other
than by the file system.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NoReturn

from thinking_tests.descriptors import HIGH, high
from thinking_tests.model import RunResult

# Bound at import: the pages are sent after every case ran, and a case may leave these mocked.
_write, _read, _close, _fstat = os.write, os.read, os.close, os.fstat
_dumps, _loads = pickle.dumps, pickle.loads
_poll = select.poll  # not select(): the run's descriptors are numbered past its limit
_LENGTH = 8  # bytes of a message's length, before it
# A process this big (resident, at its peak) writes its pages itself.
_MOST_RESIDENT_KIB = 256 * 1024
# A page not written in this long is given up on; the run then writes it itself.
_PATIENCE = 120.0


class Renderer:
    """The parent's side: a child writing the HTML pages; `write` as the report's own."""

    def __init__(self, pid: int, requests: int, replies: int, stand_in: Path) -> None:
        self.pid = pid
        self._requests = requests  # parent -> child: a pickled (model, path); empty: stop
        self._replies = replies  # child -> parent: a pickled (kind, text) for each page
        self._identity = (_identity(requests), _identity(replies))
        self._owed: list[Path] = [stand_in]  # pages whose reply is still to come
        self._first = True  # the next reply is the stand-in's
        self.problems: list[str] = []  # the stand-in's page, when it could not be written
        self._begun: tuple[RunResult, Path, int] | None = None  # a page sent, not yet waited for

    @classmethod
    def start(cls, stand_in: RunResult, path: Path, max_output: int) -> Renderer | None:
        """A child that writes `stand_in`'s page to `path` now, and later pages as asked; None
        where one cannot help (see the module's docstring)."""
        if not _forking_helps():
            return None
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _close(requests_write)
            _close(replies_read)
            _serve(stand_in, path, max_output, requests_read, replies_write)
        _close(requests_read)
        _close(replies_write)
        # Out of the way of a case that closes low descriptors (see descriptors.HIGH).
        return cls(pid, high(requests_write), high(replies_read), path)

    def begin(self, results: RunResult, path: Path, max_output: int) -> None:
        """Send the page of `results` to the child now, to be written while the run writes its
        other reports; `write` with the same arguments then waits for it."""
        from thinking_tests.reports import html

        if not self.pid or self._begun is not None:
            return
        model = html.page_model(results, path, max_output)
        try:
            self._send(_dumps((model, str(path)), protocol=pickle.HIGHEST_PROTOCOL), path)
        except OSError:
            self.close()
            return
        self._begun = (results, path, max_output)

    def write(self, results: RunResult, path: Path, *, max_output: int = 1024 * 1024) -> None:
        """Write the HTML report of `results` to `path`, as `html.write` does: by the child,
        or here when the child cannot."""
        from thinking_tests.reports import html

        begun, self._begun = self._begun, None
        if begun is not None and (begun[0] is not results or begun[1:] != (path, max_output)):
            self._wait()  # another page was begun: written first, as asked
            begun = None
        if begun is None and self.pid:
            self.begin(results, path, max_output)
            begun, self._begun = self._begun, None
        answer = self._wait() if begun is not None else None
        if answer is None:
            html.write(results, path, max_output=max_output)
        elif answer[0] == "OSError":
            raise OSError(answer[1])
        elif answer[0] == "ValueError":
            raise ValueError(answer[1])

    def _wait(self) -> tuple[str, str] | None:
        """The reply to the last page sent: ("", "") when it was written, the report's own
        failures as (OSError or ValueError, text); None when the page must be written here
        (the child is gone, or failed otherwise)."""
        try:
            kind, text = self._answers()
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            self.close()
            return None
        if kind in ("", "OSError", "ValueError"):
            return kind, text
        self.close()  # a failure of another kind shows itself when written here
        return None

    def close(self) -> None:
        """The child told to stop, and gone: called before the report folder's lock is let go
        (the child holds its descriptor too) and before the last run's reports are put back."""
        pid, self.pid = self.pid, 0
        if not pid:
            return
        try:
            self._send(b"", None)
            self._answers()
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for fd, identity in zip((self._requests, self._replies), self._identity):
            if _identity(fd) == identity:
                _close(fd)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    def _answers(self) -> tuple[str, str]:
        """The replies still owed, in order; the last one's (kind, text). A stand-in's that
        says it was not written is kept in `problems`."""
        kind, text = "", ""
        while self._owed:
            kind, text = _loads(self._receive())
            path = self._owed.pop(0)
            if self._first and kind:
                self.problems.append(f"{path}: {text}")
            self._first = False
        return kind, text

    def _send(self, message: bytes, path: Path | None) -> None:
        """`message` to the child; `path`: the page it asks for (None: stop)."""
        if not self._intact():
            raise OSError("a case closed the HTML child's pipe")
        _send_all(self._requests, message, _PATIENCE)
        if path is not None:
            self._owed.append(path)

    def _receive(self) -> bytes:
        if not self._intact():
            raise OSError("a case closed the HTML child's pipe")
        size = int.from_bytes(_exactly(self._replies, _LENGTH, _PATIENCE), "big")
        return _exactly(self._replies, size, _PATIENCE)

    def _intact(self) -> bool:
        """Both pipes are still the ones made: a case may have closed them, and their numbers
        may since be files of its own, which must never be written."""
        return (_identity(self._requests), _identity(self._replies)) == self._identity


def _forking_helps() -> bool:
    """Linux, a second processor to run the child on, no other thread, a process small
    enough (see the module's docstring)."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    try:
        import resource

        if len(os.sched_getaffinity(0)) < 2:
            return False
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss <= _MOST_RESIDENT_KIB
    except (ImportError, OSError, AttributeError):
        return False


def _identity(fd: int) -> tuple[int, int] | None:
    try:
        status = _fstat(fd)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _ready(fd: int, seconds: float, event: int = select.POLLIN) -> bool:
    """Whether `fd` can be read (or has ended), or written with `POLLOUT`, within `seconds`."""
    poller = _poll()
    poller.register(fd, event)
    return bool(poller.poll(seconds * 1000))


def _send_all(fd: int, message: bytes, patience: float | None) -> None:
    """`message` after its length; TimeoutError when the other side takes none of it for
    `patience` seconds."""
    data = memoryview(len(message).to_bytes(_LENGTH, "big") + message)
    while data:
        if patience is not None and not _ready(fd, patience, select.POLLOUT):
            raise TimeoutError(f"the HTML child took nothing for {patience:g} s")
        data = data[_write(fd, data) :]


def _exactly(fd: int, size: int, patience: float | None) -> bytes:
    """`size` bytes from `fd`; EOFError when it ends first, TimeoutError when nothing comes
    for `patience` seconds."""
    chunks: list[bytes] = []
    while size:
        if patience is not None and not _ready(fd, patience):
            raise TimeoutError(f"the HTML child said nothing for {patience:g} s")
        chunk = _read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the HTML child ended")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _serve(stand_in: RunResult, path: Path, max_output: int, requests: int, replies: int) -> NoReturn:
    """The child: the stand-in's page, then each page asked for, until told to stop or the
    run is gone. Never returns; never writes to the run's terminal or files."""
    code = 1
    try:
        _apart(requests, replies)
        from thinking_tests.reports import html

        parent = os.getppid()
        _reply(replies, partial(html.write, stand_in, path, max_output=max_output))
        _let_go_of_output()
        directory = html.template_dir()
        template = html._template(directory)
        statics = html._statics(directory)
        while True:
            if not _ready(requests, 1.0):
                if os.getppid() != parent:  # the run died: no page will be asked for
                    break
                continue
            message = _exactly(requests, int.from_bytes(_exactly(requests, _LENGTH, None), "big"), None)
            if not message:
                break
            model, target = _loads(message)
            _reply(replies, partial(_write_page, Path(target), template, model, statics))
        code = 0
    finally:
        import posix  # not os._exit, which coverage.py may have patched to save its data

        posix._exit(code)


def _write_page(path: Path, template: object, model: dict[str, object], statics: tuple[object, object, str]) -> None:
    from thinking_tests.reports import html
    from thinking_tests.reports._files import write_atomic

    write_atomic(path, html.render(template, model, *statics))  # type: ignore[arg-type]


def _apart(requests: int, replies: int) -> None:
    """The child keeps out of the run's way: signals meant for the run (Ctrl-C, a CI's
    SIGTERM) are the run's to handle, so the page being written is finished; it prints
    nothing, measures no coverage, and holds none of the run's own descriptors (the report
    folder's lock above all)."""
    import warnings

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.settrace(None)
    warnings.simplefilter("ignore")
    keep = sorted(fd for fd in (requests, replies) if fd >= HIGH)
    start = HIGH
    for fd in keep:
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, _most_descriptors())


def _let_go_of_output() -> None:
    """The run's standard output and error let go of, once the stand-in is written: until
    then the child holds them open, so whoever reads the run's output to its end (a shell's
    pipe, a CI step, `subprocess.run`) finds the stand-in in place, even after a run that
    died at once."""
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    _close(quiet)


def _most_descriptors() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 16)
    except (OSError, ValueError):
        return 1 << 16


def _reply(replies: int, work: Callable[[], object]) -> None:
    """Do `work`, and say to the parent how it went: "" for done, else the error's kind
    (OSError and ValueError are the report's own failures) and text."""
    from thinking_tests.paths import reason

    try:
        work()
        answer = ("", "")
    except OSError as error:
        answer = ("OSError", reason(error))
    except ValueError as error:  # a NUL in the path, a time that cannot be shown
        answer = ("ValueError", reason(error))
    except Exception as error:
        answer = ("failed", f"{type(error).__name__}: {error}")
    _send_all(replies, _dumps(answer), None)


