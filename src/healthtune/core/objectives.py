"""Objectives other than accuracy, class weights and per-class precision, recall and F1."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from healthtune.core.choices import Objective
from healthtune.core.exceptions import ConfigError

if TYPE_CHECKING:
    from healthtune.health.findings import Finding

CLASS_WEIGHT_CHOICES = ("none", "balanced")
MAX_CLASS_WEIGHTS = 10_000
LOW_RECALL_SHARE = 0.5
"""A class whose validation recall is below this share of the median class recall gets a finding..."""
LOW_RECALL_GAP = 0.2
"""...when it is also this far below it (a 0.95 median with one class at 0.5 is; 0.2 against 0.3 is noise)."""


def parse_class_weight(value: Any) -> str | dict[str, float]:
    """`none`, `balanced`, or per-class weights: a mapping or `name=weight,name=weight` (no I/O)."""
    if isinstance(value, str) and value.strip().lower() in CLASS_WEIGHT_CHOICES:
        return value.strip().lower()
    pairs: Sequence[tuple[Any, Any]]
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, str) and "=" in value:
        pairs = [tuple(part.split("=", 1)) for part in value.split(",") if part.strip()]  # type: ignore[misc]
    else:
        raise ConfigError(
            "class_weight must be 'none', 'balanced' or per-class weights (name=weight,name=weight or a "
            f"mapping), got class_weight={value!r}"
        )
    if not pairs or len(pairs) > MAX_CLASS_WEIGHTS:
        raise ConfigError(f"class_weight must name 1 to {MAX_CLASS_WEIGHTS} classes, got {len(pairs)}")
    weights: dict[str, float] = {}
    for name, raw in pairs:
        key = str(name).strip()
        try:
            weight = float(raw)
        except (TypeError, ValueError):
            weight = math.nan
        if not key or isinstance(raw, bool) or not math.isfinite(weight) or weight <= 0:
            raise ConfigError(f"class_weight: each class needs a name and a weight > 0, got {name!r}={raw!r}")
        weights[key] = weight
    return weights


def class_weight_text(value: str | Mapping[str, float]) -> str:
    """The canonical string form (what run.json, the API and the CLI show)."""
    if isinstance(value, str):
        return value
    return ",".join(f"{name}={weight:g}" for name, weight in value.items())


def resolve_class_weights(
    value: str | Mapping[str, float], y_train: np.ndarray, class_names: Sequence[str]
) -> dict[int, float] | None:
    """Keras' class_weight for the run's training labels; classes are named or given by index."""
    if value == "none":
        return None
    classes = len(class_names)
    if value == "balanced":  # n / (classes x count): every class weighs as much in the loss
        counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=classes)
        return {k: float(len(y_train) / (classes * counts[k])) if counts[k] else 1.0 for k in range(classes)}
    assert not isinstance(value, str)
    resolved = {k: 1.0 for k in range(classes)}
    for name, weight in value.items():
        if name in class_names:
            resolved[list(class_names).index(name)] = weight
        elif name.isdigit() and int(name) < classes:
            resolved[int(name)] = weight
        else:
            raise ConfigError(
                f"class_weight names class {name!r}; the classes are {', '.join(class_names[:30])}"
            )
    return resolved


def check_objective(objective: Objective, classes: int) -> None:
    if objective is Objective.ROC_AUC and classes != 2:
        raise ConfigError(
            f"objective='roc_auc' needs two classes, this dataset has {classes}: use macro_f1 or balanced_accuracy"
        )


def objective_value(objective: Objective, y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """The objective on one split, from class probabilities (n, classes)."""
    from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

    predicted = np.argmax(probabilities, axis=1)
    if objective is Objective.ACCURACY:
        return float(np.mean(predicted == y_true))
    if objective is Objective.BALANCED_ACCURACY:
        return float(balanced_accuracy_score(y_true, predicted))
    if objective is Objective.MACRO_F1:
        labels = list(range(probabilities.shape[1]))
        return float(f1_score(y_true, predicted, labels=labels, average="macro", zero_division=0))
    if len(np.unique(y_true)) < 2:
        return 0.5  # AUC is undefined with one class present: no better than chance
    return float(roc_auc_score(y_true, probabilities[:, 1]))


def chance_value(objective: Objective, y_true: np.ndarray, classes: int) -> float:
    """The objective of the best constant guess (always the most common class; 0.5 for AUC)."""
    counts = np.bincount(np.asarray(y_true, dtype=np.int64), minlength=classes)
    if objective is Objective.ACCURACY:
        return float(counts.max() / max(1, counts.sum()))
    if objective is Objective.BALANCED_ACCURACY:
        return 1.0 / classes
    if objective is Objective.MACRO_F1:  # F1 of the majority class alone, averaged over all classes
        share = counts.max() / max(1, counts.sum())
        return float(2 * share / (1 + share) / classes)
    return 0.5


def per_class(
    y_true: np.ndarray, predicted: np.ndarray, class_names: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of every class."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = list(range(len(class_names)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, predicted, labels=labels, zero_division=0
    )
    return {
        name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for name, p, r, f, s in zip(class_names, precision, recall, f1, support, strict=True)
    }


def low_recall_classes(classes: Mapping[str, Mapping[str, float]]) -> list[tuple[str, float, float]]:
    """(class, recall, median recall) of classes far below the others on validation."""
    present = {name: c["recall"] for name, c in classes.items() if c.get("support", 0) > 0}
    if len(present) < 2:
        return []
    median = float(np.median(list(present.values())))
    return [
        (name, recall, median)
        for name, recall in present.items()
        if recall < LOW_RECALL_SHARE * median and recall < median - LOW_RECALL_GAP
    ]


def recall_findings(classes: Mapping[str, Mapping[str, float]]) -> list[Finding]:
    """A warning for each class whose validation recall is far below the others'."""
    from healthtune.health.findings import Finding

    return [
        Finding(
            severity="warning",
            metric="per_class_recall",
            layer=None,
            title=f"class {name!r} is found {recall:.0%} of the time, the median class {median:.0%}",
            explanation="The model misses most examples of this class: typical of a rare class on imbalanced "
            "data, where accuracy barely notices it.",
            suggestion="use class_weight=balanced, the objective macro_f1 or balanced_accuracy, or collect more "
            "examples of this class.",
        )
        for name, recall, median in low_recall_classes(classes)
    ]
