"""Turning a trial's metrics into the objective value(s) Optuna optimizes, per scoring mode."""

from __future__ import annotations

from collections.abc import Mapping

from healthtune.config import Mode


def directions(mode: Mode) -> list[str]:
    """Optuna study directions for a mode (one objective per entry)."""
    return ["maximize"]


def objective_values(mode: Mode, metrics: Mapping[str, float]) -> list[float]:
    """`simple`: validation accuracy. The test split never enters a score."""
    return [float(metrics["val_accuracy"])]


def score(mode: Mode, metrics: Mapping[str, float]) -> float:
    """One number to rank trials by (the first objective)."""
    return objective_values(mode, metrics)[0]
