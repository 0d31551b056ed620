"""Reading and changing settings over HTTP while the service runs, and the errors it gives."""

from __future__ import annotations

from typing import Any

import httpx
from thinking_tests import run_current_module, test

from service.state import SCHEMA, SettingsStore
from test import fixtures  # noqa: F401  (registers store, server and client)


def baseline(client: httpx.Client) -> int:
    """Put the scoring settings back to their defaults; the version after that."""
    changes = {"scale": 1.0, "offset": 0.0, "threshold": 0.5, "positive_label": "yes", "negative_label": "no"}
    response = client.patch("/settings", json={"changes": changes})
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


def label_of(client: httpx.Client, *values: float) -> tuple[str, int]:
    response = client.post("/predict", json={"values": list(values)})
    assert response.status_code == 200, response.text
    body = response.json()
    return body["label"], body["version"]


@test
def answers_health(client: httpx.Client, store: SettingsStore) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": store.version}


@test("GET /settings is the store's current snapshot, its version also as ETag")
def reads_all_settings(client: httpx.Client, store: SettingsStore) -> None:
    response = client.get("/settings")
    body = response.json()
    assert set(body["settings"]) == set(SCHEMA)
    assert body == store.snapshot().to_dict()
    assert response.headers["etag"] == f'"{body["version"]}"'


@test(params=list(SCHEMA))
def reads_one_setting(key: str, client: httpx.Client, store: SettingsStore) -> None:
    value, version = store.get(key)
    assert client.get(f"/settings/{key}").json() == {"key": key, "value": value, "version": version}


@test("a change made while the service runs is used by the very next prediction")
def predictions_follow_updates(client: httpx.Client) -> None:
    version = baseline(client)
    assert label_of(client, 1.0) == ("yes", version)  # sigmoid(1) = 0.73

    response = client.put("/settings/offset", json={"value": -5})
    assert response.status_code == 200
    assert response.json() == {"key": "offset", "value": -5.0, "version": version + 1}
    assert label_of(client, 1.0) == ("no", version + 1)  # sigmoid(-4) = 0.02

    client.put("/settings/negative_label", json={"value": "spam"})
    assert label_of(client, 1.0) == ("spam", version + 2)
    assert label_of(client, 10.0) == ("yes", version + 2)


@test("the score moves with scale, offset and threshold exactly as the formula says")
def score_follows_settings(client: httpx.Client) -> None:
    baseline(client)
    assert client.post("/predict", json={"values": [2, -2]}).json()["score"] == 0.5
    client.patch("/settings", json={"changes": {"scale": 2, "offset": -4}})
    assert client.post("/predict", json={"values": [2, 2]}).json()["score"] == 0.5
    client.put("/settings/threshold", json={"value": 0.4})
    assert label_of(client, 2, 2)[0] == "yes"
    client.put("/settings/threshold", json={"value": 0.6})
    assert label_of(client, 2, 2)[0] == "no"


@test("If-Match makes a change conditional: a stale version gets 409 and the current one")
def conditional_update(client: httpx.Client) -> None:
    version = client.get("/settings").json()["version"]
    ok = client.put("/settings/scale", json={"value": 1.5}, headers={"If-Match": f'"{version}"'})
    assert ok.status_code == 200 and ok.headers["etag"] == f'"{version + 1}"'
    stale = client.put("/settings/scale", json={"value": 9}, headers={"If-Match": str(version)})
    assert stale.status_code == 409
    assert stale.json() == {"detail": f"settings are at version {version + 1}, not {version}", "version": version + 1}
    assert client.get("/settings/scale").json()["value"] == 1.5


@test
def history_lists_changes(client: httpx.Client) -> None:
    version = baseline(client)
    client.put("/settings/scale", json={"value": 4})
    assert client.get("/history", params={"since": version}).json() == [
        {"version": version + 1, "changes": {"scale": [1.0, 4.0]}}
    ]


ERRORS: list[tuple[str, str, Any, dict[str, str], int, str | None]] = [
    ("GET", "/settings/colour", None, {}, 404, "unknown setting 'colour'"),
    ("PUT", "/settings/colour", {"value": 1}, {}, 404, "unknown setting 'colour'"),
    ("GET", "/nowhere", None, {}, 404, "Not Found"),
    ("PUT", "/settings/scale", {"value": "big"}, {}, 422, "scale must be a number, not str"),
    ("PUT", "/settings/threshold", {"value": 1.5}, {}, 422, "threshold must be between 0.0 and 1.0, not 1.5"),
    ("PUT", "/settings/positive_label", {"value": ""}, {}, 422, "positive_label must be a non-empty string"),
    ("PUT", "/settings/scale", {}, {}, 422, None),  # no "value": FastAPI's own 422
    ("PUT", "/settings/scale", {"value": 1, "extra": 2}, {}, 422, None),
    ("PATCH", "/settings", {"changes": {"colour": 1}}, {}, 422, "unknown setting 'colour'"),
    ("PATCH", "/settings", {"changes": {}}, {}, 422, None),
    ("PUT", "/settings/scale", {"value": 2}, {"If-Match": "yesterday"}, 400, "If-Match must be a settings version, not 'yesterday'"),
    ("POST", "/predict", {"values": []}, {}, 422, None),
    ("POST", "/predict", {"values": ["1"]}, {}, 422, None),
    ("POST", "/predict", {"values": [True]}, {}, 422, None),
    ("POST", "/predict", {}, {}, 422, None),
    ("GET", "/history?since=soon", None, {}, 422, None),
]


@test(
    "bad requests get 404, 422, 400 with a useful detail, and change nothing",
    params=ERRORS,
    ids=[
        "unknown-get", "unknown-put", "no-route", "wrong-type", "out-of-range", "blank-label",
        "missing-value", "extra-field", "patch-unknown", "patch-empty", "bad-if-match",
        "predict-empty", "predict-string", "predict-bool", "predict-no-values", "history-since",
    ],
)
def rejects_bad_requests(
    method: str, path: str, body: Any, headers: dict[str, str], status: int, detail: str | None,
    client: httpx.Client, store: SettingsStore,
) -> None:
    before = store.snapshot()
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == status, response.text
    if detail is not None:
        assert response.json()["detail"] == detail
    else:
        assert isinstance(response.json()["detail"], list)  # FastAPI's list of problems
    assert store.snapshot() is before  # not even a new version


if __name__ == "__main__":
    run_current_module()
