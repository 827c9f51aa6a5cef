"""The dense classification head shared by the CNN and the text builders."""

from __future__ import annotations

from typing import Any

from healthtune.models.config import BATCH_NORM_MOMENTUM, ModelConfig


def add_dense_head(x: Any, config: ModelConfig, num_classes: int, *, batch_norm: bool = False) -> Any:
    """dense_1..n (units, activation, dropout), then a softmax `predictions` layer; with no hidden
    layer (dense_layers=0) `dense_dropout` applies to the features that reach the output layer.

    With `batch_norm` (the CNN's, when it normalizes its convolutions) each hidden layer is
    dense_N -> dense_bn_N -> dense_act_N, as the conv blocks are: a ReLU layer fed by thousands of
    flattened, un-normalized conv features otherwise lets most of its units die within a few epochs
    (the default CNN lost 67-78% of them on Fashion-MNIST; normalized, none, and 2.7-3.1 points more
    validation accuracy: docs/health.md).
    """
    from keras import layers

    for index in range(1, config.dense_layers + 1):
        if batch_norm:
            x = layers.Dense(config.dense_units, use_bias=False, name=f"dense_{index}")(x)
            x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"dense_bn_{index}")(x)
            x = layers.Activation(config.activation, name=f"dense_act_{index}")(x)
        else:
            x = layers.Dense(config.dense_units, activation=config.activation, name=f"dense_{index}")(x)
        if config.dense_dropout > 0:
            x = layers.Dropout(config.dense_dropout, name=f"dense_dropout_{index}")(x)
    if config.dense_layers == 0 and config.dense_dropout > 0:
        # no hidden layer: the dropout regularizes the output layer's inputs (the pooled features)
        x = layers.Dropout(config.dense_dropout, name="dense_dropout")(x)
    return layers.Dense(num_classes, activation="softmax", name="predictions")(x)
