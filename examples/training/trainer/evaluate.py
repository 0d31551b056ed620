"""Stage 4: metrics of a model on a data set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from trainer.data import Dataset
from trainer.model import LogisticRegression


@dataclass(frozen=True)
class Confusion:
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @classmethod
    def of(cls, predicted: Sequence[int], actual: Sequence[int]) -> Confusion:
        if len(predicted) != len(actual):
            raise ValueError(f"{len(predicted)} predictions for {len(actual)} labels")
        pairs = list(zip(predicted, actual))
        return cls(
            pairs.count((1, 1)), pairs.count((1, 0)), pairs.count((0, 1)), pairs.count((0, 0))
        )

    @property
    def total(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0  # sklearn's zero_division=0


@dataclass(frozen=True)
class Metrics:
    accuracy: float
    precision: float
    recall: float
    f1: float
    loss: float
    examples: int

    @classmethod
    def of(cls, confusion: Confusion, loss: float) -> Metrics:
        c = confusion
        precision = _ratio(c.true_positives, c.true_positives + c.false_positives)
        recall = _ratio(c.true_positives, c.true_positives + c.false_negatives)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        accuracy = _ratio(c.true_positives + c.true_negatives, c.total)
        return cls(accuracy, precision, recall, f1, loss, c.total)

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def evaluate(model: LogisticRegression, data: Dataset, threshold: float = 0.5) -> Metrics:
    predicted = [model.predict(row, threshold) for row in data.features]
    return Metrics.of(Confusion.of(predicted, data.labels), model.loss(data))
