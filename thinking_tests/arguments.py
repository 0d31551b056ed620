"""The argument parser of the command line and its subcommands, apart from `usage` so that a
run started by `run_all` without flags never imports argparse."""

from __future__ import annotations

import argparse
import sys

from thinking_tests.usage import USAGE_ERROR


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are usage errors: exit code 4, not argparse's 2
    (which means interrupted)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"thinking-tests: {message}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)
