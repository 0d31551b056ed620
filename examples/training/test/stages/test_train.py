"""Stage 3's loop: early stopping, checkpoints, and resuming exactly where a run stopped."""

from __future__ import annotations

import json
from pathlib import Path

from thinking_tests import run_current_module, test

from test.stages import fixtures  # noqa: F401  (registers `dataset` and `splits`)
from trainer.data import Dataset, make_dataset, split
from trainer.evaluate import evaluate
from trainer.train import (
    CheckpointMismatch, EpochRecord, TrainConfig, TrainResult, list_checkpoints, train,
)

Splits = tuple[Dataset, Dataset]

# Stops at epoch 13 on the package's split: the best validation loss is at epoch 11.
EARLY = TrainConfig(epochs=200, learning_rate=0.5, patience=2, min_delta=1e-3, seed=7)


class Crash(Exception):
    """Stands for whatever kills a long run: a pre-empted machine, an out-of-memory kill."""


def crash_after(epoch: int):  # type: ignore[no-untyped-def]
    def on_epoch(record: EpochRecord) -> None:
        if record.epoch == epoch:
            raise Crash(f"killed after epoch {epoch}")

    return on_epoch


def same_run(a: TrainResult, b: TrainResult) -> bool:
    """Equal weights, bit for bit, and the same losses in every epoch."""
    return (
        a.model == b.model
        and a.last_model == b.last_model
        and [r.losses for r in a.history] == [r.losses for r in b.history]
        and (a.best_epoch, a.stopped_early) == (b.best_epoch, b.stopped_early)
    )


@test("early stopping ends the run `patience` epochs after the best one")
def early_stopping_triggers(splits: Splits) -> None:
    result = train(*splits, EARLY)
    assert result.stopped_early
    assert len(result.history) < EARLY.epochs
    assert len(result.history) == result.best_epoch + EARLY.patience  # type: ignore[operator]
    # The weights returned are those of the best epoch, not the last ones.
    assert result.model.loss(splits[1]) == result.history[result.best_epoch - 1].validation_loss
    assert result.model != result.last_model


@test
def runs_every_epoch_without_patience(splits: Splits) -> None:
    result = train(*splits, TrainConfig(epochs=15, learning_rate=0.5, patience=None, seed=7))
    assert not result.stopped_early
    assert [r.epoch for r in result.history] == list(range(1, 16))


@test("a checkpoint per epoch, the newest three kept, each valid JSON")
def writes_checkpoints(splits: Splits, tmp_path: Path) -> None:
    config = TrainConfig(epochs=6, learning_rate=0.5, patience=None, seed=7)
    result = train(*splits, config, checkpoint_dir=tmp_path, keep_checkpoints=3)
    names = [p.name for p in result.checkpoints]
    assert names == ["checkpoint-0004.json", "checkpoint-0005.json", "checkpoint-0006.json"]
    newest = json.loads((tmp_path / names[-1]).read_text())
    assert newest["epoch"] == 6 and len(newest["history"]) == 6
    assert newest["config"]["learning_rate"] == 0.5
    assert (tmp_path / "best-model.json").exists()
    assert not list(tmp_path.glob("*.partial"))


@test(
    "a run killed after any epoch and resumed ends exactly like an uninterrupted run",
    params=[1, 6, 12],
    ids=["after-epoch-1", "while-improving", "while-counting-patience"],
)
def resume_gives_the_same_result(crash_epoch: int, splits: Splits, tmp_path: Path) -> None:
    whole = train(*splits, EARLY, checkpoint_dir=tmp_path / "whole")

    directory = tmp_path / "interrupted"
    try:
        train(*splits, EARLY, checkpoint_dir=directory, on_epoch=crash_after(crash_epoch))
    except Crash:
        pass
    else:
        raise AssertionError("the run was not interrupted")
    assert list_checkpoints(directory)[-1].name == f"checkpoint-{crash_epoch:04d}.json"

    resumed = train(*splits, EARLY, checkpoint_dir=directory)
    assert resumed.resumed_from == crash_epoch
    assert resumed.epochs_run == len(whole.history) - crash_epoch
    assert same_run(resumed, whole)


@test("asking for more epochs carries a finished run on")
def extends_a_finished_run(splits: Splits, tmp_path: Path) -> None:
    config = TrainConfig(epochs=5, learning_rate=0.5, patience=None, seed=7)
    train(*splits, config, checkpoint_dir=tmp_path)
    longer = TrainConfig(epochs=8, learning_rate=0.5, patience=None, seed=7)
    extended = train(*splits, longer, checkpoint_dir=tmp_path)
    assert (extended.resumed_from, extended.epochs_run) == (5, 3)
    assert same_run(extended, train(*splits, longer))


@test
def resuming_a_finished_run_trains_nothing(splits: Splits, tmp_path: Path) -> None:
    first = train(*splits, EARLY, checkpoint_dir=tmp_path)
    again = train(*splits, EARLY, checkpoint_dir=tmp_path)
    assert again.epochs_run == 0 and same_run(first, again)


@test("a checkpoint of other settings is refused, naming the setting")
def refuses_other_settings(splits: Splits, tmp_path: Path) -> None:
    train(*splits, TrainConfig(epochs=2, learning_rate=0.5, seed=7), checkpoint_dir=tmp_path)
    try:
        train(*splits, TrainConfig(epochs=2, learning_rate=0.1, seed=7), checkpoint_dir=tmp_path)
    except CheckpointMismatch as error:
        assert "(learning_rate)" in str(error)
    else:
        raise AssertionError("resumed a run of another learning rate")


@test("a longer run on more data reaches 90 % validation accuracy", tags=["slow"], timeout=30)
def long_run_learns_well() -> None:
    train_set, validation_set = split(make_dataset(1200, n_features=5, noise=0.3, seed=1), 0.2, seed=1)
    config = TrainConfig(epochs=15, learning_rate=0.3, patience=5, seed=1)
    result = train(train_set, validation_set, config)
    assert evaluate(result.model, validation_set).accuracy >= 0.9


if __name__ == "__main__":
    run_current_module()
