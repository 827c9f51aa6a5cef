"""Fixtures for health tests: digits data and a helper that trains any Keras model with probes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from healthtune.data import Dataset
from healthtune.health.analyzer import HealthReport
from healthtune.training.spec import HealthSpec
from healthtune.training.trainer import diagnose, seed_everything, train_model

TrainFn = Callable[..., HealthReport]


@pytest.fixture
def train_and_diagnose(digits: Dataset) -> TrainFn:
    """Compile `build()`'s model, train it on digits with probes every epoch, return its HealthReport.

    Every epoch trains (no early stopping unless `patience` is given): a planted fault must play out.
    """

    def run(build: Callable[[], Any], *, epochs: int = 5, optimizer: Any = "adam", dataset: Dataset | None = None,
            batch_size: int = 32, patience: int = 0) -> HealthReport:  # fmt: skip
        data = dataset or digits
        seed_everything(0)
        model = build()
        if optimizer is not None:  # None: build() returns a model compiled as healthtune compiles it
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        outcome = train_model(
            model,
            data,
            epochs=epochs,
            batch_size=batch_size,
            health=HealthSpec(frequency=1),
            patience=patience,
        )
        report, _ = diagnose(model, data, outcome)
        return report

    return run
