"""Fixtures for visualization tests: digits and Reuters R8 datasets and the models healthtune builds for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from healthtune.core.config import Architecture
from healthtune.data import Dataset, load_dataset
from healthtune.models import ModelConfig, build_model


@pytest.fixture(scope="session")
def reuters(shared_datasets: Path) -> Dataset:
    return load_dataset(
        f"csv:{shared_datasets / 'reuters-r8'}",
        validation_split=0.2,
        seed=0,
        max_samples=300,
        vocab_size=500,
        sequence_length=30,
    )


@pytest.fixture
def cnn(digits: Dataset) -> Any:
    return build_model(ModelConfig(), digits, total_steps=1)


@pytest.fixture
def lstm(reuters: Dataset) -> Any:
    config = ModelConfig(
        architecture=Architecture.LSTM, text_encoder="lstm", embedding_dim=16, lstm_units=16, dense_units=16
    )
    return build_model(config, reuters, total_steps=1)
