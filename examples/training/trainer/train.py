"""Stage 3: the training loop, with early stopping and JSON checkpoints to resume from.

After every epoch the whole state of the loop — model, best model so far, early-stopping
counters, history — is written to `checkpoint-NNNN.json` in the checkpoint directory. A
later call with the same directory carries on from the newest checkpoint, and since each
epoch's shuffle depends only on the seed and the epoch number, an interrupted and resumed
run ends with exactly the weights of an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from trainer.data import Dataset
from trainer.model import LogisticRegression

CHECKPOINT_FORMAT = 1
_CHECKPOINT_NAME = re.compile(r"^checkpoint-(\d{4,})\.json$")


class CheckpointMismatch(Exception):
    """The checkpoint directory holds a run with other settings than the ones asked for."""


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30
    learning_rate: float = 0.5
    batch_size: int = 32
    patience: int | None = 5  # epochs without improvement before stopping; None: never stop
    min_delta: float = 1e-4  # a validation loss must drop by more than this to count
    l2: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 0:
            raise ValueError(f"epochs must be 0 or more, not {self.epochs}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, not {self.learning_rate}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, not {self.batch_size}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be 1 or more (or None), not {self.patience}")

    def resume_key(self) -> dict[str, object]:
        """What must match to resume: everything but the number of epochs."""
        key = asdict(self)
        del key["epochs"]
        return key


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # 1-based
    train_loss: float
    validation_loss: float
    seconds: float

    @property
    def losses(self) -> tuple[int, float, float]:
        """Everything but the wall time: equal between an interrupted and a whole run."""
        return (self.epoch, self.train_loss, self.validation_loss)


@dataclass
class TrainResult:
    model: LogisticRegression  # the weights of the best validation loss
    last_model: LogisticRegression  # the weights after the last epoch run
    history: list[EpochRecord]
    best_epoch: int
    stopped_early: bool
    resumed_from: int | None = None  # the checkpoint's epoch, when one was found
    epochs_run: int = 0  # epochs run by this call (not counting the resumed ones)
    checkpoints: list[Path] = field(default_factory=list)

    @property
    def best_validation_loss(self) -> float:
        """The validation loss of `model` (inf before any epoch)."""
        return self.history[self.best_epoch - 1].validation_loss if self.best_epoch else math.inf


@dataclass
class _LoopState:
    epoch: int
    model: LogisticRegression
    best_model: LogisticRegression
    best_epoch: int
    best_loss: float
    bad_epochs: int
    history: list[EpochRecord]
    stopped_early: bool

    def to_json(self, config: TrainConfig) -> dict[str, object]:
        return {
            "format": CHECKPOINT_FORMAT,
            "epoch": self.epoch,
            "config": asdict(config),
            "model": self.model.to_dict(),
            "best_model": self.best_model.to_dict(),
            "best_epoch": self.best_epoch,
            "best_validation_loss": None if math.isinf(self.best_loss) else self.best_loss,
            "bad_epochs": self.bad_epochs,
            "stopped_early": self.stopped_early,
            "history": [asdict(r) for r in self.history],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> _LoopState:
        best = data["best_validation_loss"]
        history = data["history"]
        assert isinstance(history, list)
        return cls(
            epoch=int(data["epoch"]),  # type: ignore[call-overload]
            model=LogisticRegression.from_dict(data["model"]),  # type: ignore[arg-type]
            best_model=LogisticRegression.from_dict(data["best_model"]),  # type: ignore[arg-type]
            best_epoch=int(data["best_epoch"]),  # type: ignore[call-overload]
            best_loss=math.inf if best is None else float(best),  # type: ignore[arg-type]
            bad_epochs=int(data["bad_epochs"]),  # type: ignore[call-overload]
            history=[EpochRecord(**r) for r in history],
            stopped_early=bool(data["stopped_early"]),
        )


def list_checkpoints(directory: Path) -> list[Path]:
    """The checkpoint files in `directory`, oldest epoch first."""
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := _CHECKPOINT_NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def load_checkpoint(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: not a checkpoint of format {CHECKPOINT_FORMAT}")
    return data


def _write_json(path: Path, data: dict[str, object]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a checkpoint


def train(
    train_set: Dataset,
    validation_set: Dataset,
    config: TrainConfig,
    checkpoint_dir: Path | None = None,
    keep_checkpoints: int = 3,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train a logistic regression; resume from `checkpoint_dir` when it holds a checkpoint.

    `on_epoch` is called after each epoch's checkpoint is written (an exception raised there
    interrupts training as a crash would); `log` receives one line per epoch.
    """
    if not len(train_set) or not len(validation_set):
        raise ValueError("training needs a non-empty training and validation set")
    if checkpoint_dir is not None:
        checkpoint_dir.mkdir(parents=True, exist_ok=True)

    state, resumed_from = _start(train_set.n_features, config, checkpoint_dir)

    rows, labels = train_set.features, train_set.labels
    epochs_run = 0
    while state.epoch < config.epochs and not state.stopped_early:
        began = time.perf_counter()
        epoch = state.epoch + 1
        order = list(range(len(rows)))
        random.Random(config.seed * 1_000_003 + epoch).shuffle(order)
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            state.model.step(
                [rows[i] for i in batch], [labels[i] for i in batch], config.learning_rate
            )
        record = EpochRecord(
            epoch,
            state.model.loss(train_set),
            state.model.loss(validation_set),
            time.perf_counter() - began,
        )
        state.epoch = epoch
        state.history.append(record)
        epochs_run += 1
        if record.validation_loss < state.best_loss - config.min_delta:
            state.best_model = state.model.copy()
            state.best_epoch, state.best_loss, state.bad_epochs = epoch, record.validation_loss, 0
        else:
            state.bad_epochs += 1
            if config.patience is not None and state.bad_epochs >= config.patience:
                state.stopped_early = True
        if log:
            note = " (stopping early)" if state.stopped_early else ""
            log(
                f"epoch {epoch:3d}: train loss {record.train_loss:.4f}, "
                f"validation loss {record.validation_loss:.4f}{note}"
            )
        if checkpoint_dir is not None:
            _save(checkpoint_dir, state, config, keep_checkpoints)
        if on_epoch is not None:
            on_epoch(record)

    return TrainResult(
        model=state.best_model,
        last_model=state.model,
        history=state.history,
        best_epoch=state.best_epoch,
        stopped_early=state.stopped_early,
        resumed_from=resumed_from,
        epochs_run=epochs_run,
        checkpoints=list_checkpoints(checkpoint_dir) if checkpoint_dir is not None else [],
    )


def _start(
    n_features: int, config: TrainConfig, checkpoint_dir: Path | None
) -> tuple[_LoopState, int | None]:
    found = list_checkpoints(checkpoint_dir) if checkpoint_dir is not None else []
    if not found:
        model = LogisticRegression.zeros(n_features, config.l2)
        return _LoopState(0, model, model.copy(), 0, math.inf, 0, [], False), None
    newest = found[-1]
    data = load_checkpoint(newest)
    saved = data["config"]
    assert isinstance(saved, dict)
    saved_key = {k: v for k, v in saved.items() if k != "epochs"}
    if saved_key != config.resume_key():
        differs = sorted(k for k in saved_key if saved_key[k] != config.resume_key().get(k))
        raise CheckpointMismatch(
            f"{newest} was written with other settings ({', '.join(differs)}); "
            "use another directory or the same settings"
        )
    state = _LoopState.from_json(data)
    if len(state.model.weights) != n_features:
        raise CheckpointMismatch(f"{newest} holds a model of {len(state.model.weights)} features")
    return state, state.epoch


def _save(directory: Path, state: _LoopState, config: TrainConfig, keep: int) -> None:
    _write_json(directory / f"checkpoint-{state.epoch:04d}.json", state.to_json(config))
    _write_json(directory / "best-model.json", state.best_model.to_dict())
    for old in list_checkpoints(directory)[:-keep] if keep > 0 else []:
        old.unlink()
