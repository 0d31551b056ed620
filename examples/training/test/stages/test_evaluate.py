"""Stage 4: metrics, checked by hand on tiny cases and on a trained model."""

from __future__ import annotations

import math

from thinking_tests import fixture, run_current_module, test

from test.stages import fixtures  # noqa: F401  (registers `dataset` and `splits`)
from trainer.data import Dataset
from trainer.evaluate import Confusion, Metrics, evaluate
from trainer.model import LogisticRegression
from trainer.train import TrainConfig, train

Splits = tuple[Dataset, Dataset]


@fixture(scope="module")
def model(splits: Splits) -> LogisticRegression:
    """A model trained once for this module, with early stopping."""
    config = TrainConfig(epochs=50, learning_rate=0.5, patience=3, seed=7)
    return train(*splits, config).model


@test
def counts_the_confusion_matrix() -> None:
    confusion = Confusion.of([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0])
    assert confusion == Confusion(true_positives=2, false_positives=1, false_negatives=1, true_negatives=2)
    assert confusion.total == 6


@test(
    params=[
        (Confusion(8, 2, 2, 8), 0.8, 0.8, 0.8, 0.8),
        (Confusion(5, 0, 5, 10), 0.75, 1.0, 0.5, 2 / 3),
        (Confusion(0, 0, 4, 6), 0.6, 0.0, 0.0, 0.0),  # nothing predicted positive: no 0/0
        (Confusion(0, 0, 0, 0), 0.0, 0.0, 0.0, 0.0),
    ],
    ids=["balanced", "cautious", "never-positive", "empty"],
)
def computes_metrics(confusion: Confusion, accuracy: float, precision: float, recall: float, f1: float) -> None:
    metrics = Metrics.of(confusion, loss=0.0)
    got = (metrics.accuracy, metrics.precision, metrics.recall, metrics.f1)
    assert all(math.isclose(a, b) for a, b in zip(got, (accuracy, precision, recall, f1))), got


@test
def refuses_mismatched_lengths() -> None:
    try:
        Confusion.of([1, 0], [1])
    except ValueError as error:
        assert str(error) == "2 predictions for 1 labels"
    else:
        raise AssertionError("no error for 2 predictions of 1 label")


@test("the trained model beats the majority class by far on held-out data")
def trained_model_generalizes(model: LogisticRegression, splits: Splits) -> None:
    _, validation_set = splits
    metrics = evaluate(model, validation_set)
    majority = max(validation_set.positive_rate(), 1 - validation_set.positive_rate())
    assert metrics.examples == len(validation_set)
    assert metrics.accuracy >= 0.85 > majority
    assert metrics.f1 >= 0.8


@test("a threshold of 0 calls everything positive: recall 1")
def threshold_moves_the_trade_off(model: LogisticRegression, splits: Splits) -> None:
    _, validation_set = splits
    everything = evaluate(model, validation_set, threshold=0.0)
    assert everything.recall == 1.0
    assert math.isclose(everything.precision, validation_set.positive_rate())


@test
def reports_plain_numbers(model: LogisticRegression, splits: Splits) -> None:
    row = evaluate(model, splits[1]).to_dict()
    assert list(row) == ["accuracy", "precision", "recall", "f1", "loss", "examples"]


if __name__ == "__main__":
    run_current_module()
