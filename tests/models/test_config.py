"""ModelConfig validation and the builders' layer layout (no training)."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.config import Architecture
from healthtune.data.base import DataKind, Dataset
from healthtune.exceptions import ConfigError
from healthtune.models import ModelConfig, build_model


def _dataset(kind: DataKind, shape: tuple[int, ...]) -> Dataset:
    x = np.zeros((4, *shape), dtype="float32" if kind is DataKind.IMAGE else "int32")
    y = np.arange(4) % 3
    return Dataset(
        "tiny", kind, ("a", "b", "c"), x, y, x, y, x, y,
        vocab_size=50 if kind is DataKind.TEXT else None,
        sequence_length=shape[0] if kind is DataKind.TEXT else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("conv_blocks", 0, "conv_blocks must be in [1, 6], got conv_blocks=0"),
        ("optimizer", "adagrad", "optimizer must be one of ['adam', 'adamw', 'sgd', 'rmsprop']"),
        ("learning_rate", 0.0, "learning_rate must be in"),
        ("architecture", "transformer", "architecture must be one of ['cnn', 'lstm']"),
        ("batch_norm", "yes", "batch_norm must be true or false"),
    ],
)
def test_model_config_validation(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        ModelConfig.from_dict({field: value})
    assert message in str(error.value)


@pytest.mark.jax_core
def test_cnn_on_tiny_images_skips_pooling_it_cannot_do() -> None:
    config = ModelConfig(conv_blocks=5, convs_per_block=1, filters=8, filter_growth=1.0)
    model = build_model(config, _dataset(DataKind.IMAGE, (8, 8, 1)), total_steps=10)
    names = [layer.name for layer in model.layers]
    assert names.count("pool_1") == 1 and "pool_3" in names and "pool_4" not in names
    assert "conv_5" in names and model.output_shape == (None, 3)


def test_cnn_numbers_convolutions_through_the_network() -> None:
    model = build_model(
        ModelConfig(conv_blocks=2, convs_per_block=2), _dataset(DataKind.IMAGE, (8, 8, 1)), total_steps=1
    )
    names = [layer.name for layer in model.layers]
    assert [n for n in names if n.startswith(("conv_", "pool_")) and "dropout" not in n] == [
        "conv_1", "conv_2", "pool_1", "conv_3", "conv_4", "pool_2"
    ]  # fmt: skip


@pytest.mark.jax_core
def test_lstm_builder_masks_padding_and_stacks_layers() -> None:
    config = ModelConfig(architecture=Architecture.LSTM, lstm_layers=2, lstm_units=8, embedding_dim=8)
    model = build_model(config, _dataset(DataKind.TEXT, (12,)), total_steps=10)
    names = [layer.name for layer in model.layers]
    assert names[:2] == ["tokens", "embedding"] and "bilstm_2" in names
    assert model.get_layer("embedding").mask_zero
    assert model.output_shape == (None, 3)
