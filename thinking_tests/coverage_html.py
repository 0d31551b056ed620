"""coverage.py's HTML pages written by a forked child while the parent process writes the
XML report (each report analyses every measured file again, most of its cost). Imported only
when coverage's reports are written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping


def html_in_child(options: Mapping[str, object], directory: str, contexts: bool) -> Callable[[], str | None]:
    """Start writing the HTML pages in a forked child, its own Coverage made from `options`;
    the returned call waits for it and gives None, or why it failed."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own Coverage object and database connection
        code = 1
        try:
            os.close(reading)
            import coverage

            child = coverage.Coverage(**options)  # type: ignore[arg-type]
            child.load()
            child.html_report(directory=directory, show_contexts=contexts)
            code = 0
        except BaseException as error:  # noqa: BLE001 - said to the parent, which reports it
            os.write(writing, f"{type(error).__name__}: {error}".encode("utf-8", "replace"))
        finally:
            os._exit(code)
    os.close(writing)
    waited: list[str | None] = []

    def wait() -> str | None:
        if not waited:
            with os.fdopen(reading, "rb") as pipe:
                said = pipe.read().decode("utf-8", "replace")
            _, status = os.waitpid(pid, 0)
            ok = os.waitstatus_to_exitcode(status) == 0
            waited.append(None if ok else said or "the HTML coverage report could not be written")
        return waited[0]

    return wait
