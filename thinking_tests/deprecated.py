"""The names of thinking-tests 0.0.4, served lazily by the modules that kept its spellings.

Each old module defines `__getattr__ = forward(...)`: the first use of an old name warns once
(a DeprecationWarning naming the new spelling, pointing at the user's line) and then stores
the name in the module, so later uses neither warn nor come back here.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

# Python shows a DeprecationWarning only when __main__'s code triggers it; these name what to
# change in the user's own modules and __test__.py, so they are shown wherever they come from
# (once each), as pytest shows them. Not again in a module's run started anew with coverage
# first (entry._reexec): the process it replaced has shown them.
if not os.environ.get("THINKING_TESTS_REEXEC"):
    warnings.filterwarnings(
        "default",
        message=r"thinking_tests\..* is thinking-tests 0\.0\.4's spelling",
        category=DeprecationWarning,
    )


def forward(module: str, namespace: dict[str, Any], names: Mapping[str, tuple[Any, str]]) -> Callable[[str], Any]:
    """A module `__getattr__` serving `names` (old name -> (object, new spelling))."""

    def __getattr__(name: str) -> Any:
        found = names.get(name)
        if found is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value, new = found
        warnings.warn(
            f"{module}.{name} is thinking-tests 0.0.4's spelling; use {new}",
            DeprecationWarning,
            stacklevel=2,
        )
        namespace[name] = value
        return value

    return __getattr__
