"""Fixtures of the service tests; a module that uses them imports this one (which is what
registers them, so a module run alone with `python -m` finds them too).

All are module-scoped: every test module gets its own store and its own server, and cases
within a module share them, so those cases make no assumption about the version they start
at, only about what their own requests change.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from thinking_tests import fixture

from service.app import create_app
from service.state import SettingsStore
from test.server import serving


@fixture(scope="module")
def store() -> SettingsStore:
    """The state behind this module's server: cases may look at it directly."""
    return SettingsStore()


@fixture(scope="module")
def server(store: SettingsStore) -> Iterator[str]:
    """The base URL of a running service, stopped after the module's last case."""
    with serving(create_app(store)) as url:
        yield url


@fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    """An httpx client for `server` that ignores proxy settings of the environment."""
    with httpx.Client(base_url=server, timeout=5.0, trust_env=False) as http:
        yield http
