"""ModelConfig validation and the builders' layer layout (no training)."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.core.config import Architecture
from healthtune.core.exceptions import ConfigError
from healthtune.data.base import DataKind, Dataset
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
        ("word_dropout", 0.95, "word_dropout must be in [0.0, 0.9], got word_dropout=0.95"),
        ("optimizer", "adagrad", "optimizer must be one of ['adam', 'adamw', 'sgd', 'rmsprop']"),
        ("learning_rate", 0.0, "learning_rate must be in"),
        ("architecture", "transformer", "architecture must be one of ['cnn', 'lstm']"),
        ("batch_norm", "yes", "batch_norm must be true or false"),
        ("text_encoder", "gru", "text_encoder must be one of ['lstm', 'bag_of_embeddings', 'conv1d']"),
        ("augmentation", 1, "augmentation must be true or false"),
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
    config = ModelConfig(
        architecture=Architecture.LSTM, text_encoder="lstm", lstm_layers=2, lstm_units=8, embedding_dim=8
    )
    model = build_model(config, _dataset(DataKind.TEXT, (12,)), total_steps=10)
    names = [layer.name for layer in model.layers]
    assert names[:3] == ["tokens", "word_dropout", "embedding"] and "bilstm_2" in names
    assert model.get_layer("embedding").mask_zero
    assert model.output_shape == (None, 3)


@pytest.mark.jax_core
def test_bag_of_embeddings_averages_the_words_without_padding() -> None:
    config = ModelConfig(architecture=Architecture.LSTM, embedding_dim=8)
    model = build_model(config, _dataset(DataKind.TEXT, (12,)), total_steps=10)
    assert config.text_encoder == "bag_of_embeddings" and config.dense_layers == 0
    assert config.dense_dropout == 0.0 and config.word_dropout == 0.1
    assert [layer.name for layer in model.layers] == [
        "tokens",
        "word_dropout",
        "embedding",
        "average",
        "predictions",
    ]
    assert model.get_layer("embedding").mask_zero
    tokens = np.array([[5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]])
    probabilities = np.asarray(model.predict(tokens, verbose=0))
    assert np.allclose(probabilities[0], probabilities[1])  # padding does not dilute the average


@pytest.mark.jax_core
def test_dense_dropout_without_a_hidden_layer_drops_the_pooled_features() -> None:
    config = ModelConfig(
        architecture=Architecture.LSTM, embedding_dim=8, dense_dropout=0.25, word_dropout=0.0
    )
    model = build_model(config, _dataset(DataKind.TEXT, (12,)), total_steps=10)
    assert [layer.name for layer in model.layers] == [
        "tokens",
        "embedding",
        "average",
        "dense_dropout",
        "predictions",
    ]
    assert model.get_layer("dense_dropout").rate == 0.25
    # the CNN and the LSTM keep their dropout after the hidden layer by default
    assert ModelConfig().dense_dropout == 0.3
    assert ModelConfig(architecture=Architecture.LSTM, text_encoder="lstm").dense_dropout == 0.3


@pytest.mark.jax_core
def test_conv1d_text_stacks_convolutions_and_max_pools() -> None:
    config = ModelConfig(architecture=Architecture.LSTM, text_encoder="conv1d", conv1d_layers=2,
                         conv1d_filters=8, conv1d_kernel_size=3, embedding_dim=8)  # fmt: skip
    model = build_model(config, _dataset(DataKind.TEXT, (12,)), total_steps=10)
    names = [layer.name for layer in model.layers]
    assert names == ["tokens", "word_dropout", "embedding", "conv1d_1", "conv1d_2", "max_pool", "predictions"]
    assert model.get_layer("conv1d_2").output.shape == (None, 12, 8)


@pytest.mark.jax_core
def test_augmentation_changes_training_batches_only() -> None:
    config = ModelConfig(conv_blocks=1, convs_per_block=1, filters=4, augmentation=True, batch_norm=False,
                         conv_dropout=0.0, dense_dropout=0.0)  # fmt: skip
    model = build_model(config, _dataset(DataKind.IMAGE, (8, 8, 3)), total_steps=1)
    assert [layer.name for layer in model.layers][1:4] == ["augment_flip", "augment_shift", "augment_rotate"]
    images = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    inference = [np.asarray(model(images, training=False)) for _ in range(2)]
    training = np.asarray(model(images, training=True))
    assert np.array_equal(inference[0], inference[1])
    assert not np.allclose(training, inference[0])


def test_learning_rate_and_head_follow_the_network_unless_set() -> None:
    assert ModelConfig().learning_rate == 1e-3 and ModelConfig().dense_layers == 1
    text = ModelConfig(architecture=Architecture.LSTM)
    assert (text.learning_rate, text.dense_layers) == (3e-2, 0)
    assert ModelConfig(architecture=Architecture.LSTM, text_encoder="lstm").learning_rate == 3e-3
    assert ModelConfig(optimizer="sgd").learning_rate == 3e-2
    chosen = ModelConfig(architecture=Architecture.LSTM, learning_rate=0.5, dense_layers=2)
    assert (chosen.learning_rate, chosen.dense_layers) == (0.5, 2)
    assert ModelConfig.from_dict(text.to_dict()) == text


@pytest.mark.jax_core
def test_whole_numbers_given_for_rates_build_an_optimizer() -> None:
    # `-O momentum=0` reaches the config as the int 0, which Keras's SGD refuses
    from healthtune.models.optimizers import build_optimizer

    config = ModelConfig.from_dict(
        {"optimizer": "sgd", "momentum": 0, "learning_rate": 1, "dense_dropout": 0}
    )
    assert isinstance(config.momentum, float) and isinstance(config.learning_rate, float)
    assert float(build_optimizer(config, total_steps=10).momentum) == 0.0
