"""Overhead of a healthtune trial vs a hand-written Keras fit on the same data (target ratio <= 1.10).

Both sides build the same model, fit it with the same validation data and epochs, evaluate it on
validation and test, and save it; healthtune adds its callbacks and bookkeeping. By default the
trial runs without health probes and TensorBoard (their cost is bench/health_overhead.py's);
--full measures the default trial with both.
Run: .venv/bin/python bench/trial_overhead.py [--samples 12000] [--epochs 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import mnist_data_dir

CONFIGS = [
    {"conv_blocks": 2, "convs_per_block": 1, "filters": 32, "batch_norm": True, "dense_layers": 1},
    {
        "conv_blocks": 1,
        "convs_per_block": 1,
        "filters": 16,
        "batch_norm": False,
        "dense_layers": 0,
        "optimizer": "sgd",
    },
    {"conv_blocks": 3, "filters": 16, "global_pooling": True, "lr_schedule": "cosine", "optimizer": "adamw"},
]


def plain_keras(model_config: dict[str, object], data: object, epochs: int, batch: int, out: Path) -> float:
    import keras

    from healthtune.models import ModelConfig, build_model
    from healthtune.training.trainer import evaluate

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    steps = -(-len(data.y_train) // batch)  # type: ignore[attr-defined]
    model = build_model(ModelConfig.from_dict(model_config), data, total_steps=steps * epochs)  # type: ignore[arg-type]
    model.fit(
        data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),  # type: ignore[attr-defined]
        epochs=epochs, batch_size=batch, verbose=0,
    )  # fmt: skip
    evaluate(model, data.x_val, data.y_val)  # type: ignore[attr-defined]
    evaluate(model, data.x_test, data.y_test)  # type: ignore[attr-defined]
    model.save(out / "plain.keras")
    return time.perf_counter() - start


def healthtune_trial(model_config: dict[str, object], spec_data: object, epochs: int, batch: int, out: Path, n: int, full: bool) -> float:  # fmt: skip
    from healthtune.training.spec import HealthSpec, TrialSpec
    from healthtune.training.trainer import run_trial

    # full: the default trial (health probes every epoch, TensorBoard histograms); else the core trial.
    spec = TrialSpec(
        "bench", n, model_config, spec_data, epochs, batch, 0, str(out / f"trial_{n}_{full}"),  # type: ignore[arg-type]
        health=HealthSpec(frequency=1 if full else 0), tensorboard=full,
    )  # fmt: skip
    start = time.perf_counter()
    result = run_trial(spec)
    elapsed = time.perf_counter() - start
    phases = {
        k.removesuffix("_seconds"): round(v, 2) for k, v in result.metrics.items() if k.endswith("_seconds")
    }
    print(f"  healthtune phases (s): {phases}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--full",
        action="store_true",
        help="measure the default trial (probes + TensorBoard), not the core trial",
    )
    args = parser.parse_args()

    from healthtune.models import ModelConfig
    from healthtune.training.spec import DataSpec
    from healthtune.training.trainer import load_trial_data

    data_dir = mnist_data_dir()
    spec_data = DataSpec("mnist", 0.2, 0, max_samples=args.samples, data_dir=str(data_dir))
    data = load_trial_data(spec_data)
    out = Path(tempfile.mkdtemp(prefix="healthtune-bench-"))
    # Warm-up: the first fit in a process pays for graph tracing and thread pools.
    plain_keras(ModelConfig().to_dict(), data, 1, args.batch_size, out)
    totals = {"plain": 0.0, "healthtune": 0.0}
    print(f"MNIST subset: {len(data.y_train)} train / {len(data.y_val)} val, {args.epochs} epochs")
    for n, overrides in enumerate(CONFIGS):
        config = ModelConfig.from_dict(overrides).to_dict()
        # Alternate the order so neither side always runs on a warmer machine.
        if n % 2:
            ours = healthtune_trial(config, spec_data, args.epochs, args.batch_size, out, n, args.full)
            plain = plain_keras(config, data, args.epochs, args.batch_size, out)
        else:
            plain = plain_keras(config, data, args.epochs, args.batch_size, out)
            ours = healthtune_trial(config, spec_data, args.epochs, args.batch_size, out, n, args.full)
        totals["plain"] += plain
        totals["healthtune"] += ours
        print(f"config {n}: plain {plain:7.2f} s  healthtune {ours:7.2f} s  ratio {ours / plain:5.3f}")
    ratio = totals["healthtune"] / totals["plain"]
    print(f"total: plain {totals['plain']:.2f} s  healthtune {totals['healthtune']:.2f} s")
    kind = "default trial (probes + TensorBoard)" if args.full else "core trial"
    print(
        f"{kind} overhead ratio: {ratio:.3f} (target <= 1.10) -> {'OK' if ratio <= 1.10 else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()
