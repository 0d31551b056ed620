"""The settings store and the scoring function, in-process: no server needed."""

from __future__ import annotations

import math
import operator
import threading

from thinking_tests import run_current_module, test

from service.model import predict
from service.state import (
    DEFAULTS, SCHEMA, InvalidSetting, SettingsStore, UnknownSetting, VersionConflict,
)


def raises(kind: type[BaseException], call, *args, **kwargs) -> BaseException:  # type: ignore[no-untyped-def]
    try:
        call(*args, **kwargs)
    except kind as error:
        return error
    raise AssertionError(f"expected {kind.__name__}, but nothing was raised")


@test
def starts_at_version_one_with_the_defaults() -> None:
    snapshot = SettingsStore().snapshot()
    assert snapshot.version == 1
    assert dict(snapshot.settings) == dict(DEFAULTS)
    assert set(DEFAULTS) == set(SCHEMA)


@test("every change is one new version, and the history says what changed")
def versions_every_change() -> None:
    store = SettingsStore({"scale": 2})
    assert store.get("scale") == (2.0, 1)
    assert store.set("scale", 3).version == 2
    assert store.update({"offset": 1.5, "threshold": 0.25}).version == 3
    assert [(c.version, dict(c.changes)) for c in store.history()] == [
        (2, {"scale": (2.0, 3.0)}),
        (3, {"offset": (0.0, 1.5), "threshold": (0.5, 0.25)}),
    ]
    assert [c.version for c in store.history(since=2)] == [3]


@test(
    params=[
        ("scale", "2", "scale must be a number, not str"),
        ("scale", True, "scale must be a number, not bool"),
        ("scale", None, "scale must be a number, not NoneType"),
        ("scale", float("nan"), "scale must be a finite number"),
        ("threshold", 1.5, "threshold must be between 0.0 and 1.0, not 1.5"),
        ("positive_label", "  ", "positive_label must be a non-empty string"),
        ("negative_label", 0, "negative_label must be a non-empty string"),
    ],
    ids=["string", "bool", "null", "nan", "out-of-range", "blank", "number-label"],
)
def refuses_invalid_values(key: str, value: object, message: str) -> None:
    store = SettingsStore()
    assert str(raises(InvalidSetting, store.set, key, value)) == message
    assert store.version == 1


@test
def refuses_unknown_keys() -> None:
    store = SettingsStore()
    assert str(raises(UnknownSetting, store.get, "colour")) == "unknown setting 'colour'"
    raises(UnknownSetting, store.set, "colour", "red")
    raises(UnknownSetting, SettingsStore, {"colour": "red"})


@test("a change with one bad value changes nothing at all")
def changes_all_or_nothing() -> None:
    store = SettingsStore()
    raises(InvalidSetting, store.update, {"scale": 5, "threshold": 7})
    assert store.snapshot().settings["scale"] == 1.0 and store.version == 1
    raises(InvalidSetting, store.update, {})


@test
def conditional_change_refuses_a_stale_version() -> None:
    store = SettingsStore()
    store.set("scale", 2, expected_version=1)
    conflict = raises(VersionConflict, store.set, "scale", 3, expected_version=1)
    assert isinstance(conflict, VersionConflict) and (conflict.expected, conflict.actual) == (1, 2)
    assert store.get("scale") == (2.0, 2)


@test
def snapshots_are_read_only() -> None:
    snapshot = SettingsStore().snapshot()
    raises(TypeError, operator.setitem, snapshot.settings, "scale", 9)


@test("threads changing settings at once lose no change and skip no version", timeout=10)
def thread_safe_versions() -> None:
    store = SettingsStore()
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(200):
            store.set("offset", n * 1000 + i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.version == 1 + 8 * 200
    history = store.history()
    assert [c.version for c in history] == list(range(2, 1602))
    # Each change's "old" value is the previous change's "new": no update was lost in between.
    assert all(a.changes["offset"][1] == b.changes["offset"][0] for a, b in zip(history, history[1:]))


@test(
    params=[
        ([0.0], {}, 0.5, "yes"),
        ([2.0, 4.0], {"scale": 1.0, "offset": -3.0}, 0.5, "yes"),
        ([1.0], {"scale": 2.0, "offset": 0.0}, 1 / (1 + math.exp(-2)), "yes"),
        ([1.0], {"threshold": 0.9}, 1 / (1 + math.exp(-1)), "no"),
        ([-800.0], {}, 0.0, "no"),
    ],
    ids=["zero", "mean-minus-offset", "scaled", "high-threshold", "no-overflow"],
)
def predicts_from_settings(values: list[float], changes: dict[str, float], score: float, label: str) -> None:
    settings = {**DEFAULTS, **changes}
    prediction = predict(values, settings)
    assert math.isclose(prediction.score, score, abs_tol=1e-12)
    assert prediction.label == label


@test
def predict_needs_values() -> None:
    assert str(raises(ValueError, predict, [], DEFAULTS)) == "at least one value is needed"


if __name__ == "__main__":
    run_current_module()
