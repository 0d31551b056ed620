"""Coverage per case: each case's stages run under their own coverage.py dynamic context,
`<case id>|setup`, `<case id>|run` and `<case id>|teardown` (the names pytest-cov's
`--cov-context=test` gives), and the empty context between cases (imports, collection).

Imported only when coverage.py is already running in this process: a run without coverage
never imports it. The HTML coverage report then shows, for every line, the cases that ran
it, and `--affected` reads the files each case ran from the same data.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Switch = Callable[[str], object]


def switcher() -> Switch | None:
    """`switch_context` of the Coverage running in this process, or None: none is running,
    or coverage.py switches contexts itself (its `dynamic_context` setting)."""
    coverage = sys.modules.get("coverage")
    current = getattr(getattr(coverage, "Coverage", None), "current", None)
    running = current() if current is not None else None
    if running is None:
        return None
    own = running.get_option("run:dynamic_context")
    if own and own != "none":
        return None
    return running.switch_context  # type: ignore[no-any-return]


def context(case_id: str, stage: str) -> str:
    return f"{case_id}|{stage}"
