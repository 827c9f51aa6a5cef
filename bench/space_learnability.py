"""How many random draws from the CNN search space learn within 2 epochs on 12,000 MNIST examples.

A draw "learned" when its validation accuracy is at least twice chance (0.2 on 10 classes); the
target is at least 80% of draws. Draws are made by Optuna's RandomSampler, as a search's start-up
trials are; networks over the default max_model_mflops are redrawn, as a search rejects them before
training. `--space previous` draws from the space as it was before issue 21 (one learning-rate
range for every optimizer, global pooling after any number of blocks), frozen below, and trains
them with the same trainer; `--space both` prints the two shares side by side.
Run: .venv/bin/python bench/space_learnability.py [--draws 40] [--space both]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import mnist_data_dir

TARGET_SHARE = 0.80

# (name, kind, low/choices, high, log, condition): the CNN space before issue 21.
PREVIOUS_SPACE: tuple[tuple[str, str, Any, Any, bool, tuple[str, Any] | None], ...] = (
    ("conv_blocks", "int", 1, 4, False, None),
    ("convs_per_block", "int", 1, 2, False, None),
    ("filters", "categorical", (16, 32, 64), None, False, None),
    ("filter_growth", "categorical", (1.0, 1.5, 2.0), None, False, None),
    ("kernel_size", "categorical", (3, 5), None, False, None),
    ("batch_norm", "categorical", (True, False), None, False, None),
    ("pooling", "categorical", ("max", "avg"), None, False, None),
    ("global_pooling", "categorical", (True, False), None, False, None),
    ("conv_dropout", "float", 0.0, 0.4, False, None),
    ("activation", "categorical", ("relu", "leaky_relu", "gelu", "swish"), None, False, None),
    ("dense_layers", "int", 0, 2, False, None),
    ("dense_units", "categorical", (64, 128, 256), None, False, None),
    ("dense_dropout", "float", 0.0, 0.5, False, None),
    ("optimizer", "categorical", ("adam", "adamw", "sgd", "rmsprop"), None, False, None),
    ("learning_rate", "float", 1e-4, 1e-2, True, None),
    ("momentum", "float", 0.8, 0.99, False, ("optimizer", "sgd")),
    ("weight_decay", "float", 1e-5, 1e-2, True, ("optimizer", "adamw")),
    ("lr_schedule", "categorical", ("constant", "cosine"), None, False, None),
)


def previous_space(dataset: Any) -> Callable[[Any], dict[str, Any]]:
    return previous_draw


def current_space(dataset: Any) -> Callable[[Any], dict[str, Any]]:
    """Draws as a search on this dataset makes them (MNIST is grayscale: no augmentation)."""
    from healthtune.search import HyperparameterSelector

    selector = HyperparameterSelector.for_dataset(dataset)
    return lambda trial: {k: v for k, v in selector.suggest(trial).to_dict().items() if k != "architecture"}


def previous_draw(trial: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind, low, high, log, condition in PREVIOUS_SPACE:
        if condition is not None and values.get(condition[0]) != condition[1]:
            continue
        if kind == "categorical":
            values[name] = trial.suggest_categorical(name, list(low))
        elif kind == "int":
            values[name] = trial.suggest_int(name, low, high)
        else:
            values[name] = trial.suggest_float(name, low, high, log=log)
    return values


def measure(
    space: str,
    make_draw: Callable[[Any], Callable[[Any], dict[str, Any]]],
    args: argparse.Namespace,
    data_dir: Path,
) -> float:
    import optuna

    from healthtune.core.config import Architecture
    from healthtune.models import ModelConfig
    from healthtune.models.compute import forward_mflops
    from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec
    from healthtune.training.trainer import load_trial_data, run_trial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data = DataSpec("mnist", 0.2, args.seed, max_samples=args.samples, data_dir=str(data_dir))
    dataset = load_trial_data(data)
    chance = 1.0 / dataset.num_classes
    draw = make_draw(dataset)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=args.seed))
    learned = trained = redrawn = 0
    accuracies: list[float] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as root:
        while trained < args.draws:
            trial = study.ask()
            config = ModelConfig(architecture=Architecture.CNN, **draw(trial))
            if forward_mflops(config, input_shape=dataset.input_shape, num_classes=10) > args.max_mflops:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                redrawn += 1
                continue
            spec = TrialSpec(space, trial.number, config.to_dict(), data, args.epochs, args.batch_size,
                             args.seed, str(Path(root) / f"trial_{trial.number}"),
                             health=HealthSpec(frequency=0), tensorboard=False)  # fmt: skip
            try:
                accuracy = float(run_trial(spec).metrics["val_accuracy"])
            except Exception as error:  # a diverged draw did not learn
                accuracy = float("nan")
                print(f"  {space} draw {trained}: {type(error).__name__}: {error}")
            study.tell(trial, 0.0 if accuracy != accuracy else accuracy)
            trained += 1
            ok = accuracy >= 2 * chance
            learned += ok
            accuracies.append(0.0 if accuracy != accuracy else accuracy)
            shown = {k: (f"{v:.2g}" if isinstance(v, float) else v) for k, v in trial.params.items()}
            print(f"  {space} draw {trained:2d}: val {accuracy:.3f} {'learned' if ok else 'DID NOT LEARN'} "
                  f"{shown}", flush=True)  # fmt: skip
    share = learned / trained
    well = sum(a >= 0.9 for a in accuracies) / trained  # beside the target: how far the draws got
    print(f"{space}: {learned}/{trained} draws learned ({share:.0%}); median validation accuracy "
          f"{statistics.median(accuracies):.3f}, {well:.0%} reached 0.9; {redrawn} redrawn as too large, "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    return share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-mflops", type=float, default=150.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--space", choices=("current", "previous", "both"), default="both")
    args = parser.parse_args()
    data_dir = mnist_data_dir()
    shares: dict[str, float] = {}
    if args.space in ("previous", "both"):
        shares["previous"] = measure("previous", previous_space, args, data_dir)
    if args.space in ("current", "both"):
        shares["current"] = measure("current", current_space, args, data_dir)
    for space, share in shares.items():
        verdict = "meets" if share >= TARGET_SHARE else "misses"
        print(
            f"{space:8s}: {share:.0%} of draws learned within {args.epochs} epochs ({verdict} {TARGET_SHARE:.0%})"
        )


if __name__ == "__main__":
    main()
