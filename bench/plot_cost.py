"""Plot generation time per trial vs the trial's training time on MNIST, 3 epochs (target: plots <= 20%).

Run: .venv/bin/python bench/plot_cost.py [--samples 12000] [--epochs 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import mnist_data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    from healthtune.core.scoring import ScoringWeights
    from healthtune.models import ModelConfig, build_model
    from healthtune.plots import make_trial_plots
    from healthtune.plots.context import PlotContext
    from healthtune.training.spec import DataSpec, HealthSpec
    from healthtune.training.trainer import diagnose, load_trial_data, seed_everything, train_model

    data = load_trial_data(
        DataSpec("mnist", 0.2, 0, max_samples=args.samples, data_dir=str(mnist_data_dir()))
    )
    seed_everything(0)
    steps = -(-len(data.y_train) // args.batch_size)
    model = build_model(ModelConfig(), data, total_steps=steps * args.epochs)
    start = time.perf_counter()
    outcome = train_model(model, data, epochs=args.epochs, batch_size=args.batch_size, health=HealthSpec())
    report, _ = diagnose(model, data, outcome)
    training = time.perf_counter() - start
    start = time.perf_counter()
    context = PlotContext.build(
        model,
        data,
        outcome.history,
        report,
        ScoringWeights(),
        epochs_planned=args.epochs,
        batch_size=args.batch_size,
    )
    names = make_trial_plots(context, Path(tempfile.mkdtemp(prefix="healthtune-plots-")))
    plotting = time.perf_counter() - start
    ratio = plotting / training
    print(f"MNIST subset: {len(data.y_train)} train, {args.epochs} epochs: training {training:.1f} s")
    print(f"{len(names)} plots in {plotting:.1f} s ({plotting / max(1, len(names)):.2f} s per plot)")
    print(
        f"plot cost ratio: {ratio:.3f} of training time (target <= 0.20) -> {'OK' if ratio <= 0.20 else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()
