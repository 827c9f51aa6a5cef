"""Out-of-sample outcomes of a known model, and the comparison of the chosen pick with the accuracy pick."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.core.scoring import ScoringWeights
from healthtune.evaluation.outcomes import Outcomes, measure_outcomes
from healthtune.health.corruptions import IMAGE_CORRUPTIONS
from healthtune.run.health_bought import compare, summarize, trials_to_measure
from healthtune.run.results import TrialRecord


def test_outcomes_of_a_model_that_always_answers_the_same() -> None:
    x = np.random.default_rng(0).random((30, 8, 8, 1)).astype(np.float32)
    y = np.array([0, 1, 2] * 10)

    def predict(batch: np.ndarray) -> np.ndarray:
        return np.tile([0.8, 0.1, 0.1], (len(batch), 1))

    outcomes = measure_outcomes(predict, x, y)
    assert outcomes.test_accuracy == pytest.approx(1 / 3) and outcomes.examples == 30
    assert outcomes.calibration_error == pytest.approx(0.8 - 1 / 3)
    assert set(outcomes.corruptions) == set(IMAGE_CORRUPTIONS)
    assert outcomes.corrupted_accuracy == pytest.approx(1 / 3)


def _record(number: int, accuracy: float, score: float) -> TrialRecord:
    health = dict.fromkeys(ScoringWeights.resolve().health_component_proportions, 0.5)
    return TrialRecord(number, "complete", {}, score, {"val_accuracy": accuracy, "health": health})


def test_the_comparison_puts_the_pick_beside_the_accuracy_only_pick() -> None:
    trials = [_record(0, 0.97, 0.80), _record(1, 0.98, 0.70), _record(2, 0.90, 0.75), _record(3, 0.5, 0.1)]
    assert trials_to_measure(trials, trials[0]) == [0, 1, 2, 3]
    measured = {
        0: Outcomes(0.96, 0.02, 0.90, {"blur": 0.9}, 100),
        1: Outcomes(0.97, 0.05, 0.80, {"blur": 0.8}, 100),
    }
    comparison = compare(trials, trials[0], ScoringWeights.resolve(), measured)
    assert comparison["chosen"]["trial"] == 0 and comparison["accuracy_only"]["trial"] == 1
    assert comparison["differences"] == pytest.approx(
        {"test_accuracy": -0.01, "calibration_error": -0.03, "corrupted_accuracy": 0.1}
    )
    assert "test accuracy -1.0 points, calibration error lower by 0.030" in comparison["summary"]
    unmeasured = compare(trials, trials[2], ScoringWeights.resolve(), measured)
    assert unmeasured["chosen"]["measured"] is False and unmeasured["differences"] is None
    assert "was not measured" in unmeasured["summary"]
    same = compare(trials, trials[1], ScoringWeights.resolve(), measured)
    assert same["same_trial"] and "the same model" in summarize(same["chosen"], same["accuracy_only"], None)
    assert same["summary"].startswith("Trial 1 is the most accurate on validation")


def test_the_summary_names_trials_tied_on_validation_accuracy() -> None:
    # trial 2 scores higher than trial 0 at the same accuracy (a run whose loss band dropped it): the
    # summary must not call trial 0 "the best score"
    trials = [_record(0, 0.84, 0.80), _record(1, 0.70, 0.70), _record(2, 0.84, 0.81)]
    comparison = compare(trials, trials[0], ScoringWeights.resolve(), {})
    assert comparison["same_trial"]
    assert comparison["summary"].startswith("Trials 0, 2 tie on validation accuracy; accuracy alone takes")
    assert "best score" not in comparison["summary"]
