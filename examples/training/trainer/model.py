"""Stage 3's model: logistic regression, trained by (mini-batch) gradient descent."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from trainer.data import Dataset, Row

_EPSILON = 1e-12


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)  # no overflow for large negative z
    return ez / (1.0 + ez)


@dataclass
class LogisticRegression:
    """p(y=1 | x) = sigmoid(w . x + b), with an optional L2 penalty on w."""

    weights: list[float]
    bias: float = 0.0
    l2: float = 0.0
    steps: int = field(default=0, compare=False)  # gradient steps taken so far

    @classmethod
    def zeros(cls, n_features: int, l2: float = 0.0) -> LogisticRegression:
        return cls([0.0] * n_features, 0.0, l2)

    def predict_proba(self, row: Row) -> float:
        return sigmoid(sum(w * x for w, x in zip(self.weights, row)) + self.bias)

    def predict(self, row: Row, threshold: float = 0.5) -> int:
        return 1 if self.predict_proba(row) >= threshold else 0

    def loss(self, data: Dataset) -> float:
        """Mean cross-entropy over `data`, plus the L2 penalty."""
        if not len(data):
            raise ValueError("the loss of an empty data set is undefined")
        total = 0.0
        for row, label in data:
            p = min(max(self.predict_proba(row), _EPSILON), 1.0 - _EPSILON)
            total -= math.log(p) if label else math.log(1.0 - p)
        return total / len(data) + 0.5 * self.l2 * sum(w * w for w in self.weights)

    def gradient(self, rows: Sequence[Row], labels: Sequence[int]) -> tuple[list[float], float]:
        """d loss / d weights and d loss / d bias over the given rows."""
        grad_w = [0.0] * len(self.weights)
        grad_b = 0.0
        for row, label in zip(rows, labels):
            error = self.predict_proba(row) - label
            for i, x in enumerate(row):
                grad_w[i] += error * x
            grad_b += error
        n = len(rows)
        return [g / n + self.l2 * w for g, w in zip(grad_w, self.weights)], grad_b / n

    def step(self, rows: Sequence[Row], labels: Sequence[int], learning_rate: float) -> None:
        grad_w, grad_b = self.gradient(rows, labels)
        self.weights = [w - learning_rate * g for w, g in zip(self.weights, grad_w)]
        self.bias -= learning_rate * grad_b
        self.steps += 1

    def copy(self) -> LogisticRegression:
        return LogisticRegression(list(self.weights), self.bias, self.l2, self.steps)

    def to_dict(self) -> dict[str, object]:
        return {"weights": list(self.weights), "bias": self.bias, "l2": self.l2, "steps": self.steps}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LogisticRegression:
        weights = data["weights"]
        if not isinstance(weights, list):
            raise ValueError("a model's weights must be a list")
        return cls(
            [float(w) for w in weights],
            float(data["bias"]),  # type: ignore[arg-type]
            float(data.get("l2", 0.0)),  # type: ignore[arg-type]
            int(data.get("steps", 0)),  # type: ignore[call-overload]
        )
