"""Stage 1: a synthetic binary classification data set, stored as CSV and split by seed.

The labels come from a hidden linear rule plus noise, so a linear model can learn them well
but not perfectly, and validation loss flattens out: what early stopping needs.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

Row = tuple[float, ...]


@dataclass(frozen=True)
class Dataset:
    """Feature rows and their 0/1 labels, in matching order."""

    features: tuple[Row, ...]
    labels: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.features) != len(self.labels):
            raise ValueError(
                f"{len(self.features)} feature rows but {len(self.labels)} labels"
            )
        widths = {len(row) for row in self.features}
        if len(widths) > 1:
            raise ValueError(f"feature rows of different widths: {sorted(widths)}")
        if any(label not in (0, 1) for label in self.labels):
            raise ValueError("labels must be 0 or 1")

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self) -> Iterator[tuple[Row, int]]:
        return iter(zip(self.features, self.labels))

    @property
    def n_features(self) -> int:
        return len(self.features[0]) if self.features else 0

    def subset(self, indices: Sequence[int]) -> Dataset:
        return Dataset(
            tuple(self.features[i] for i in indices), tuple(self.labels[i] for i in indices)
        )

    def positive_rate(self) -> float:
        return sum(self.labels) / len(self.labels) if self.labels else 0.0


def make_dataset(
    n_examples: int = 500, n_features: int = 4, noise: float = 0.5, seed: int = 0
) -> Dataset:
    """`n_examples` rows of standard normal features, labelled by a hidden noisy linear rule."""
    if n_examples < 1 or n_features < 1:
        raise ValueError("a data set needs at least one example and one feature")
    rng = random.Random(seed)
    true_weights = [rng.uniform(-2.0, 2.0) for _ in range(n_features)]
    true_bias = rng.uniform(-0.5, 0.5)
    features: list[Row] = []
    labels: list[int] = []
    for _ in range(n_examples):
        row = tuple(rng.gauss(0.0, 1.0) for _ in range(n_features))
        margin = sum(w * x for w, x in zip(true_weights, row)) + true_bias
        labels.append(1 if margin + rng.gauss(0.0, noise) > 0 else 0)
        features.append(row)
    return Dataset(tuple(features), tuple(labels))


def split(
    dataset: Dataset, validation_fraction: float = 0.2, seed: int = 0
) -> tuple[Dataset, Dataset]:
    """(train, validation): a shuffle by `seed`, so the same seed always gives the same split."""
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be between 0 and 1, not {validation_fraction}")
    indices = list(range(len(dataset)))
    random.Random(seed).shuffle(indices)
    n_validation = max(1, math.floor(len(indices) * validation_fraction))
    if n_validation >= len(indices):
        raise ValueError(f"{len(dataset)} examples are too few to split")
    return dataset.subset(indices[n_validation:]), dataset.subset(indices[:n_validation])


def save_dataset(dataset: Dataset, path: Path) -> None:
    """Write the data set as CSV: x0..xN-1 columns, then `label`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([f"x{i}" for i in range(dataset.n_features)] + ["label"])
        for row, label in dataset:
            writer.writerow([repr(x) for x in row] + [label])
    partial.replace(path)


def load_dataset(path: Path) -> Dataset:
    """Read a data set written by `save_dataset`."""
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader, None)
        if not header or header[-1] != "label":
            raise ValueError(f"{path}: not a data set (the last column must be 'label')")
        features: list[Row] = []
        labels: list[int] = []
        for number, record in enumerate(reader, start=2):
            if len(record) != len(header):
                raise ValueError(f"{path}:{number}: {len(record)} columns, expected {len(header)}")
            features.append(tuple(float(x) for x in record[:-1]))
            labels.append(int(record[-1]))
    return Dataset(tuple(features), tuple(labels))
