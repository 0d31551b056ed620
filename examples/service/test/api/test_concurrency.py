"""Many clients at once, each on its own connection and thread, against one running server."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from thinking_tests import run_current_module, test

from service.state import SettingsStore
from test import fixtures  # noqa: F401  (registers store, server and client)

THREADS = 8


def in_threads(count: int, work: Callable[[int, httpx.Client], None], server: str) -> None:
    """Run work(n, client) in `count` threads started together; re-raise the first failure."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            with httpx.Client(base_url=server, timeout=10.0, trust_env=False) as client:
                barrier.wait(timeout=10)
                work(n, client)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,), name=f"client-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a client thread hung"
    if failures:
        raise failures[0]


@test("concurrent PUTs each get their own version: none lost, none twice, none skipped", timeout=30)
def versions_stay_consistent(server: str, store: SettingsStore) -> None:
    start = store.version
    versions: list[int] = []
    lock = threading.Lock()

    def work(n: int, client: httpx.Client) -> None:
        for i in range(10):
            response = client.put("/settings/offset", json={"value": n * 100 + i})
            assert response.status_code == 200, response.text
            with lock:
                versions.append(response.json()["version"])

    in_threads(THREADS, work, server)
    assert sorted(versions) == list(range(start + 1, start + 1 + THREADS * 10))
    assert store.version == start + THREADS * 10
    history = store.history(since=start)
    assert [c.version for c in history] == sorted(versions)
    assert all(a.changes["offset"][1] == b.changes["offset"][0] for a, b in zip(history, history[1:]))


@test("read-modify-write with If-Match and retries loses no increment", timeout=30)
def optimistic_increments_add_up(server: str, client: httpx.Client) -> None:
    start = client.get("/settings/offset").json()["value"]
    conflicts: list[int] = []

    def work(n: int, http: httpx.Client) -> None:
        for _ in range(5):
            while True:
                current = http.get("/settings/offset")
                value, etag = current.json()["value"], current.headers["etag"]
                response = http.put("/settings/offset", json={"value": value + 1}, headers={"If-Match": etag})
                if response.status_code == 200:
                    break
                assert response.status_code == 409, response.text
                conflicts.append(n)

    in_threads(THREADS, work, server)
    assert client.get("/settings/offset").json()["value"] == start + THREADS * 5
    print(f"{len(conflicts)} conflicts were retried")  # kept in the case's captured output


@test("readers never see half of a PATCH, and every prediction uses one whole version", timeout=30)
def snapshots_are_atomic(server: str, client: httpx.Client) -> None:
    # Writers keep scale == -offset, so mean(values) == 1 always scores exactly sigmoid(0).
    client.patch("/settings", json={"changes": {"scale": 1, "offset": -1}})
    torn: list[object] = []

    def work(n: int, http: httpx.Client) -> None:
        for i in range(15):
            if n % 2:  # writers
                k = n * 100 + i
                assert http.patch("/settings", json={"changes": {"scale": k % 90, "offset": -(k % 90)}}).status_code == 200
            else:  # readers
                settings = http.get("/settings").json()["settings"]
                if settings["scale"] != -settings["offset"]:
                    torn.append(settings)
                score = http.post("/predict", json={"values": [0.5, 1.5]}).json()["score"]
                if score != 0.5:
                    torn.append(score)

    in_threads(THREADS, work, server)
    assert torn == []


if __name__ == "__main__":
    run_current_module()
