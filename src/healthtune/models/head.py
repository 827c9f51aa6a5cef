"""The dense classification head shared by the CNN and LSTM builders."""

from __future__ import annotations

from typing import Any

from healthtune.models.config import ModelConfig


def add_dense_head(x: Any, config: ModelConfig, num_classes: int) -> Any:
    """dense_1..n (units, activation, dropout), then a softmax `predictions` layer."""
    from keras import layers

    for index in range(1, config.dense_layers + 1):
        x = layers.Dense(config.dense_units, activation=config.activation, name=f"dense_{index}")(x)
        if config.dense_dropout > 0:
            x = layers.Dropout(config.dense_dropout, name=f"dense_dropout_{index}")(x)
    return layers.Dense(num_classes, activation="softmax", name="predictions")(x)
