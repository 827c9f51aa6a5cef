"""1D-convolution builder for text: word embeddings, stacked Conv1D layers, global max pooling, dense head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthtune.models.config import ModelConfig
from healthtune.models.head import add_dense_head
from healthtune.models.text_input import embedded_tokens

if TYPE_CHECKING:
    import keras


def build_conv1d_text(
    config: ModelConfig, sequence_length: int, vocab_size: int, num_classes: int
) -> keras.Model:
    """Each filter detects a phrase of `conv1d_kernel_size` words; max pooling keeps its strongest match.

    No mask: convolutions cannot skip positions, so padding is a learned token like any other, and
    max pooling ignores it unless padding is what a filter detects best.
    """
    import keras
    from keras import layers

    inputs, x = embedded_tokens(config, sequence_length, vocab_size, mask_zero=False)
    for index in range(1, config.conv1d_layers + 1):
        x = layers.Conv1D(
            config.conv1d_filters,
            config.conv1d_kernel_size,
            padding="same",
            activation=config.activation,
            name=f"conv1d_{index}",
        )(x)
    x = layers.GlobalMaxPooling1D(name="max_pool")(x)
    outputs = add_dense_head(x, config, num_classes)
    return keras.Model(inputs, outputs, name="healthtune_conv1d_text")
