"""Tests of the settings service: `python -m test.run_all` runs them all.

They start the real service with uvicorn, so they need FastAPI, uvicorn and httpx. Without
them every way of running these tests stops at once with one line saying what to install
and exit code 4 (a configuration error), rather than skipping: a green run must mean the
service was tested. `__test__.py` says the same for `python -m thinking_tests` and pytest,
which read it before importing this package; `python -m test.run_all` and
`python -m test.x` import this package first, so the check is here too.
"""

import sys

try:
    import fastapi  # noqa: F401
    import httpx  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as error:
    print(
        f"error: the service tests need {error.name}, which is not installed: "
        "pip install fastapi uvicorn httpx",
        file=sys.stderr,
    )
    raise SystemExit(4) from None
