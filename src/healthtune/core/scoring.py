"""ScoringWeights and their defaults (the one source the API serves to the UI), and trial scores per mode."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from healthtune.core.choices import Mode
from healthtune.core.exceptions import ConfigError
from healthtune.health.learning import HealthGate, as_gate
from healthtune.health.metrics import METRIC_NAMES, OUTCOME_METRICS

DEFAULT_ACCURACY_WEIGHT = 0.70
DEFAULT_HEALTH_OVERALL_WEIGHT = 0.30
DEFAULT_HEALTH_COMPONENT_PROPORTIONS: Mapping[str, float] = {
    "neuron_utilization": 0.10,
    "parameter_efficiency": 0.20,
    "training_stability": 0.0,
    "gradient_health": 0.05,
    "convergence_quality": 0.10,
    "accuracy_consistency": 0.0,
    "calibration": 0.15,
    "robustness": 0.40,
}
"""Chosen from bench/health_selection.py's pools (docs/health.md, step 5): of the eight metrics only calibration
and robustness, measured on validation, predict their out-of-sample counterparts (Spearman +0.69..+0.99),
so they carry 60% of health and break near-ties; the six about training diagnose (findings, caps, the
gate) with the rest: at 70% a 30-100x bloated network outranked the small reference of the validity
benchmark, and at 60% with robustness 0.45 it still did in one seed of three, so parameter_efficiency took
0.05 from robustness (step 6; no pick of the three pools changed). training_stability (ranked models against calibration) and accuracy_consistency (constant on
every pool) carry none unless a user gives them some. Checked on a held-out pool."""
NEAR_TIE_STANDARD_ERRORS = 0.5
"""Health picks among trials whose validation objective is within this many standard errors of the best
(sqrt(p (1 - p) / n) for n validation examples). Outside that band accuracy decides: on the benchmark pools
an unbounded 0.3 health weight traded up to 2.5 points of test accuracy, and a one-standard-error band
still 0.3 points on average on Fashion-MNIST, for health differences that did not pay off out of sample.
Swept again once health measured calibration and robustness (step 7, docs/health.md): 1.5 helped on the
development pools but cost 0.31 test points on a held-out one, so 0.5 stays."""
NEAR_TIE_LOSS_TOLERANCE = 0.05
"""Before health decides among the near ties, those whose validation loss is more than this share above the
lowest of them drop out. The loss reads each example's predicted probability, not only whether it is
right, so it separates what accuracy counts as tied on a small validation split: on the quality
benchmark's 400-document R8 run (80 validation documents, 18 near ties) validation loss ranked the ties'
test accuracy at Spearman +0.74 and validation accuracy at -0.41 (docs/quality.md)."""
TOLERANCE = 0.01
Gate = HealthGate | Mapping[str, Any] | None  # a trial's metrics["health_gate"]


@dataclass(frozen=True)
class ScoringWeights:
    """accuracy_weight + health_overall_weight = 1; the metrics' proportions split the health part."""

    accuracy_weight: float = DEFAULT_ACCURACY_WEIGHT
    health_overall_weight: float = DEFAULT_HEALTH_OVERALL_WEIGHT
    health_component_proportions: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_HEALTH_COMPONENT_PROPORTIONS)
    )

    def __post_init__(self) -> None:
        for name in ("accuracy_weight", "health_overall_weight"):
            _check_unit(name, getattr(self, name))
        total = self.accuracy_weight + self.health_overall_weight
        if abs(total - 1) > TOLERANCE:
            raise ConfigError(
                f"accuracy_weight + health_overall_weight must be 1 (within {TOLERANCE}), got "
                f"accuracy_weight={self.accuracy_weight!r} + health_overall_weight={self.health_overall_weight!r}"
                f" = {total:.4f}"
            )
        if abs(total - 1) > 1e-9:  # normalize real rounding, not float noise (0.7 stays 0.7)
            object.__setattr__(self, "accuracy_weight", self.accuracy_weight / total)
            object.__setattr__(self, "health_overall_weight", self.health_overall_weight / total)
        object.__setattr__(
            self, "health_component_proportions", _check_proportions(self.health_component_proportions)
        )

    @classmethod
    def resolve(
        cls,
        accuracy_weight: float | None = None,
        health_overall_weight: float | None = None,
        health_component_proportions: Mapping[str, float] | None = None,
    ) -> ScoringWeights:
        """Fill what is missing: accuracy 0.8 alone -> health 0.2; health 0.4 alone -> accuracy 0.6."""
        if accuracy_weight is None and health_overall_weight is None:
            accuracy_weight, health_overall_weight = DEFAULT_ACCURACY_WEIGHT, DEFAULT_HEALTH_OVERALL_WEIGHT
        elif health_overall_weight is None:
            _check_unit("accuracy_weight", accuracy_weight)
            health_overall_weight = 1 - float(accuracy_weight)  # type: ignore[arg-type]
        elif accuracy_weight is None:
            _check_unit("health_overall_weight", health_overall_weight)
            accuracy_weight = 1 - float(health_overall_weight)
        if health_component_proportions is not None:
            _check_proportions(health_component_proportions)
        proportions = health_component_proportions or DEFAULT_HEALTH_COMPONENT_PROPORTIONS
        return cls(float(accuracy_weight), float(health_overall_weight), dict(proportions))  # type: ignore[arg-type]

    @classmethod
    def accuracy_only(cls) -> ScoringWeights:
        """`simple` mode: accuracy 1.0, health 0.0."""
        return cls(1.0, 0.0)

    def health(self, health_metrics: Mapping[str, float], gate: Gate = None) -> float:
        """Health: sum of proportion x metric, through the trial's learning gate and critical cap
        (health.learning; a trial stored without a gate is weighted only, one stored before calibration
        and robustness existed scores 1 on them: not measured)."""
        weighted = sum(
            self.health_component_proportions[n] * float(health_metrics.get(n, 1.0) if n in OUTCOME_METRICS
                                                         else health_metrics[n])
            for n in METRIC_NAMES
        )  # fmt: skip
        return as_gate(gate).apply(float(weighted))

    def total(self, accuracy: float, health_metrics: Mapping[str, float], gate: Gate = None) -> float:
        return self.accuracy_weight * accuracy + self.health_overall_weight * self.health(
            health_metrics, gate
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy_weight": self.accuracy_weight,
            "health_overall_weight": self.health_overall_weight,
            "health_component_proportions": dict(self.health_component_proportions),
        }


def _check_unit(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a number in [0, 1], got {name}={value!r}")
    if not 0 <= value <= 1:
        raise ConfigError(f"{name} must be in [0, 1], got {name}={value!r}")


def _check_proportions(proportions: Any) -> dict[str, float]:
    if not isinstance(proportions, Mapping):
        raise ConfigError(
            f"health_component_proportions must be a mapping of {list(METRIC_NAMES)}, got {proportions!r}"
        )
    unknown = sorted(set(proportions) - set(METRIC_NAMES))
    if unknown:
        raise ConfigError(
            f"health_component_proportions: unknown name(s) {unknown}; allowed: {', '.join(METRIC_NAMES)}"
        )
    missing = [name for name in METRIC_NAMES if name not in proportions and name not in OUTCOME_METRICS]
    if missing:
        raise ConfigError(f"health_component_proportions must cover {list(METRIC_NAMES)}; missing {missing}")
    # proportions written before calibration and robustness existed leave them out: they weigh nothing
    proportions = {name: 0.0 for name in OUTCOME_METRICS} | dict(proportions)
    for name in METRIC_NAMES:
        _check_unit(f"health_component_proportions[{name!r}]", proportions[name])
    total = float(sum(proportions[name] for name in METRIC_NAMES))
    if abs(total - 1) > TOLERANCE:
        raise ConfigError(f"health_component_proportions must sum to 1 (within {TOLERANCE}), got {total:.4f}")
    if abs(total - 1) <= 1e-9:
        return {name: float(proportions[name]) for name in METRIC_NAMES}
    return {name: float(proportions[name]) / total for name in METRIC_NAMES}


def directions(mode: Mode) -> list[str]:
    """Optuna study directions: one objective, or accuracy and health in `pareto` mode."""
    return ["maximize", "maximize"] if mode is Mode.PARETO else ["maximize"]


def scored_accuracy(metrics: Mapping[str, Any]) -> float:
    """The accuracy part of a score: the run's objective on validation (`val_objective`: accuracy,
    balanced accuracy, macro F1 or ROC AUC); validation accuracy for trials stored before objectives."""
    value = metrics.get("val_objective")
    return float(metrics["val_accuracy"] if value is None else value)


def objective_values(mode: Mode, weights: ScoringWeights, metrics: Mapping[str, Any]) -> list[float]:
    """What Optuna optimizes. The test split never enters a score."""
    accuracy = scored_accuracy(metrics)
    if mode is Mode.SIMPLE:
        return [accuracy]
    health = metrics.get("health")
    if not health:
        raise ValueError("health metrics are missing; health and pareto modes need probes")
    gate = metrics.get("health_gate")
    if mode is Mode.PARETO:
        return [accuracy, weights.health(health, gate)]
    return [weights.total(accuracy, health, gate)]


def score(mode: Mode, weights: ScoringWeights, metrics: Mapping[str, Any]) -> float:
    """One number to rank trials by: the weighted total (accuracy alone in `simple` mode)."""
    accuracy = scored_accuracy(metrics)
    health = metrics.get("health")
    if mode is Mode.SIMPLE or not health:
        return accuracy
    return weights.total(accuracy, health, metrics.get("health_gate"))
