"""Stage 3's model: the loss, its gradient, and training that actually lowers it."""

from __future__ import annotations

import json
import math

from thinking_tests import fixture, run_current_module, test

from test.stages import fixtures  # noqa: F401  (registers `dataset` and `splits`)
from trainer.data import Dataset, make_dataset
from trainer.model import LogisticRegression, sigmoid
from trainer.train import TrainConfig, TrainResult, train

Splits = tuple[Dataset, Dataset]


@fixture(scope="module")
def trained(splits: Splits) -> TrainResult:
    """One training run (25 epochs, no early stopping) shared by this module's cases."""
    train_set, validation_set = splits
    return train(train_set, validation_set, TrainConfig(epochs=25, learning_rate=0.3, patience=None, seed=7))


@test("an untrained model says 0.5 for everything: a loss of ln 2")
def starts_at_chance(dataset: Dataset) -> None:
    model = LogisticRegression.zeros(dataset.n_features)
    assert model.predict_proba(dataset.features[0]) == 0.5
    assert math.isclose(model.loss(dataset), math.log(2))


@test
def sigmoid_never_overflows() -> None:
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0
    assert math.isclose(sigmoid(2.0) + sigmoid(-2.0), 1.0)


@test("the analytic gradient matches finite differences, L2 penalty included")
def gradient_matches_finite_differences() -> None:
    data = make_dataset(30, n_features=3, seed=5)
    model = LogisticRegression([0.3, -0.2, 0.5], 0.1, l2=0.05)
    grad_w, grad_b = model.gradient(data.features, data.labels)
    h = 1e-6
    for i in range(3):
        up, down = model.copy(), model.copy()
        up.weights[i] += h
        down.weights[i] -= h
        numeric = (up.loss(data) - down.loss(data)) / (2 * h)
        assert math.isclose(grad_w[i], numeric, rel_tol=1e-5, abs_tol=1e-7), (i, grad_w[i], numeric)
    up, down = model.copy(), model.copy()
    up.bias += h
    down.bias -= h
    assert math.isclose(grad_b, (up.loss(data) - down.loss(data)) / (2 * h), rel_tol=1e-5)


@test("training loss goes down epoch after epoch, and validation loss with it")
def loss_decreases(trained: TrainResult) -> None:
    train_losses = [r.train_loss for r in trained.history]
    validation_losses = [r.validation_loss for r in trained.history]
    assert train_losses[0] < math.log(2)  # the first epoch already beats chance
    assert all(later <= earlier + 1e-3 for earlier, later in zip(train_losses, train_losses[1:]))
    assert train_losses[-1] < 0.75 * train_losses[0]
    assert min(validation_losses) < 0.75 * validation_losses[0]


@test
def returns_the_best_weights(trained: TrainResult, splits: Splits) -> None:
    _, validation_set = splits
    assert trained.model.loss(validation_set) == trained.best_validation_loss
    assert trained.history[trained.best_epoch - 1].validation_loss == trained.best_validation_loss
    assert trained.last_model.steps == 25 * math.ceil(300 / 32)  # every batch of every epoch


@test(
    "every sensible learning rate learns; a bigger one gets there in fewer epochs",
    params=[(0.01, 0.55), (0.05, 0.35), (0.3, 0.25), (1.0, 0.2)],
    ids=["lr=0.01", "lr=0.05", "lr=0.3", "lr=1.0"],
)
def learns_with_rate(learning_rate: float, loss_after_20: float, splits: Splits) -> None:
    train_set, validation_set = splits
    config = TrainConfig(epochs=20, learning_rate=learning_rate, patience=None, seed=7)
    result = train(train_set, validation_set, config)
    assert result.history[-1].train_loss < result.history[0].train_loss
    assert result.history[-1].train_loss < loss_after_20


@test("an L2 penalty keeps the weights smaller")
def l2_shrinks_weights(splits: Splits) -> None:
    train_set, validation_set = splits

    def norm(l2: float) -> float:
        config = TrainConfig(epochs=10, learning_rate=0.3, patience=None, l2=l2, seed=7)
        return math.hypot(*train(train_set, validation_set, config).last_model.weights)

    assert norm(0.1) < 0.7 * norm(0.0)


@test
def round_trips_through_json(trained: TrainResult) -> None:
    model = trained.model
    assert LogisticRegression.from_dict(json.loads(json.dumps(model.to_dict()))) == model


if __name__ == "__main__":
    run_current_module()
