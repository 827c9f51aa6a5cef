"""Bag-of-embeddings builder for text (fastText style): averaged word vectors, then the dense head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthtune.models.config import ModelConfig
from healthtune.models.head import add_dense_head
from healthtune.models.text_input import embedded_tokens

if TYPE_CHECKING:
    import keras


def build_bag_of_embeddings(
    config: ModelConfig, sequence_length: int, vocab_size: int, num_classes: int
) -> keras.Model:
    """Word order is ignored: the mean of a text's word vectors feeds the head.

    The mask leaves padding (token 0) out of the mean, so a short text is not diluted towards zero.
    Few weights stand between a word and the output, so it learns from a few hundred documents.
    """
    import keras
    from keras import layers

    inputs, x = embedded_tokens(config, sequence_length, vocab_size, mask_zero=True)
    x = layers.GlobalAveragePooling1D(name="average")(x)
    outputs = add_dense_head(x, config, num_classes)
    return keras.Model(inputs, outputs, name="healthtune_bag_of_embeddings")
