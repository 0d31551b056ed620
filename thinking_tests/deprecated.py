"""The names of thinking-tests 0.0.4, served lazily by the modules that kept its spellings.

Each old module defines `__getattr__ = forward(...)`: the first use of an old name warns once
(a DeprecationWarning naming the new spelling, pointing at the user's line) and then stores
the name in the module, so later uses neither warn nor come back here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any


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
