"""Trials per hour with 1 vs 2 local worker processes on the same trials (target: 2 workers >= 1.6x).

The sampler is random with a fixed seed and nothing is pruned, so both runs train exactly the
same networks on the same MNIST subset; only the number of workers differs.
Run: .venv/bin/python bench/concurrency.py [--trials 6] [--samples 6000] [--epochs 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import mnist_data_dir

TARGET = 1.6


def search(args: argparse.Namespace, data_dir: Path, workers: int) -> tuple[float, list[dict[str, object]]]:
    from healthtune import OptimizationConfig, optimize

    config = OptimizationConfig(
        dataset="mnist", data_dir=data_dir, max_samples=args.samples, trials=args.trials,
        max_epochs_per_trial=args.epochs, sampler="random", pruner="none", mode="simple",
        health_monitoring_frequency=0, plot_mode="none", tensorboard=False, executor="local",
        concurrent_workers=workers, results_root=Path(tempfile.mkdtemp(prefix="healthtune-bench-")),
        run_name=f"concurrency_{workers}", seed=args.seed,
        search_space_overrides={"conv_blocks": {"low": 1, "high": 2}, "filters": [16, 32], "dense_units": [64, 128]},
    )  # fmt: skip
    start = time.perf_counter()
    result = optimize(config)
    wall = time.perf_counter() - start
    return wall, [dict(t.params) for t in sorted(result.trials, key=lambda t: t.number)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--samples", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = mnist_data_dir()
    one_wall, one_params = search(args, data_dir, workers=1)
    two_wall, two_params = search(args, data_dir, workers=2)
    assert one_params == two_params, "both runs must train the same trials"
    one_rate, two_rate = args.trials * 3600 / one_wall, args.trials * 3600 / two_wall
    ratio = two_rate / one_rate
    print(f"1 worker : {one_wall:6.1f} s for {args.trials} trials = {one_rate:6.1f} trials/hour")
    print(f"2 workers: {two_wall:6.1f} s for {args.trials} trials = {two_rate:6.1f} trials/hour")
    print(
        f"ratio 2 workers / 1 worker: {ratio:.2f}x (target >= {TARGET}x) -> {'OK' if ratio >= TARGET else 'BELOW TARGET'}"
    )


if __name__ == "__main__":
    main()
