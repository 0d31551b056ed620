"""Fixtures of the `test.stages` package: kept while its cases run, dropped after them."""

from __future__ import annotations

from thinking_tests import fixture

from test import fixtures as shared  # noqa: F401  (registers `dataset`)
from trainer.data import Dataset, split


@fixture(scope="package")
def splits(dataset: Dataset) -> tuple[Dataset, Dataset]:
    """(train, validation) of the session's data set, split once for this package."""
    return split(dataset, validation_fraction=0.25, seed=shared.SEED)
