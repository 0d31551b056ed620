"""What a usage error is: a run that cannot start as asked, said in one sentence, exit code 4
(as pytest's). Every command line and every subcommand reports its own this way."""

from __future__ import annotations

import argparse
import sys

USAGE_ERROR = 4  # the exit code of a usage error (DESIGN.md)


class UsageError(Exception):
    """A run that cannot start as asked; the message is one sentence (exit code 4)."""


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are usage errors: exit code 4, not argparse's 2
    (which means interrupted)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"thinking-tests: {message}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)
