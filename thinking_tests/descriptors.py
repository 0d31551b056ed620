"""Capture at the descriptor level: file descriptors 1 and 2 go to files for the whole run.

Redirecting once per run, not per case, keeps a case's cost at one `lseek` a descriptor: each
case's output is the span of the file between the size at the last case's end and at its
own end, and is read only when it wrote something. (The size is where a seek to the end
lands: cheaper than `fstat`, and the file's offset matters to no one, since its writers
append and its reads are `pread`s.) What a case, a C extension or a child process that
inherited the descriptors writes is kept in order with what Python code prints (sys.stdout writes
straight to the descriptor while capturing).
"""

from __future__ import annotations

import os

# Past this size a file starts again empty after the case that wrote it, so a run whose
# threads never stop printing does not fill the disk.
_RECYCLE = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_lseek = os.lseek  # bound at import: a case may replace os functions
_END = os.SEEK_END


# Descriptors the runner keeps for itself go this high (when the process may have that many),
# out of the way of a case that closes the low ones (`os.closerange(3, 256)`) and opens files.
HIGH = 1024


def high(fd: int) -> int:
    """`fd` moved to a free number of at least HIGH, close-on-exec (children get 0, 1 and 2
    only); the same `fd` where the limit on open files is too low for that."""
    try:
        import fcntl
        import resource

        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if limit != resource.RLIM_INFINITY and limit <= HIGH + 64:
            return fd
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, HIGH)
    except (ImportError, OSError, ValueError, AttributeError):  # no fcntl (Windows)
        return fd
    os.close(fd)
    return moved


def _unnamed_file() -> int:
    """A temporary file with no name, opened for appending: every writer (this process and its
    children, which share it) writes at its end, even after it is emptied. Made nameless at
    once where the system can (Linux's O_TMPFILE), without importing tempfile."""
    flags = os.O_RDWR | os.O_APPEND
    nameless = getattr(os, "O_TMPFILE", 0)
    if nameless:
        for directory in (os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")):
            if directory:
                break
        else:
            directory = "/tmp"
        try:
            return high(os.open(directory, flags | nameless, 0o600))
        except OSError:  # a file system without it: a named file, unlinked at once
            pass
    import fcntl
    import tempfile

    fd, path = tempfile.mkstemp(prefix="thinking-tests-output-")
    try:
        os.unlink(path)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
    except BaseException:
        os.close(fd)
        raise
    return high(fd)


def _identity(fd: int) -> tuple[int, int]:
    status = os.fstat(fd)
    return status.st_dev, status.st_ino


class Spool:
    """One descriptor (1 or 2) sent to an unnamed file; `saved` is where it pointed before."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.file = _unnamed_file()
        try:
            self.saved = high(os.dup(target))
        except OSError:
            os.close(self.file)
            raise
        os.dup2(self.file, target)
        self.mark = 0  # where the running case's output starts
        # A case may close descriptors and open files that get the same numbers: before
        # emptying the file or putting the descriptor back, these say whether they are ours.
        self._ids = (_identity(self.file), _identity(self.saved))

    def ours(self) -> bool:
        """Whether both descriptors are still the files this spool made and saved."""
        try:
            return (_identity(self.file), _identity(self.saved)) == self._ids
        except OSError:
            return False

    def end(self, limit: int) -> tuple[bytes, bytes, int]:
        """The case's output as (head, tail, bytes left unread between them): all of it as
        the head when it fits in `limit` characters, else about `limit` of each end."""
        size = _lseek(self.file, 0, _END)
        start, self.mark = self.mark, size
        if size <= start:
            return b"", b"", 0
        if not self.ours():
            raise OSError("a case closed the capture's descriptors")
        try:
            return self._read(start, size, limit)
        finally:
            if size > _RECYCLE:  # the next case starts on an empty file
                os.ftruncate(self.file, 0)
                self.mark = 0

    def _read(self, start: int, size: int, limit: int) -> tuple[bytes, bytes, int]:
        count = size - start
        if count <= 4 * limit:  # UTF-8 takes at most 4 bytes a character
            return os.pread(self.file, count, start), b"", 0
        # Read only the head and the tail: a thread may have written gigabytes.
        side = 2 * limit
        head = os.pread(self.file, side, start)
        tail = os.pread(self.file, side, size - side)
        return head, tail, count - 2 * side

    def restore(self) -> None:
        if not self.ours():  # a case closed them: the numbers may be someone else's files now
            return
        try:
            size = _lseek(self.file, 0, _END)
            if size > self.mark:
                self._pass_through(self.mark, size)
        finally:
            os.dup2(self.saved, self.target)
            os.close(self.saved)
            os.close(self.file)

    def _pass_through(self, start: int, end: int) -> None:
        try:
            while start < end:
                data = os.pread(self.file, min(_CHUNK, end - start), start)
                if not data:
                    return
                start += len(data)
                view = memoryview(data)
                while view:
                    view = view[os.write(self.saved, view):]
        except OSError:
            pass  # a closed terminal must not stop the run


class NullStdin:
    """Descriptor 0 read from /dev/null while capturing: a child process reading its stdin gets
    end-of-file at once instead of waiting on a terminal or a pipe nobody writes to."""

    def __init__(self) -> None:
        try:
            self.saved: int | None = high(os.dup(0))
        except OSError:  # the run was started with stdin closed
            self.saved = None
        self._id = None if self.saved is None else _identity(self.saved)
        null = os.open(os.devnull, os.O_RDONLY)
        try:
            os.dup2(null, 0)
        finally:
            os.close(null)

    def restore(self) -> None:
        if self.saved is None:
            os.close(0)
            return
        try:
            if _identity(self.saved) != self._id:
                return  # a case closed it: the number may be someone else's file now
        except OSError:
            return
        os.dup2(self.saved, 0)
        os.close(self.saved)
