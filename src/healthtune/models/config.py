"""ModelConfig: the architecture and training settings of one model, with defaults that train well."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from healthtune.core.choices import Architecture
from healthtune.core.exceptions import ConfigError
from healthtune.models.learning_rates import rate_range

ACTIVATIONS = ("relu", "leaky_relu", "gelu", "swish", "elu", "tanh", "linear")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
LR_SCHEDULES = ("constant", "cosine")
POOLINGS = ("max", "avg")
TEXT_ENCODERS = ("lstm", "bag_of_embeddings", "conv1d")


# What a model accepts (a search-space override may use all of it; the default search is narrower).
NUMERIC_LIMITS: dict[str, tuple[float, float]] = {
    "conv_blocks": (1, 6),
    "convs_per_block": (1, 3),
    "filters": (1, 1024),
    "kernel_size": (1, 11),
    "embedding_dim": (1, 2048),
    "lstm_layers": (1, 4),
    "lstm_units": (1, 2048),
    "conv1d_layers": (1, 3),
    "conv1d_filters": (1, 1024),
    "conv1d_kernel_size": (1, 15),
    "dense_layers": (0, 4),
    "dense_units": (1, 8192),
    "filter_growth": (1.0, 4.0),
    "conv_dropout": (0.0, 0.9),
    "lstm_dropout": (0.0, 0.9),
    "recurrent_dropout": (0.0, 0.9),
    "dense_dropout": (0.0, 0.9),
    "word_dropout": (0.0, 0.9),
    "learning_rate": (1e-7, 10.0),
    "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 1.0),
}
CHOICE_LIMITS: dict[str, tuple[str, ...]] = {
    "activation": ACTIVATIONS,
    "optimizer": OPTIMIZERS,
    "lr_schedule": LR_SCHEDULES,
    "pooling": POOLINGS,
    "text_encoder": TEXT_ENCODERS,
}
NETWORK_DEFAULTS: dict[str, dict[str, Any]] = {
    "cnn": {"dense_layers": 1, "dense_dropout": 0.3},
    "lstm": {"dense_layers": 1, "dense_dropout": 0.3},
    # Straight from the pooled word vectors to the output: a hidden ReLU layer at these networks'
    # higher learning rates left about half its units dead on small corpora, and scored lower. No
    # dropout before that output by default: with word dropout it cost 1-2 points on 400 Reuters R8
    # documents (docs/quality.md); the search still tries it.
    "bag_of_embeddings": {"dense_layers": 0, "dense_dropout": 0.0},
    "conv1d": {"dense_layers": 0, "dense_dropout": 0.0},
}
"""Defaults that depend on the network ("cnn" or the text encoder); the learning rate's are in learning_rates.py."""

BATCH_NORM_MOMENTUM = 0.9
"""Of every batch normalization the builders add (Keras: 0.99): the moving statistics settle within a
few hundred steps; with 0.99, small datasets validate on stale statistics and look like chance."""

NETWORK_DEFAULT: Any = None
"""A field left at this takes its network's default in __post_init__ (NETWORK_DEFAULTS, learning_rates.py)."""

INTEGER_FIELDS = frozenset(
    {"conv_blocks", "convs_per_block", "filters", "kernel_size", "embedding_dim", "lstm_layers",
     "lstm_units", "conv1d_layers", "conv1d_filters", "conv1d_kernel_size", "dense_layers", "dense_units"}
)  # fmt: skip


@dataclass(frozen=True)
class ModelConfig:
    """One network and how to train it. Fields not used by the architecture are ignored.

    The defaults are a solid model without any search: for images two VGG-style conv blocks (two
    3x3 convolutions each, 32 then 64 filters) and a 128-unit dense layer, all batch-normalized; for
    text a bag of embeddings (the word vectors of a text averaged, as fastText does), which learns
    from a few hundred documents where an LSTM needs thousands; Adam decayed along a cosine to zero
    by the last planned epoch. `learning_rate` and `dense_layers` left unset take the network's default
    (learning_rates.py: 1e-3 for a CNN with Adam, 3e-2 for a bag of embeddings; NETWORK_DEFAULTS).
    """

    architecture: Architecture = Architecture.CNN
    # CNN
    conv_blocks: int = 2
    convs_per_block: int = 2
    filters: int = 32
    filter_growth: float = 2.0
    kernel_size: int = 3
    batch_norm: bool = True
    pooling: str = "max"
    global_pooling: bool = False
    conv_dropout: float = 0.1
    augmentation: bool = False
    # text: the encoder between the word embeddings and the dense head
    text_encoder: str = "bag_of_embeddings"
    embedding_dim: int = 64
    lstm_layers: int = 1
    lstm_units: int = 64
    bidirectional: bool = True
    lstm_dropout: float = 0.2
    recurrent_dropout: float = 0.0
    conv1d_layers: int = 1
    conv1d_filters: int = 128
    conv1d_kernel_size: int = 5
    word_dropout: float = 0.1
    # dense head (both)
    activation: str = "relu"
    dense_layers: int = NETWORK_DEFAULT
    dense_units: int = 128
    dense_dropout: float = NETWORK_DEFAULT
    # training
    optimizer: str = "adam"
    learning_rate: float = NETWORK_DEFAULT
    momentum: float = 0.9
    weight_decay: float = 1e-4
    lr_schedule: str = "cosine"

    def __post_init__(self) -> None:
        if not isinstance(self.architecture, Architecture):
            try:
                object.__setattr__(self, "architecture", Architecture(self.architecture))
            except ValueError:
                allowed = [a.value for a in Architecture]
                raise ConfigError(
                    f"architecture must be one of {allowed}, got architecture={self.architecture!r}"
                ) from None
        for name, allowed in CHOICE_LIMITS.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(
                    f"{name} must be one of {list(allowed)}, got {name}={getattr(self, name)!r}"
                )
        if self.learning_rate is None:
            object.__setattr__(self, "learning_rate", rate_range(self.network, self.optimizer).default)
        for name, value in NETWORK_DEFAULTS[self.network].items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        for name, (low, high) in NUMERIC_LIMITS.items():
            _in_range(name, getattr(self, name), low, high, integer=name in INTEGER_FIELDS)
            if name not in INTEGER_FIELDS:  # Keras refuses an int momentum (`-O momentum=0`)
                object.__setattr__(self, name, float(getattr(self, name)))
        for name in ("batch_norm", "global_pooling", "augmentation", "bidirectional"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, got {name}={getattr(self, name)!r}")

    @property
    def network(self) -> str:
        """What learns the features: "cnn" for images, the text encoder for text."""
        return "cnn" if self.architecture is Architecture.CNN else self.text_encoder

    def to_dict(self) -> dict[str, Any]:
        return {
            f.name: (v.value if isinstance(v := getattr(self, f.name), enum.Enum) else v)
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown model field(s) {unknown}; valid fields: {', '.join(sorted(known))}")
        return cls(**dict(values))


def _in_range(name: str, value: Any, low: float, high: float, *, integer: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{name} must be {kind} in [{low}, {high}], got {name}={value!r}")
    if not low <= float(value) <= high:
        raise ConfigError(f"{name} must be in [{low}, {high}], got {name}={value!r}")
