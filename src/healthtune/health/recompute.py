"""Rebuild a stored trial's health report with today's definitions, from its health.json and history.json.

Re-scoring uses it for trials stored by an older version: the probes (snapshots), the batch losses and
the epoch history are kept, so most metrics come out exactly as a new run would give them. What an older
health.json did not keep is said in the notes, and the closest stored value stands in for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from healthtune.health.analyzer import REPORT_VERSION, HealthReport, assemble
from healthtune.health.metrics import OUTCOME_METRICS, MetricResult, consistency_score
from healthtune.health.outcome_metrics import calibration_score
from healthtune.health.probes import ProbeSnapshot


def needs_recompute(stored: Mapping[str, Any]) -> bool:
    """Whether a health.json predates the current definitions."""
    return int(stored.get("version", 1)) < REPORT_VERSION


def recompute_report(
    stored: Mapping[str, Any], history: Mapping[str, list[float]], trial_metrics: Mapping[str, Any]
) -> tuple[HealthReport, list[str]]:
    """The report today's code gives for a stored trial, and notes on what could not be recomputed."""
    notes: list[str] = []
    details: Mapping[str, Any] = stored.get("details", {})
    inputs: Mapping[str, Any] = stored.get("inputs", {})
    efficiency = details.get("parameter_efficiency", {})
    num_classes = int(
        inputs.get("num_classes") or trial_metrics.get("num_classes") or round(1 / efficiency["chance"])
    )
    chance = inputs.get("chance")
    loss_of_chance = inputs.get("chance_loss")
    if chance is None or loss_of_chance is None:
        chance, loss_of_chance = 1.0 / num_classes, math.log(num_classes)
        notes.append(
            "chance = 1 / classes and its loss = ln(classes): the class balance of the validation split "
            "was not stored"
        )
    train_accuracy = inputs.get("train_accuracy")
    if train_accuracy is None:
        notes.append(
            "the train/validation gap comes from the last epoch's running train accuracy, without the "
            "underfitting check: the accuracy on training examples after training was not stored"
        )
    known = {"accuracy_consistency": _consistency(details.get("accuracy_consistency", {}), stored, notes)}
    for name in OUTCOME_METRICS:
        known[name] = (
            _as_stored(name, stored, details) if name in stored.get("metrics", {}) else _not_measured(name)
        )
    if "calibration_error" in details.get("calibration", {}):
        known["calibration"] = _calibration(details["calibration"], notes)
    if any(name not in stored.get("metrics", {}) for name in OUTCOME_METRICS):
        notes.append(
            "calibration and robustness score 1 (not measured): they need the model's validation predictions, "
            "which the version that trained this trial did not measure (among trials all trained before, they do "
            "not change which one is picked)"
        )
    if not history.get("batch_loss") or not history.get("val_loss"):
        for name in ("training_stability", "convergence_quality"):
            known[name] = _as_stored(name, stored, details)
        notes.append("training_stability and convergence_quality kept as stored: history.json was not found")
    report = assemble(
        snapshots=[ProbeSnapshot.from_dict(s) for s in stored.get("snapshots", [])],
        history=history,
        val_accuracy=float(
            inputs.get("val_accuracy", trial_metrics.get("val_accuracy", efficiency.get("accuracy")))
        ),
        num_classes=num_classes,
        params=int(inputs.get("params") or trial_metrics.get("params") or efficiency["params"]),
        chance=float(chance),
        chance_loss=float(loss_of_chance),
        train_accuracy=train_accuracy,
        known=known,
    )
    return report, notes


def _consistency(details: Mapping[str, Any], stored: Mapping[str, Any], notes: list[str]) -> MetricResult:
    folds = details.get("fold_accuracies")
    if folds and details.get("fold_size"):
        return consistency_score(folds, float(details["fold_size"]))
    notes.append(
        "accuracy_consistency kept as stored (spread not corrected for sampling noise): the fold size was not stored"
    )
    return _as_stored("accuracy_consistency", stored, details)


def _calibration(details: Mapping[str, Any], notes: list[str]) -> MetricResult:
    error, confidence, accuracy = (
        details["calibration_error"],
        details["mean_confidence"],
        details["accuracy"],
    )
    if "underconfidence" in details:
        under = float(details["underconfidence"])
    else:
        under = float(error) if confidence <= accuracy else 0.0
        notes.append(
            "calibration's error counted as all over- or all underconfident, as the mean confidence is above or "
            "below the accuracy: the version that trained this trial stored the error's total, not its two parts"
        )
    return calibration_score(
        float(error) - under,
        under,
        confidence=confidence,
        accuracy=accuracy,
        examples=int(details["examples"]),
    )


def _not_measured(name: str) -> MetricResult:
    return MetricResult(1.0, {"note": f"{name} was not measured by the version that trained this trial"})


def _as_stored(name: str, stored: Mapping[str, Any], details: Mapping[str, Any]) -> MetricResult:
    return MetricResult(
        float(stored["metrics"][name]), {**details.get(name, {}), "note": "as stored by an older version"}
    )
