"""The text networks' shared front: token input, word dropout while training, then word vectors."""

from __future__ import annotations

from typing import Any

from healthtune.models.config import ModelConfig


def embedded_tokens(
    config: ModelConfig, sequence_length: int, vocab_size: int, *, mask_zero: bool
) -> tuple[Any, Any]:
    """(the model's token input, its word vectors); `mask_zero` lets the encoder skip padding (token 0)."""
    import keras
    from keras import layers

    from healthtune.models.word_dropout import WordDropout

    inputs = keras.Input(shape=(sequence_length,), dtype="int32", name="tokens")
    tokens = inputs
    if config.word_dropout > 0:
        tokens = WordDropout(config.word_dropout, name="word_dropout")(tokens)
    embedding = layers.Embedding(vocab_size, config.embedding_dim, mask_zero=mask_zero, name="embedding")
    return inputs, embedding(tokens)
