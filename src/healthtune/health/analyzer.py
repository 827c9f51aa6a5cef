"""HealthReport: the eight metrics, the learning gate, the overfitting gap and the findings of one model."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from healthtune.health import findings as f
from healthtune.health import metrics as m
from healthtune.health import training_findings as tf
from healthtune.health.gradient_states import gradient_health
from healthtune.health.learning import (
    OPEN_GATE,
    Answers,
    HealthGate,
    answers_of,
    chance_level,
    chance_loss,
    learning_gain,
    make_gate,
)
from healthtune.health.metrics import MetricResult
from healthtune.health.outcome_metrics import calibration, robustness
from healthtune.health.probes import ProbeSnapshot

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
REPORT_VERSION = 4
"""health.json's layout: 2 adds the gate and the inputs that re-scoring needs to recompute every metric;
3 adds calibration and robustness (measured on validation predictions: not recomputable from version 2);
4 splits the calibration error into its overconfident and underconfident parts, which calibration weighs
differently (version 3 stored the total, its mean confidence and its accuracy)."""


@dataclass
class HealthReport:
    """What health.json holds: scores, the raw diagnostics next to each, findings and probe history."""

    metrics: dict[str, float]
    details: dict[str, dict[str, Any]]
    overfitting_gap: float
    findings: list[f.Finding] = field(default_factory=list)
    snapshots: list[ProbeSnapshot] = field(default_factory=list)
    gate: HealthGate = OPEN_GATE
    inputs: dict[str, Any] = field(default_factory=dict)  # what the metrics were computed from

    def weighted(self, proportions: Mapping[str, float]) -> float:
        """Sum of proportion x metric over the metrics, before the gate."""
        return float(sum(proportions[name] * self.metrics[name] for name in m.METRIC_NAMES))

    def overall(self, proportions: Mapping[str, float]) -> float:
        """Health: the weighted metrics scaled by the learning factor and capped by a critical finding."""
        return self.gate.apply(self.weighted(proportions))

    def to_dict(self, proportions: Mapping[str, float] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": REPORT_VERSION,
            "metrics": self.metrics,
            "details": self.details,
            "overfitting_gap": self.overfitting_gap,
            "gate": self.gate.to_dict(),
            "inputs": self.inputs,
            "findings": [finding.to_dict() for finding in self.findings],
            "snapshots": [snapshot.to_dict() for snapshot in self.snapshots],
        }
        if proportions is not None:
            data["weighted"] = self.weighted(proportions)
            data["overall"] = self.overall(proportions)
            data["proportions"] = dict(proportions)
        return data

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> HealthReport:
        gate = values.get("gate")
        return cls(
            metrics=dict(values["metrics"]),
            details=dict(values.get("details", {})),
            overfitting_gap=float(values.get("overfitting_gap", 0.0)),
            findings=[f.Finding(**finding) for finding in values.get("findings", [])],
            snapshots=[ProbeSnapshot.from_dict(s) for s in values.get("snapshots", [])],
            gate=HealthGate.from_dict(gate) if gate else OPEN_GATE,
            inputs=dict(values.get("inputs", {})),
        )


def analyze(
    *,
    snapshots: Sequence[ProbeSnapshot],
    history: Mapping[str, list[float]],
    val_accuracy: float,
    x_val: np.ndarray,
    y_val: np.ndarray,
    val_probabilities: np.ndarray,
    predict: Callable[[np.ndarray], np.ndarray],
    num_classes: int,
    params: int,
    seed: int = 0,
    train_accuracy: float | None = None,
    efficiency: tuple[float, float] | None = None,
    after_best_val_loss: Sequence[float] = (),
) -> HealthReport:
    """Compute every metric from what training and the probes recorded, then explain the problems.

    `val_probabilities` are the model's class probabilities on (`x_val`, `y_val`); `predict` gives them
    for other inputs: robustness measures the model on corrupted copies of the validation inputs.

    `train_accuracy` is the accuracy on training examples measured after training (trainer.diagnose).
    `efficiency` = (the run's objective on validation, its chance value) when the objective is not
    accuracy: parameter_efficiency then judges what the run optimizes.
    `history` ends at the epoch whose weights the model holds; `after_best_val_loss` are the validation
    losses of the epochs trained past it (early stopping's patience), which tell overfitting apart from
    a gap that validation has not paid for yet.
    """
    chance = chance_level(num_classes, y_val)
    known = {
        "accuracy_consistency": m.accuracy_consistency(y_val, np.argmax(val_probabilities, axis=1), seed),
        "calibration": calibration(val_probabilities, y_val),
        "robustness": robustness(predict, x_val, y_val, clean_accuracy=val_accuracy, chance=chance),
    }
    return assemble(
        snapshots=snapshots,
        history=history,
        val_accuracy=val_accuracy,
        num_classes=num_classes,
        params=params,
        chance=chance,
        chance_loss=chance_loss(num_classes, y_val),
        train_accuracy=train_accuracy,
        known=known,
        efficiency=efficiency,
        after_best_val_loss=after_best_val_loss,
        answers=answers_of(val_probabilities, y_val, x_val),
    )


def assemble(
    *,
    snapshots: Sequence[ProbeSnapshot],
    history: Mapping[str, list[float]],
    val_accuracy: float,
    num_classes: int,
    params: int,
    chance: float,
    chance_loss: float,
    train_accuracy: float | None,
    known: Mapping[str, MetricResult],
    efficiency: tuple[float, float] | None = None,
    after_best_val_loss: Sequence[float] = (),
    answers: Answers | None = None,
) -> HealthReport:
    """The report from everything but the validation predictions, which accuracy_consistency, calibration
    and robustness need: they come in `known`, with any metric that cannot be computed again (re-scoring
    rebuilds stored trials here), and `answers` (what the model answers, which the learning finding reads)."""
    history = dict(history)
    judged, judged_chance = efficiency or (val_accuracy, chance)  # what parameter_efficiency weighs
    compute: dict[str, Callable[[], MetricResult]] = {
        "neuron_utilization": lambda: m.neuron_utilization(snapshots[-1] if snapshots else None),
        "parameter_efficiency": lambda: m.parameter_efficiency(judged, num_classes, params, judged_chance),
        "training_stability": lambda: m.training_stability(history.get("batch_loss", []), chance_loss),
        "gradient_health": lambda: gradient_health(snapshots),
        "convergence_quality": lambda: m.convergence_quality(
            history, num_classes, train_accuracy, chance_loss, after_best_val_loss
        ),
    }
    results = {name: known[name] if name in known else compute[name]() for name in m.METRIC_NAMES}
    metrics = {name: result.score for name, result in results.items()}
    gain = learning_gain(val_accuracy, chance)
    running = history.get("accuracy", [])  # the last epoch's, while training (dropout, batch statistics)
    train_accuracies = (
        (float(running[-1]), train_accuracy) if running and train_accuracy is not None else None
    )
    found = [
        *f.learning_findings(make_gate(gain, chance, []), val_accuracy, answers, train_accuracies),
        *f.dormancy_findings(results["neuron_utilization"]),
        *f.saturation_findings(results["neuron_utilization"]),
        *f.gradient_findings(results["gradient_health"]),
        *tf.stability_findings(results["training_stability"]),
        *tf.convergence_findings(results["convergence_quality"]),
        *f.efficiency_findings(results["parameter_efficiency"]),
        *f.consistency_findings(results["accuracy_consistency"]),
        *f.calibration_findings(results["calibration"]),
        *f.robustness_findings(results["robustness"]),
    ]
    found += f.threshold_findings(metrics, found)
    found = f.collapse_layer_findings(found)
    found.sort(key=lambda finding: SEVERITY_ORDER[finding.severity])
    return HealthReport(
        metrics=metrics,
        details={name: result.details for name, result in results.items()},
        overfitting_gap=results["convergence_quality"].details.get("train_val_gap", 0.0),
        findings=found,
        snapshots=list(snapshots),
        gate=make_gate(gain, chance, [finding.severity for finding in found]),
        inputs={
            "val_accuracy": val_accuracy,
            "num_classes": num_classes,
            "params": params,
            "chance": chance,
            "chance_loss": chance_loss,
            "train_accuracy": train_accuracy,
            **({"answers": answers.to_dict()} if answers else {}),
            **({"objective_value": efficiency[0], "objective_chance": efficiency[1]} if efficiency else {}),
        },
    )
