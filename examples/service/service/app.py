"""The HTTP interface: `create_app(state)` serves one SettingsStore.

    GET  /health                 {"status": "ok", "version": 3}
    GET  /settings               {"version": 3, "settings": {...}}
    GET  /settings/{key}         {"key": ..., "value": ..., "version": 3}
    PUT  /settings/{key}         body {"value": ...}; header If-Match: 3 makes it conditional
    PATCH /settings              body {"changes": {...}}: several keys as one version
    GET  /history?since=N        the changes after version N
    POST /predict                body {"values": [1.5, 2.0]} -> {"score", "label", "version"}

Errors: 404 an unknown setting (path), 422 a value of the wrong type or out of range (or a
body FastAPI cannot read), 409 an If-Match version that is no longer current, 400 an If-Match
that is no version. Responses about settings carry the version as an ETag.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from service import __version__
from service.model import predict
from service.state import InvalidSetting, SettingsStore, UnknownSetting, VersionConflict


class SettingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: JsonValue


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: dict[str, JsonValue] = Field(min_length=1)


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: list[Annotated[float, Field(allow_inf_nan=False, strict=True)]] = Field(
        min_length=1, max_length=10_000
    )


def _expected_version(if_match: str | None) -> int | None:
    """The version of an If-Match header: `3`, `"3"` or `W/"3"`; None without one."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise HTTPException(400, detail=f"If-Match must be a settings version, not {if_match!r}")
    return int(text)


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def create_app(state: SettingsStore | None = None) -> FastAPI:
    """An app serving `state` (a new store with the default settings if None)."""
    store = state if state is not None else SettingsStore()
    app = FastAPI(title="settings service", version=__version__)
    app.state.store = store

    @app.exception_handler(UnknownSetting)
    async def unknown(request: Request, error: UnknownSetting) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.exception_handler(InvalidSetting)
    async def invalid(request: Request, error: InvalidSetting) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(VersionConflict)
    async def conflict(request: Request, error: VersionConflict) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error), "version": error.actual},
            status_code=409,
            headers={"ETag": f'"{error.actual}"'},
        )

    # Plain `def` endpoints run in a thread pool, so requests really do reach the store
    # from several threads at once: what its lock is for.

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "version": store.version}

    @app.get("/settings")
    def read_settings(response: Response) -> dict[str, object]:
        snapshot = store.snapshot()
        _etag(response, snapshot.version)
        return snapshot.to_dict()

    @app.get("/settings/{key}")
    def read_setting(key: str, response: Response) -> dict[str, object]:
        value, version = store.get(key)
        _etag(response, version)
        return {"key": key, "value": value, "version": version}

    @app.put("/settings/{key}")
    def write_setting(
        key: str,
        update: SettingUpdate,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, object]:
        snapshot = store.set(key, update.value, _expected_version(if_match))
        _etag(response, snapshot.version)
        return {"key": key, "value": snapshot.settings[key], "version": snapshot.version}

    @app.patch("/settings")
    def write_settings(
        patch: SettingsPatch,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, object]:
        try:
            snapshot = store.update(patch.changes, _expected_version(if_match))
        except UnknownSetting as error:  # a key in the body, not in the path: a bad body
            raise InvalidSetting(str(error)) from None
        _etag(response, snapshot.version)
        return snapshot.to_dict()

    @app.get("/history")
    def history(since: int = 0) -> list[dict[str, object]]:
        return [
            {"version": c.version, "changes": {k: list(pair) for k, pair in c.changes.items()}}
            for c in store.history(since)
        ]

    @app.post("/predict")
    def predict_one(request: PredictRequest) -> dict[str, object]:
        snapshot = store.snapshot()  # one version for the whole prediction
        prediction = predict(request.values, snapshot.settings)
        return {"score": prediction.score, "label": prediction.label, "version": snapshot.version}

    return app
