"""Model building: ModelConfig -> compiled Keras model (CNN for images; LSTM, bag of embeddings or 1D convolution for text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from healthtune.core import native_logs
from healthtune.core.config import Architecture
from healthtune.models.config import ModelConfig
from healthtune.models.optimizers import build_optimizer

if TYPE_CHECKING:
    import keras

    from healthtune.data import Dataset

__all__ = ["ModelConfig", "architecture_for", "build_model"]


def architecture_for(dataset: Dataset) -> Architecture:
    """The data type chooses the architecture: images -> CNN, token sequences -> a text network
    (Architecture.LSTM, whose encoder is `text_encoder`)."""
    from healthtune.data import DataKind

    return Architecture.CNN if dataset.kind is DataKind.IMAGE else Architecture.LSTM


def build_model(config: ModelConfig, dataset: Dataset, *, total_steps: int) -> keras.Model:
    """Build and compile the network for `dataset` (sparse categorical cross-entropy, accuracy)."""
    import keras

    from healthtune.models.cnn import build_cnn

    if keras.backend.backend() == "tensorflow":
        _set_tensorflow_graph_options(config)
        native_logs.absorb_onednn_dtype_notice()
    if config.architecture is Architecture.CNN:
        model = build_cnn(config, dataset.input_shape, dataset.num_classes)
    else:
        if dataset.vocab_size is None or dataset.sequence_length is None:
            raise ValueError(
                f"dataset {dataset.name!r} has no vocabulary; a text network needs token sequences"
            )
        build_text = _text_builder(config.text_encoder)
        model = build_text(config, dataset.sequence_length, dataset.vocab_size, dataset.num_classes)
    model.compile(
        optimizer=build_optimizer(config, total_steps),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _text_builder(encoder: str) -> Callable[[ModelConfig, int, int, int], keras.Model]:
    from healthtune.models.bag_of_embeddings import build_bag_of_embeddings
    from healthtune.models.conv1d_text import build_conv1d_text
    from healthtune.models.lstm import build_lstm

    builders = {"lstm": build_lstm, "bag_of_embeddings": build_bag_of_embeddings, "conv1d": build_conv1d_text}
    return builders[encoder]


def _set_tensorflow_graph_options(config: ModelConfig) -> None:
    """TensorFlow's graph optimizer fails to fuse the training step of some leaky-ReLU CNNs and logs
    "E... remapper failed: INVALID_ARGUMENT ... LeakyReluGrad" (harmless: the step then runs
    unfused, and timing it either way gave the same speed), so those networks train without that
    fusion pass, and users see no false error. Set for every model: a worker may train many."""
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"remapping": config.activation != "leaky_relu"})
