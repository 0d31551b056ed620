"""How a run's process ends: with its exit code, also when daemon threads are still running.

A thread a case started and never stopped (printing, say) may hold a stream's lock while
the interpreter shuts down; CPython 3.11 then aborts ("could not acquire lock for
<_io.BufferedWriter name='<stderr>'> at interpreter shutdown") and the exit code is lost. So
with such threads alive, the exit handlers run, the streams are flushed, and the process
ends at once with the run's code, as the threads would have ended with it anyway.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import NoReturn


def exit_process(code: int) -> NoReturn:
    """End the process with `code` (as `sys.exit` does when no daemon thread runs)."""
    main = threading.main_thread()
    if threading.current_thread() is main and any(
        thread is not main and thread.daemon and thread.is_alive() for thread in threading.enumerate()
    ):
        import atexit

        atexit._run_exitfuncs()  # what the interpreter's shutdown would run first
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed or broken stream: nothing more to say on it
                pass
        os._exit(code)
    raise SystemExit(code)
