"""PlotContext: everything a per-trial plot may draw from, built after training or from a trial directory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from healthtune.core import native_logs
from healthtune.core.paths import TrialPaths
from healthtune.core.scoring import ScoringWeights
from healthtune.data.base import Dataset
from healthtune.health.analyzer import HealthReport


@dataclass
class PlotContext:
    """A trained trial: its model, data, history, health and test-set predictions.

    `test_probabilities` are the model's softmax outputs on `dataset.x_test` (computed once and
    shared by the confusion matrix, per-class, ROC/PR, calibration and misclassified plots).
    """

    model: Any  # a compiled keras.Model (with its optimizer, for the learning-rate schedule)
    dataset: Dataset
    history: dict[str, list[float]]
    health: HealthReport | None
    weights: ScoringWeights
    test_probabilities: np.ndarray
    epochs_planned: int
    batch_size: int
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return "cnn" if self.dataset.kind.value == "image" else "lstm"

    @property
    def test_predictions(self) -> np.ndarray:
        return np.asarray(np.argmax(self.test_probabilities, axis=1))

    @classmethod
    def from_trial_dir(
        cls, trial_dir: Path, dataset: Dataset, weights: ScoringWeights, *, batch_size: int = 64
    ) -> PlotContext:
        """Rebuild the context of a finished trial from its files (used for `plot_mode=best`)."""
        import keras

        if keras.backend.backend() == "tensorflow":
            native_logs.absorb_onednn_dtype_notice()
        files = TrialPaths(trial_dir)
        model = keras.saving.load_model(files.model)
        history = json.loads(files.history.read_text(encoding="utf-8"))
        health_file = files.health
        health = None
        if health_file.is_file():
            data = json.loads(health_file.read_text(encoding="utf-8"))
            health = HealthReport.from_dict(data) if "metrics" in data else None
        config_file = files.config
        epochs = len(history.get("loss", []))
        if config_file.is_file():
            spec = json.loads(config_file.read_text(encoding="utf-8")).get("spec", {})
            epochs = int(spec.get("epochs", epochs))
            batch_size = int(spec.get("batch_size", batch_size))
        return cls.build(
            model, dataset, history, health, weights, epochs_planned=epochs, batch_size=batch_size
        )

    @classmethod
    def build(
        cls,
        model: Any,
        dataset: Dataset,
        history: dict[str, list[float]],
        health: HealthReport | None,
        weights: ScoringWeights,
        *,
        epochs_planned: int,
        batch_size: int,
    ) -> PlotContext:
        from healthtune.training.feeding import predict

        probabilities = predict(model, dataset.x_test)
        return cls(model, dataset, history, health, weights, probabilities, epochs_planned, batch_size)
