"""`python -m unittest ARGS` that also writes each test's outcome to a JSON file.

Run as `python _unittest_record.py OUT.json discover -s tests -t .` in the project's root.
Discovery, running and the printed output are unittest's own (`unittest.main(module=None)`,
as `python -m unittest` calls it); only the result class is extended to record, per call,
the test's id, the module and qualified name of its class, the outcome and its message.
The file is a list of `[id, module, qualname, method, outcome, message]`, outcome one of
passed, failed, error, skipped, xfailed, xpassed; a test with several calls (a failing or
skipped subtest each, an error in tearDown after a failure) has several entries, all under
the test's own id.
"""

from __future__ import annotations

import json
import os
import sys
import unittest
from typing import Any

Record = list[str]


def _describe(test: Any) -> tuple[str, str, str, str]:
    """The test's id and, for a TestCase method, its class's module, qualname and method.

    A subtest (skipped, failed or errored inside `self.subTest`) is recorded as its test:
    unittest then gives the test itself no outcome of its own.
    """
    if isinstance(test, unittest.case._SubTest):
        test = test.test_case
    ident = test.id()
    method = getattr(test, "_testMethodName", "")
    cls = type(test)
    if method and method != "runTest" and hasattr(cls, method):
        return ident, cls.__module__, cls.__qualname__, method
    return ident, "", "", ""  # doctests, FunctionTestCase, setUpClass errors: the id says it all


class RecordingResult(unittest.TextTestResult):
    records: list[Record] = []  # one run per process: the class holds its records

    def _put(self, test: Any, outcome: str, err: Any = None, message: str = "") -> None:
        if err is not None:
            message = f"{err[0].__name__}: {err[1]}"
        self.records.append([*_describe(test), outcome, message])

    def addSuccess(self, test: Any) -> None:
        super().addSuccess(test)
        self._put(test, "passed")

    def addFailure(self, test: Any, err: Any) -> None:
        super().addFailure(test, err)
        self._put(test, "failed", err)

    def addError(self, test: Any, err: Any) -> None:
        super().addError(test, err)
        self._put(test, "error", err)

    def addSkip(self, test: Any, reason: str) -> None:
        super().addSkip(test, reason)
        self._put(test, "skipped", message=reason)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._put(test, "xfailed")

    def addUnexpectedSuccess(self, test: Any) -> None:
        super().addUnexpectedSuccess(test)
        self._put(test, "xpassed")

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:  # the test itself then gets no addSuccess
            self._put(test, "failed" if issubclass(err[0], test.failureException) else "error", err)


class RecordingRunner(unittest.TextTestRunner):
    resultclass = RecordingResult


def main() -> None:
    out = sys.argv.pop(1)
    sys.argv[0] = "python -m unittest"
    sys.path[0] = os.getcwd()  # where `python -m` puts the current directory, not this file's
    try:
        unittest.main(module=None, testRunner=RecordingRunner)
    finally:
        with open(out, "w", encoding="utf-8") as stream:
            json.dump(RecordingResult.records, stream)


if __name__ == "__main__":
    main()
