"""The test server itself: loopback only, a free port, and really stopped afterwards."""

from __future__ import annotations

import urllib.error

from thinking_tests import run_current_module, test

from service.__main__ import main
from service.app import create_app
from service.state import SettingsStore
from test.server import get_json, serving


@test("serving() answers on 127.0.0.1 and frees the port when the block ends", timeout=20)
def starts_and_stops() -> None:
    with serving(create_app(SettingsStore({"scale": 3}))) as url:
        assert url.startswith("http://127.0.0.1:")
        assert get_json(f"{url}/health") == {"status": "ok", "version": 1}
        assert get_json(f"{url}/settings/scale") == {"key": "scale", "value": 3.0, "version": 1}
    try:
        get_json(f"{url}/health", timeout=1.0)
    except (urllib.error.URLError, ConnectionError):
        pass
    else:
        raise AssertionError(f"{url} still answers after the server was stopped")


@test("two servers at once get two ports and two independent stores", timeout=20)
def servers_are_independent() -> None:
    with serving(create_app()) as first, serving(create_app(SettingsStore({"offset": 2}))) as second:
        assert first != second
        assert get_json(f"{first}/settings/offset") == {"key": "offset", "value": 0.0, "version": 1}
        assert get_json(f"{second}/settings/offset") == {"key": "offset", "value": 2.0, "version": 1}


@test
def command_line_has_help() -> None:
    try:
        main(["--help"])
    except SystemExit as stop:
        assert stop.code == 0
    else:
        raise AssertionError("--help did not exit")


if __name__ == "__main__":
    run_current_module()
