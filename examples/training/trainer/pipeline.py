"""The whole job: data -> split -> train -> evaluate, each stage timed, in one work directory.

    python -m trainer --workdir runs/first --epochs 50

The work directory keeps everything a later run needs: `data.csv` (made once, then loaded),
`checkpoints/` (training resumes from the newest), `metrics.json` and `summary.json` (the
settings, the metrics and each stage's wall time). Exit status: 0 done, 1 an error (one line
on stderr, starting with "error: "), 2 a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from trainer.data import load_dataset, make_dataset, save_dataset, split
from trainer.evaluate import Metrics, evaluate
from trainer.train import CheckpointMismatch, TrainConfig, TrainResult, train

STAGES = ("data", "split", "train", "evaluate")


@dataclass(frozen=True)
class Settings:
    epochs: int = 50
    examples: int = 500
    features: int = 4
    noise: float = 0.5
    seed: int = 0
    validation_fraction: float = 0.2
    learning_rate: float = 0.5
    batch_size: int = 32
    patience: int | None = 5

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            patience=self.patience,
            seed=self.seed,
        )


@dataclass
class PipelineResult:
    timings: dict[str, float] = field(default_factory=dict)  # stage name -> seconds, in order
    training: TrainResult | None = None
    validation: Metrics | None = None
    train_metrics: Metrics | None = None
    data_loaded: bool = False  # data.csv was there already


class _Stages:
    """Times each stage and prints one line about it."""

    def __init__(self, out: TextIO, result: PipelineResult) -> None:
        self.out = out
        self.result = result

    def say(self, stage: str, text: str) -> None:
        print(f"[{stage}] {text}", file=self.out, flush=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        yield
        seconds = time.perf_counter() - began
        self.result.timings[name] = seconds
        self.say(name, f"done in {seconds:.3f} s")


def run_pipeline(
    workdir: Path, settings: Settings, out: TextIO | None = None, verbose: bool = True
) -> PipelineResult:
    """Run every stage in order; raises ValueError or CheckpointMismatch on bad input."""
    out = out if out is not None else sys.stdout
    workdir.mkdir(parents=True, exist_ok=True)
    result = PipelineResult()
    stages = _Stages(out, result)

    with stages.stage("data"):
        data_file = workdir / "data.csv"
        if data_file.exists():
            dataset = load_dataset(data_file)
            result.data_loaded = True
            stages.say("data", f"loaded {len(dataset)} examples from {data_file.name}")
        else:
            dataset = make_dataset(settings.examples, settings.features, settings.noise, settings.seed)
            save_dataset(dataset, data_file)
            stages.say("data", f"made {len(dataset)} examples of {dataset.n_features} features")

    with stages.stage("split"):
        train_set, validation_set = split(dataset, settings.validation_fraction, settings.seed)
        stages.say("split", f"{len(train_set)} train, {len(validation_set)} validation")

    with stages.stage("train"):
        training = train(
            train_set,
            validation_set,
            settings.train_config(),
            checkpoint_dir=workdir / "checkpoints",
            log=(lambda line: stages.say("train", line)) if verbose else None,
        )
        result.training = training
        if training.resumed_from is not None:
            stages.say("train", f"resumed from the checkpoint of epoch {training.resumed_from}")
        how = "stopped early" if training.stopped_early else f"{len(training.history)} epochs"
        stages.say("train", f"best epoch {training.best_epoch} ({how})")

    with stages.stage("evaluate"):
        result.train_metrics = evaluate(training.model, train_set)
        result.validation = evaluate(training.model, validation_set)
        v = result.validation
        stages.say("evaluate", f"validation accuracy {v.accuracy:.3f}, f1 {v.f1:.3f}, loss {v.loss:.4f}")

    summary = {
        "settings": asdict(settings),
        "timings": result.timings,
        "best_epoch": training.best_epoch,
        "epochs": len(training.history),
        "stopped_early": training.stopped_early,
        "resumed_from": training.resumed_from,
        "train": result.train_metrics.to_dict(),
        "validation": result.validation.to_dict(),
    }
    (workdir / "metrics.json").write_text(json.dumps(summary["validation"], indent=1), encoding="utf-8")
    (workdir / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return result


def _parser() -> argparse.ArgumentParser:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m trainer",
        description="Train a logistic regression on synthetic data, resumable from checkpoints.",
    )
    parser.add_argument("--workdir", type=Path, required=True, help="where data, checkpoints and results go")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--examples", type=int, default=defaults.examples)
    parser.add_argument("--features", type=int, default=defaults.features)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument(
        "--patience", type=int, default=defaults.patience, help="0: never stop early"
    )
    parser.add_argument("--validation-fraction", type=float, default=defaults.validation_fraction)
    parser.add_argument("-q", "--quiet", action="store_true", help="no line per epoch")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    err = err if err is not None else sys.stderr
    settings = Settings(
        epochs=args.epochs,
        examples=args.examples,
        features=args.features,
        seed=args.seed,
        validation_fraction=args.validation_fraction,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        patience=args.patience or None,
    )
    began = time.perf_counter()
    try:
        run_pipeline(args.workdir, settings, out, verbose=not args.quiet)
    except (ValueError, CheckpointMismatch, OSError) as error:
        print(f"error: {error}", file=err)
        return 1
    print(
        f"done in {time.perf_counter() - began:.2f} s: {args.workdir / 'summary.json'}",
        file=out if out is not None else sys.stdout,
    )
    return 0
