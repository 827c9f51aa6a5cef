"""HealthReport: the six metrics, their weighted total, the overfitting gap and the findings of one model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from healthtune.health import findings as f
from healthtune.health import metrics as m
from healthtune.health.probes import ProbeSnapshot

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass
class HealthReport:
    """What health.json holds: scores, the raw diagnostics next to each, findings and probe history."""

    metrics: dict[str, float]
    details: dict[str, dict[str, Any]]
    overfitting_gap: float
    findings: list[f.Finding] = field(default_factory=list)
    snapshots: list[ProbeSnapshot] = field(default_factory=list)

    def overall(self, proportions: Mapping[str, float]) -> float:
        """Weighted health: sum of proportion x metric over the six metrics."""
        return float(sum(proportions[name] * self.metrics[name] for name in m.METRIC_NAMES))

    def to_dict(self, proportions: Mapping[str, float] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "metrics": self.metrics,
            "details": self.details,
            "overfitting_gap": self.overfitting_gap,
            "findings": [finding.to_dict() for finding in self.findings],
            "snapshots": [snapshot.to_dict() for snapshot in self.snapshots],
        }
        if proportions is not None:
            data["overall"] = self.overall(proportions)
            data["proportions"] = dict(proportions)
        return data

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> HealthReport:
        return cls(
            metrics=dict(values["metrics"]),
            details=dict(values.get("details", {})),
            overfitting_gap=float(values.get("overfitting_gap", 0.0)),
            findings=[f.Finding(**finding) for finding in values.get("findings", [])],
            snapshots=[ProbeSnapshot.from_dict(s) for s in values.get("snapshots", [])],
        )


def analyze(
    *,
    snapshots: Sequence[ProbeSnapshot],
    history: Mapping[str, list[float]],
    val_accuracy: float,
    y_val: np.ndarray,
    val_predictions: np.ndarray,
    num_classes: int,
    params: int,
    seed: int = 0,
) -> HealthReport:
    """Compute every metric from what training and the probes recorded, then explain the problems."""
    history = dict(history)
    results = {
        "neuron_utilization": m.neuron_utilization(snapshots[-1] if snapshots else None),
        "parameter_efficiency": m.parameter_efficiency(val_accuracy, num_classes, params),
        "training_stability": m.training_stability(history.get("batch_loss", [])),
        "gradient_health": m.gradient_health(snapshots),
        "convergence_quality": m.convergence_quality(history, num_classes),
        "accuracy_consistency": m.accuracy_consistency(y_val, val_predictions, seed),
    }
    found = [
        *f.dormancy_findings(results["neuron_utilization"]),
        *f.gradient_findings(results["gradient_health"]),
        *f.stability_findings(results["training_stability"]),
        *f.convergence_findings(results["convergence_quality"]),
        *f.efficiency_findings(results["parameter_efficiency"]),
        *f.consistency_findings(results["accuracy_consistency"]),
    ]
    found.sort(key=lambda finding: SEVERITY_ORDER[finding.severity])
    return HealthReport(
        metrics={name: result.score for name, result in results.items()},
        details={name: result.details for name, result in results.items()},
        overfitting_gap=m.overfitting_gap(history),
        findings=found,
        snapshots=list(snapshots),
    )
