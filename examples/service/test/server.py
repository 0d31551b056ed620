"""Serve an app with uvicorn in a background thread, for as long as a `with` block lasts."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

# Proxies from the environment (http_proxy) must never see requests to our own server.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_json(url: str, timeout: float = 2.0) -> object:
    """GET `url` with urllib (no proxy) and decode the JSON body."""
    with _DIRECT.open(url, timeout=timeout) as response:
        return json.load(response)


@contextmanager
def serving(app: FastAPI, startup_timeout: float = 10.0) -> Iterator[str]:
    """Yield the base URL (http://127.0.0.1:PORT) of `app` served in a thread; stop it after.

    The socket is bound here, to port 0 on the loopback address, so the system picks a free
    port and no other process can take it between choosing and binding.
    """
    # proto=IPPROTO_TCP lets asyncio set TCP_NODELAY on each connection: without it, every
    # response waits ~40 ms for a delayed ACK (Nagle's algorithm).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    # log_config=None: leave the process's logging alone (uvicorn's records still reach the
    # root logger, so a case's captured log shows server errors).
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    try:
        _wait_until_healthy(url, thread, startup_timeout)
        yield url
    finally:
        server.should_exit = True  # uvicorn checks it every 0.1 s, then shuts down
        thread.join(timeout=10.0)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"the server at {url} did not stop within 10 s")


def _wait_until_healthy(url: str, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the server thread for {url} ended before answering")
        try:
            if get_json(f"{url}/health", timeout=1.0) is not None:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = error
        time.sleep(0.02)
    raise RuntimeError(f"{url}/health did not answer within {timeout} s (last error: {last_error})")
