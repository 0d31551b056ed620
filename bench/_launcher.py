"""The process that starts every measured child, kept small on purpose.

A child's peak RSS (ru_maxrss from os.wait4) is never below the peak RSS of the process that
started it: on Linux, exec records the peak of the memory image it replaces, which after
fork or vfork is the parent's. So the children are started from here, a process of about
10 MiB (run with -S -E, importing little), not from the benchmark, whose own peak grows.

Protocol, one line per run on stdin: timeout, cwd, stdout file, stderr file and the command,
separated by NUL characters. Answer, one line on stdout: wall seconds, exit code, ru_maxrss.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time


def serve() -> None:
    for line in sys.stdin:
        timeout, cwd, out_path, err_path, *command = line.rstrip("\n").split("\0")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            began = time.perf_counter()
            process = subprocess.Popen(
                command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
            # A hung child would stall the whole benchmark: kill it, the run is then reported.
            watchdog = threading.Timer(float(timeout), process.kill)
            watchdog.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                watchdog.cancel()
            wall = time.perf_counter() - began
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code  # reaped here, so Popen must not wait for it again
        sys.stdout.write(f"{wall!r} {code} {usage.ru_maxrss}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
