"""calibration and robustness: known predictions, and a planted shortcut that real training learns."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
from keras import layers

from healthtune.data import Dataset
from healthtune.health.corruptions import calibration_gaps, expected_calibration_error
from healthtune.health.defaults import METRIC_THRESHOLDS, UNDERCONFIDENCE_WEIGHT
from healthtune.health.findings import calibration_findings, robustness_findings
from healthtune.health.outcome_metrics import calibration, robustness_score


def test_calibration_scores_the_gap_between_confidence_and_accuracy() -> None:
    labels = np.array([0, 1, 0, 0])
    honest = np.array([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0]])
    assert calibration(honest, labels).score == pytest.approx(1.0)
    # 90% sure and right half the time, 60% sure and always right: 0.2 over and 0.2 under
    mixed = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    assert calibration_gaps(mixed, labels) == pytest.approx((0.2, 0.2))
    result = calibration(mixed, labels)
    assert (
        result.details["calibration_error"] == pytest.approx(0.4) == expected_calibration_error(mixed, labels)
    )
    assert result.score == 0.0  # 0.2 + 0.4 x 0.2 counted: beyond 0.25
    (finding,) = calibration_findings(result)
    assert finding.metric == "calibration" and finding.severity == "warning"
    assert finding.title.startswith("overconfident") and "0.200 over, 0.200 under" in finding.title
    assert calibration(np.full((2, 2), np.nan), np.array([0, 1])).score == 0.0


def test_underconfidence_counts_less_and_is_warned_from_where_its_score_falls_below_the_threshold() -> None:
    sure = np.tile([0.85, 0.15], (10, 1))  # 85% sure of class 0 every time
    cautious = calibration(sure, np.zeros(10, dtype=int))  # right every time: error 0.15, all under
    overconfident = calibration(sure, np.array([0] * 7 + [1] * 3))  # right 70%: error 0.15, all over
    assert overconfident.score == pytest.approx(1 - 0.15 / 0.25)
    assert cautious.score == pytest.approx(1 - UNDERCONFIDENCE_WEIGHT * 0.15 / 0.25) == pytest.approx(0.76)
    ((cautious_finding,), (overconfident_finding,)) = (
        calibration_findings(cautious),
        calibration_findings(overconfident),
    )
    assert (cautious_finding.severity, cautious_finding.title.split(":")[0]) == ("info", "underconfident")
    assert (overconfident_finding.severity, overconfident_finding.title.split(":")[0]) == (
        "warning",
        "overconfident",
    )
    timid = calibration(np.tile([0.6, 0.4], (10, 1)), np.zeros(10, dtype=int))  # error 0.4, all under
    assert timid.score < METRIC_THRESHOLDS["calibration"]
    assert [f.severity for f in calibration_findings(timid)] == ["warning"]
    slightly = calibration(np.tile([0.95, 0.05], (10, 1)), np.zeros(10, dtype=int))  # error 0.05
    assert calibration_findings(slightly) == []


def test_robustness_is_the_share_of_learning_kept_under_corruption() -> None:
    result = robustness_score({"blur": 0.55, "shift": 0.35}, clean_accuracy=0.9, chance=0.1)
    assert result.score == pytest.approx((0.45 - 0.1) / (0.9 - 0.1))
    (finding,) = robustness_findings(result)
    assert "worst: shift, 35.0%" in finding.title
    assert robustness_score({"blur": 0.95}, clean_accuracy=0.9, chance=0.1).score == 1.0
    at_chance = robustness_score({"blur": 0.1}, clean_accuracy=0.1, chance=0.1)
    assert at_chance.score == 0.0
    (finding,) = robustness_findings(at_chance)
    assert finding.title.startswith("nothing to keep")


def _shortcut(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Faint noise images whose only signal is the brightness of one pixel, set by the label: a shortcut
    that any change of brightness, focus or position breaks."""
    out = rng.uniform(0.0, 0.02, size=x.shape).astype(np.float32)
    out[:, 3, 3, 0] = (y + 0.5) / 10
    return out


def test_a_model_that_learned_a_shortcut_is_fragile_and_a_real_one_is_not(  # type: ignore[no-untyped-def]
    train_and_diagnose, digits: Dataset
) -> None:
    rng = np.random.default_rng(0)
    planted = dataclasses.replace(
        digits,
        x_train=_shortcut(digits.x_train, digits.y_train, rng),
        x_val=_shortcut(digits.x_val, digits.y_val, rng),
    )

    def net() -> keras.Model:
        return keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(64, activation="relu"),
                                 layers.Dense(10, activation="softmax")])  # fmt: skip

    shortcut = train_and_diagnose(net, dataset=planted, epochs=40, optimizer=keras.optimizers.Adam(0.01))
    real = train_and_diagnose(net, epochs=5)
    assert shortcut.details["robustness"]["clean_accuracy"] > 0.9  # it learned the shortcut
    assert shortcut.metrics["robustness"] < 0.5 < real.metrics["robustness"]  # measured 0.24 and 0.77
    assert [f.title for f in shortcut.findings if f.metric == "robustness" and f.title.startswith("fragile")]
    assert not [f for f in real.findings if f.metric == "robustness"]
