"""A 10-trial, 3-epoch search on real MNIST: wall time, epochs trained, best test accuracy (target >= 0.990).

With --baseline it also runs a hand-written Optuna + Keras search (same space, same budget, no
pruning, no healthtune) in the same process and prints the ratios.
Run: .venv/bin/python bench/mnist_search.py [--trials 10] [--epochs 3] [--baseline]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import mnist_data_dir

TARGET = 0.990


def healthtune_search(args: argparse.Namespace, data_dir: Path, root: Path) -> dict[str, float]:
    from healthtune import OptimizationConfig, optimize
    from healthtune.run.events import Event

    config = OptimizationConfig(
        dataset="mnist",
        data_dir=data_dir,
        trials=args.trials,
        max_epochs_per_trial=args.epochs,
        batch_size=args.batch_size,
        pruner=args.pruner,
        results_root=root,
        run_name="bench_mnist",
        mode="simple",  # this benchmark measures accuracy
        seed=args.seed,
    )
    start = time.perf_counter()
    reached: dict[str, float] = {}
    epochs_so_far = 0

    def watch(event: Event) -> None:
        """Time and epochs until the first trial whose test accuracy reaches the target."""
        nonlocal epochs_so_far
        if event.type.value == "epoch_ended":
            epochs_so_far += 1
        elif (
            event.type.value == "trial_finished"
            and not reached
            and float(event.data["metrics"].get("test_accuracy", 0)) >= TARGET
        ):
            reached.update(seconds=time.perf_counter() - start, epochs=epochs_so_far)

    result = optimize(config, on_event=watch)
    wall = time.perf_counter() - start
    epochs = sum(int(t.metrics.get("epochs_trained", 0)) for t in result.trials)
    best = result.best_trial
    assert best is not None
    for trial in result.trials:
        print(
            f"  trial {trial.number}: {trial.state:8s} val {trial.metrics.get('val_accuracy', float('nan')):.4f} "
            f"test {trial.metrics.get('test_accuracy', float('nan')):.4f} epochs {trial.metrics.get('epochs_trained')}"
        )
    return {
        "wall": wall,
        "epochs": epochs,
        "test": float(best.metrics["test_accuracy"]),
        "val": best.score or 0.0,
        "target_seconds": reached.get("seconds", float("nan")),
        "target_epochs": reached.get("epochs", float("nan")),
    }


def plain_search(args: argparse.Namespace, data_dir: Path) -> dict[str, float]:
    """What a user writes by hand: TPE over the same space, every trial trained to the full budget."""
    import keras
    import optuna

    from healthtune.core.config import Architecture
    from healthtune.models import build_model
    from healthtune.search import HyperparameterSelector
    from healthtune.training.spec import DataSpec
    from healthtune.training.trainer import evaluate, load_trial_data

    data = load_trial_data(DataSpec("mnist", 0.2, args.seed, data_dir=str(data_dir)))
    selector = HyperparameterSelector(Architecture.CNN)
    tests: dict[int, float] = {}

    def objective(trial: optuna.Trial) -> float:
        keras.backend.clear_session()
        keras.utils.set_random_seed(args.seed + trial.number)
        steps = -(-len(data.y_train) // args.batch_size)
        model = build_model(selector.suggest(trial), data, total_steps=steps * args.epochs)
        model.fit(data.x_train, data.y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=0)
        tests[trial.number] = evaluate(model, data.x_test, data.y_test)[0]["accuracy"]
        return evaluate(model, data.x_val, data.y_val)[0]["accuracy"]

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=args.seed))
    start = time.perf_counter()
    study.optimize(objective, n_trials=args.trials)
    wall = time.perf_counter() - start
    return {
        "wall": wall,
        "epochs": args.trials * args.epochs,
        "test": tests[study.best_trial.number],
        "val": float(study.best_value),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--pruner", default="median")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--baseline", action="store_true", help="also run a hand-written Optuna + Keras search"
    )
    args = parser.parse_args()
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data_dir = mnist_data_dir()
    root = Path(tempfile.mkdtemp(prefix="healthtune-bench-"))
    budget = args.trials * args.epochs
    ours = healthtune_search(args, data_dir, root)
    print(
        f"healthtune: {ours['wall']:.0f} s wall, {ours['epochs']:.0f}/{budget} epochs trained "
        f"(ratio {ours['epochs'] / budget:.2f} of the budget), {args.trials * 3600 / ours['wall']:.1f} trials/hour, "
        f"best val {ours['val']:.4f}, best test accuracy {ours['test']:.4f} (target >= 0.990) -> "
        f"{'OK' if ours['test'] >= TARGET else 'BELOW TARGET'}"
    )
    print(
        f"first trial with test accuracy >= {TARGET}: after {ours['target_seconds']:.0f} s and "
        f"{ours['target_epochs']:.0f} epochs"
    )
    if args.baseline:
        plain = plain_search(args, data_dir)
        print(
            f"hand-written Optuna+Keras: {plain['wall']:.0f} s wall, {plain['epochs']:.0f} epochs, "
            f"best test accuracy {plain['test']:.4f}"
        )
        print(
            f"ratios healthtune/hand-written: wall {ours['wall'] / plain['wall']:.2f}, epochs {ours['epochs'] / plain['epochs']:.2f}"
        )


if __name__ == "__main__":
    main()
