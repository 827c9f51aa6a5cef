"""Draws docs/figures/health_example.png: the health metrics and the health of a healthy CNN vs a net with dead ReLU units."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def report_for(build, data):  # type: ignore[no-untyped-def]
    from healthtune.training.spec import HealthSpec
    from healthtune.training.trainer import diagnose, seed_everything, train_model

    seed_everything(0)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    outcome = train_model(model, data, epochs=5, batch_size=32, health=HealthSpec(frequency=1))
    return diagnose(model, data, outcome)[0]


def main() -> None:
    import keras
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from keras import layers

    from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS
    from healthtune.data import load_dataset
    from healthtune.health.metrics import METRIC_NAMES
    from healthtune.models import ModelConfig, build_model

    data = load_dataset("digits", validation_split=0.2, seed=0)
    healthy = report_for(lambda: build_model(ModelConfig(dense_units=64), data, total_steps=1), data)
    dead = report_for(
        lambda: keras.Sequential([
            keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu", bias_initializer=keras.initializers.Constant(-5.0), name="dead_layer"),
            layers.Dense(10, activation="softmax"),
        ]),
        data,
    )  # fmt: skip

    # the metrics, then health: the weighted metrics through the learning gate and the critical cap
    def bars(report):  # type: ignore[no-untyped-def]
        return [report.metrics[m] for m in METRIC_NAMES] + [
            report.overall(DEFAULT_HEALTH_COMPONENT_PROPORTIONS)
        ]

    positions = np.arange(len(METRIC_NAMES) + 1)
    figure, axes = plt.subplots(figsize=(8.8, 3.2), dpi=100)
    axes.bar(positions - 0.2, bars(healthy), 0.4, label="healthy CNN")
    axes.bar(positions + 0.2, bars(dead), 0.4, label="dead ReLU layer")
    axes.set_xticks(positions, [m.replace("_", "\n") for m in METRIC_NAMES] + ["HEALTH\n(gated)"], fontsize=8)
    axes.set_ylim(0, 1.25)
    axes.set_ylabel("score (1 = healthy)")
    axes.legend(loc="upper center", ncol=2, fontsize=8)
    figure.tight_layout()
    figure.savefig(Path(__file__).with_name("health_example.png"))


if __name__ == "__main__":
    main()
