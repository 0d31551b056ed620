"""Settings of this project's own test runs (python -m test.run_all)."""

from thinking_tests import config

config.coverage.source = ["thinking_tests"]
config.timeout = 300.0  # no case of ours comes near it; a hang fails instead of stalling CI
