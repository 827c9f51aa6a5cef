"""calibration and robustness: the two health metrics about how the trained model behaves on validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from healthtune.health import defaults as d
from healthtune.health.corruptions import calibration_gaps, corrupted_accuracies
from healthtune.health.metrics import MetricResult, clip


def calibration(probabilities: np.ndarray, labels: np.ndarray) -> MetricResult:
    """calibration_score from the model's class probabilities on validation: whether its confidence
    matches how often it is right, over 15 confidence bins."""
    if len(labels) == 0:
        return MetricResult(1.0, {"note": "no validation examples: not measured"})
    if not np.isfinite(probabilities).all():
        return MetricResult(0.0, {"note": "the model's probabilities are not finite (NaN or infinite)"})
    over, under = calibration_gaps(probabilities, labels)
    confidence = float(probabilities.max(axis=1).mean())
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    return calibration_score(over, under, confidence=confidence, accuracy=accuracy, examples=len(labels))


def calibration_score(
    overconfidence: float, underconfidence: float, *, confidence: float, accuracy: float, examples: int
) -> MetricResult:
    """1 - (overconfidence + UNDERCONFIDENCE_WEIGHT x underconfidence) / CALIBRATION_ERROR_AT_ZERO: the
    expected calibration error, its underconfident part counted at 0.4 (cautious probabilities mislead less)."""
    counted = overconfidence + d.UNDERCONFIDENCE_WEIGHT * underconfidence
    return MetricResult(
        clip(1 - counted / d.CALIBRATION_ERROR_AT_ZERO),
        {"calibration_error": overconfidence + underconfidence, "overconfidence": overconfidence,
         "underconfidence": underconfidence, "mean_confidence": confidence, "accuracy": accuracy,
         "examples": examples},
    )  # fmt: skip


def robustness_score(corruptions: Mapping[str, float], clean_accuracy: float, chance: float) -> MetricResult:
    """Share of what the model learned above chance that it keeps under corruption:
    (mean corrupted accuracy - chance) / (clean accuracy - chance), on validation."""
    corrupted = float(np.mean(list(corruptions.values()))) if corruptions else clean_accuracy
    learned = clean_accuracy - chance
    score = clip((corrupted - chance) / learned) if learned > 0 else 0.0
    return MetricResult(
        score,
        {"corrupted_accuracy": corrupted, "clean_accuracy": clean_accuracy, "chance": chance,
         "corruptions": dict(corruptions)},
    )  # fmt: skip


def robustness(
    predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, labels: np.ndarray, *, clean_accuracy: float,
    chance: float,
) -> MetricResult:  # fmt: skip
    """robustness_score from the model's accuracy on corrupted copies of validation inputs (at most
    ROBUSTNESS_EXAMPLES of them; health.corruptions says which corruptions suit which inputs)."""
    if len(labels) == 0:
        return MetricResult(1.0, {"note": "no validation examples: not measured"})
    accuracies = corrupted_accuracies(predict, x, labels, seed=d.OUTCOME_SEED, limit=d.ROBUSTNESS_EXAMPLES)
    return robustness_score(accuracies, clean_accuracy, chance)
