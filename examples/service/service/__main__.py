"""`python -m service [--port 8000]`: serve a fresh settings store on the loopback address."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="default: loopback only")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    import uvicorn

    from service.app import create_app
    from service.state import SettingsStore

    uvicorn.run(create_app(SettingsStore()), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
