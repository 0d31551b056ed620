"""The exit codes of a run, as pytest's (DESIGN.md)."""

OK = 0  # every selected case passed
FAILED = 1  # a case failed or erred, or coverage is under its threshold
INTERRUPTED = 2  # Ctrl-C, SIGTERM or the run timeout
INTERNAL_ERROR = 3  # a bug of thinking-tests: the traceback is printed
USAGE_ERROR = 4  # a run that cannot start as asked, said in one sentence
NO_TESTS = 5  # nothing collected, or nothing selected
