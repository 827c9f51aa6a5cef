"""Cost of health probes: the same training with probes every epoch vs none, on MNIST (target ratio <= 1.15).

Both sides build the same model with the same seed and train it with healthtune's train_model; the
only difference is HealthSpec(frequency=1) vs frequency=0 (plus the final health analysis).
Run: .venv/bin/python bench/health_overhead.py [--samples 12000] [--epochs 3] [--repeats 2]
"""

from __future__ import annotations

import argparse
import time

from common import mnist_data_dir

CONFIGS = [
    {"conv_blocks": 2, "filters": 32, "dense_units": 128},
    {"conv_blocks": 3, "filters": 16, "global_pooling": True, "dense_layers": 2, "dense_units": 64},
]


def timed_training(
    overrides: dict[str, object], data: object, epochs: int, batch: int, probes: bool
) -> float:
    import keras

    from healthtune.models import ModelConfig, build_model
    from healthtune.training.spec import HealthSpec
    from healthtune.training.trainer import diagnose, train_model

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    steps = -(-len(data.y_train) // batch)  # type: ignore[attr-defined]
    model = build_model(ModelConfig.from_dict(overrides), data, total_steps=steps * epochs)  # type: ignore[arg-type]
    start = time.perf_counter()
    outcome = train_model(
        model, data, epochs=epochs, batch_size=batch, health=HealthSpec(frequency=1 if probes else 0)
    )
    if probes:
        diagnose(model, data, outcome)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    from healthtune.training.spec import DataSpec
    from healthtune.training.trainer import load_trial_data

    data = load_trial_data(
        DataSpec("mnist", 0.2, 0, max_samples=args.samples, data_dir=str(mnist_data_dir()))
    )
    print(
        f"MNIST subset: {len(data.y_train)} train / {len(data.y_val)} val, {args.epochs} epochs, probes every epoch"
    )
    timed_training(CONFIGS[0], data, 1, args.batch_size, probes=True)  # warm-up: tracing, thread pools
    totals = {"off": 0.0, "on": 0.0}
    for repeat in range(args.repeats):
        for n, overrides in enumerate(CONFIGS):
            order = ("off", "on") if (n + repeat) % 2 == 0 else ("on", "off")
            times = {
                side: timed_training(overrides, data, args.epochs, args.batch_size, side == "on")
                for side in order
            }
            totals["off"] += times["off"]
            totals["on"] += times["on"]
            print(f"config {n} run {repeat}: probes off {times['off']:6.2f} s  on {times['on']:6.2f} s  "
                  f"ratio {times['on'] / times['off']:.3f}")  # fmt: skip
    ratio = totals["on"] / totals["off"]
    print(f"total: off {totals['off']:.1f} s  on {totals['on']:.1f} s")
    print(
        f"health probe overhead ratio: {ratio:.3f} (target <= 1.15) -> {'OK' if ratio <= 1.15 else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()
