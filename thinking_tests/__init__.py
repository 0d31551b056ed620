"""thinking-tests: decorators instead of test classes, aspects instead of plugin hunting.

    from thinking_tests import test

    @test
    def adds():
        assert 1 + 1 == 2
"""

from thinking_tests.aspects import Current, current
from thinking_tests.case import Aspect, Case
from thinking_tests.config import config
from thinking_tests.declare import aspect, fixture, setup, teardown, test
from thinking_tests.entry import run_all, run_current_module, run_current_package
from thinking_tests.model import Stage

__version__ = "0.1.0"

__all__ = [
    "Aspect",
    "Case",
    "Current",
    "Stage",
    "aspect",
    "config",
    "current",
    "fixture",
    "run_all",
    "run_current_module",
    "run_current_package",
    "setup",
    "teardown",
    "test",
]
