"""Fixtures shared by every test package here; a module that uses them imports this one.

Importing is what registers them, so `python -m test.stages.test_model` (one module alone)
finds them too.
"""

from __future__ import annotations

from thinking_tests import fixture

from trainer.data import Dataset, make_dataset

SEED = 7


@fixture(scope="session")
def dataset() -> Dataset:
    """One synthetic data set for the whole run: made once, in the first case that asks."""
    return make_dataset(n_examples=400, n_features=3, noise=0.5, seed=SEED)
