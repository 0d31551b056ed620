"""One worker process of `-n`: `python -m thinking_tests.worker` runs each job read on its
standard input (see `workers`), in this process, until its input ends. Apart from `workers`,
which the command line imports, because a worker runs the command line itself."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def serve() -> int:
    """A worker: run each job read on the standard input, until it ends. Cases get an empty
    standard input, as in any run; the jobs come on a copy of the original descriptor."""
    from thinking_tests.cli import main

    jobs = os.fdopen(os.dup(0), "rb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        for line in jobs:
            job = json.loads(line)
            try:
                code = main(job["argv"])
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 4
            sys.stdout.flush()
            sys.stderr.flush()
            done = Path(job["done"])
            partial = done.with_suffix(".partial")
            partial.write_text(str(code), encoding="ascii")
            os.replace(partial, done)  # read whole or not at all
    except KeyboardInterrupt:  # the parent's Ctrl-C between jobs
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(serve())
