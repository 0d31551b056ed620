"""The 'model' the service runs: a logistic score whose knobs are the live settings."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.state import Value


@dataclass(frozen=True)
class Prediction:
    score: float
    label: str


def predict(values: Sequence[float], settings: Mapping[str, Value]) -> Prediction:
    """sigmoid(scale * mean(values) + offset), labelled by the threshold."""
    if not values:
        raise ValueError("at least one value is needed")
    z = float(settings["scale"]) * (sum(values) / len(values)) + float(settings["offset"])
    score = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    positive = score >= float(settings["threshold"])
    return Prediction(score, str(settings["positive_label" if positive else "negative_label"]))
