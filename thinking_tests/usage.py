"""What a usage error is: a run that cannot start as asked, said in one sentence, exit code 4
(as pytest's). Every command line and every subcommand reports its own this way."""

from __future__ import annotations

from thinking_tests.exits import USAGE_ERROR  # its exit code, where one is raised

__all__ = ["USAGE_ERROR", "UsageError"]


class UsageError(Exception):
    """A run that cannot start as asked; the message is one sentence (exit code 4)."""
