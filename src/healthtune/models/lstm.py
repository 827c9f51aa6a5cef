"""LSTM builder for text: embedding, stacked (bi)LSTM layers that read the words in order, and the dense head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthtune.models.config import ModelConfig
from healthtune.models.head import add_dense_head
from healthtune.models.text_input import embedded_tokens

if TYPE_CHECKING:
    import keras


def build_lstm(config: ModelConfig, sequence_length: int, vocab_size: int, num_classes: int) -> keras.Model:
    """Token 0 is padding and masked out, so padded positions do not feed the LSTM."""
    import keras
    from keras import layers

    inputs, x = embedded_tokens(config, sequence_length, vocab_size, mask_zero=True)
    for index in range(1, config.lstm_layers + 1):
        lstm = layers.LSTM(
            config.lstm_units,
            dropout=config.lstm_dropout,
            recurrent_dropout=config.recurrent_dropout,
            return_sequences=index < config.lstm_layers,
            name=f"lstm_{index}",
        )
        x = layers.Bidirectional(lstm, name=f"bilstm_{index}")(x) if config.bidirectional else lstm(x)
    outputs = add_dense_head(x, config, num_classes)
    return keras.Model(inputs, outputs, name="healthtune_lstm")
