"""Fixtures for plot tests: a CNN trial on digits and an LSTM trial on Reuters R8, each trained and plotted once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from healthtune.core.config import Architecture
from healthtune.core.scoring import ScoringWeights
from healthtune.data import Dataset, load_dataset
from healthtune.health.analyzer import HealthReport
from healthtune.models import ModelConfig, build_model
from healthtune.plots import PlotContext, make_trial_plots
from healthtune.training.spec import HealthSpec
from healthtune.training.trainer import diagnose, seed_everything, train_model

EPOCHS = 2
BATCH_SIZE = 32


@dataclass
class Trial:
    """A trained trial, its plot context and the plots drawn for it."""

    model: Any
    dataset: Dataset
    history: dict[str, list[float]]
    report: HealthReport
    context: PlotContext
    out_dir: Path
    written: list[str]


def train_trial(config: ModelConfig, dataset: Dataset, out_dir: Path) -> Trial:
    seed_everything(0)
    steps = EPOCHS * -(-len(dataset.y_train) // BATCH_SIZE)
    model = build_model(config, dataset, total_steps=steps)
    outcome = train_model(
        model, dataset, epochs=EPOCHS, batch_size=BATCH_SIZE, health=HealthSpec(frequency=1)
    )
    report, _ = diagnose(model, dataset, outcome)
    context = PlotContext.build(
        model,
        dataset,
        outcome.history,
        report,
        ScoringWeights(),
        epochs_planned=EPOCHS,
        batch_size=BATCH_SIZE,
    )
    written = make_trial_plots(context, out_dir)
    return Trial(model, dataset, outcome.history, report, context, out_dir, written)


@pytest.fixture(scope="session")
def reuters_data(shared_datasets: Path) -> Dataset:
    return load_dataset(
        f"csv:{shared_datasets / 'reuters-r8'}",
        validation_split=0.2,
        seed=0,
        max_samples=400,
        vocab_size=1000,
        sequence_length=40,
    )


@pytest.fixture(scope="session")
def cnn_trial(digits: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Trial:
    """A small CNN (cosine schedule, so the learning-rate plot has a curve) trained 2 epochs on digits."""
    config = ModelConfig(filters=8, dense_units=32, learning_rate=3e-3, lr_schedule="cosine")
    return train_trial(config, digits, tmp_path_factory.mktemp("cnn_plots"))


@pytest.fixture(scope="session")
def lstm_trial(reuters_data: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Trial:
    """A tiny bidirectional LSTM (constant learning rate) trained 2 epochs on 400 Reuters R8 texts."""
    config = ModelConfig(
        architecture=Architecture.LSTM,
        text_encoder="lstm",
        lstm_units=8,
        embedding_dim=8,
        dense_units=16,
        learning_rate=1e-3,
        lr_schedule="constant",
    )
    return train_trial(config, reuters_data, tmp_path_factory.mktemp("lstm_plots"))


@pytest.fixture(params=["cnn", "lstm"])
def trial(request: pytest.FixtureRequest) -> Trial:
    """Each trial in turn (for checks that hold for both)."""
    return request.getfixturevalue(f"{request.param}_trial")  # type: ignore[no-any-return]
