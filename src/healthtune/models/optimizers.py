"""Optimizer and learning-rate schedule from a ModelConfig (adam, adamw, sgd, rmsprop; constant or cosine)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from healthtune.models.config import ModelConfig

if TYPE_CHECKING:
    import keras


def learning_rate_schedule(config: ModelConfig, total_steps: int) -> Any:
    """A float for `constant`; cosine decays from learning_rate to 0 over all planned steps."""
    import keras

    if config.lr_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=max(1, total_steps))
    return config.learning_rate


def build_optimizer(config: ModelConfig, total_steps: int) -> keras.optimizers.Optimizer:
    import keras

    rate = learning_rate_schedule(config, total_steps)
    if config.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=rate, weight_decay=config.weight_decay)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=config.momentum, nesterov=True)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    return keras.optimizers.Adam(learning_rate=rate)
