"""Learning rates per network and optimizer: the default a model starts with and the range a search draws from.

A good step size depends on both. SGD (with Nesterov momentum) needs rates about ten times
Adam's, because Adam, AdamW and RMSprop already divide each step by the gradient's recent size.
A bag of embeddings averages a text's word vectors, so each word's vector gets a small share of
the gradient and needs larger steps than a CNN: on 400 Reuters R8 documents with Adam it reached
0.54 test accuracy at 1e-3 and 0.92 at 3e-2 in 10 epochs (0.97 on the full corpus). Ranges are
wide enough to hold what works on small and large data, and narrow enough that a draw learns
within a few epochs (bench/space_learnability.py).
"""

from __future__ import annotations

from typing import NamedTuple


class RateRange(NamedTuple):
    """The searched range (log scale) and the default of one network and optimizer."""

    low: float
    default: float
    high: float


# network -> optimizer -> range; AdamW takes Adam's. RMSprop's first steps are large (its running
# average of squared gradients starts at zero, with no correction), so its ranges stop lower.
_RATES: dict[str, dict[str, RateRange]] = {
    "cnn": {
        "adam": RateRange(3e-4, 1e-3, 1e-2),
        "rmsprop": RateRange(3e-4, 1e-3, 3e-3),
        "sgd": RateRange(1e-2, 3e-2, 1e-1),
    },
    "lstm": {
        "adam": RateRange(3e-4, 3e-3, 3e-2),
        "rmsprop": RateRange(3e-4, 3e-3, 1e-2),
        "sgd": RateRange(1e-2, 1e-1, 3e-1),
    },
    "bag_of_embeddings": {
        "adam": RateRange(1e-3, 3e-2, 1e-1),
        "rmsprop": RateRange(1e-3, 1e-2, 3e-2),
        "sgd": RateRange(3e-2, 3e-1, 1.0),
    },
    "conv1d": {
        "adam": RateRange(3e-4, 1e-2, 3e-2),
        "rmsprop": RateRange(3e-4, 3e-3, 1e-2),
        "sgd": RateRange(1e-2, 1e-1, 3e-1),
    },
}

NETWORKS = tuple(_RATES)


def rate_range(network: str, optimizer: str) -> RateRange:
    """The learning-rate range and default of `network` (cnn or a text encoder) with `optimizer`."""
    rows = _RATES[network]
    return rows["adam" if optimizer == "adamw" else optimizer]


def overall_range() -> tuple[float, float]:
    """The lowest and highest rate any network and optimizer searches (what the table shows)."""
    rows = [row for table in _RATES.values() for row in table.values()]
    return min(row.low for row in rows), max(row.high for row in rows)


def describe() -> str:
    """The table in words, for the search-space help."""
    parts = []
    for network, rows in _RATES.items():
        ranges = ", ".join(
            f"{name} {row.low:g}-{row.high:g}" for name, row in (("Adam/AdamW", rows["adam"]),
                                                                 ("RMSprop", rows["rmsprop"]),
                                                                 ("SGD", rows["sgd"]))
        )  # fmt: skip
        parts.append(f"{network}: {ranges}")
    return "; ".join(parts)
