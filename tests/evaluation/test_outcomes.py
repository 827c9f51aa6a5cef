"""Out-of-sample outcomes on known inputs: calibration error, image and text corruptions, the comparison."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.core.scoring import ScoringWeights
from healthtune.evaluation.outcomes import Outcomes, measure_outcomes
from healthtune.health.corruptions import (
    IMAGE_CORRUPTIONS,
    corrupt_images,
    corrupt_texts,
    expected_calibration_error,
)
from healthtune.run.health_bought import compare, summarize, trials_to_measure
from healthtune.run.results import TrialRecord


def test_calibration_error_of_known_predictions() -> None:
    labels = np.array([0, 1, 0, 0])
    overconfident = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    # 0.9-confident half is right half the time, 0.6-confident half always: 0.5*0.4 + 0.5*0.4
    assert expected_calibration_error(overconfident, labels) == pytest.approx(0.4)
    honest = np.array([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0]])  # 50% sure, right 1 in 2
    assert expected_calibration_error(honest, np.array([0, 1, 0, 0])) == pytest.approx(0.0)


def test_image_corruptions_change_the_picture_as_named() -> None:
    rng = np.random.default_rng(0)
    x = np.zeros((2, 20, 20, 1), np.float32)
    x[:, 5:10, 5:10, :] = 1.0
    shifted = corrupt_images(x, "shift", rng)
    assert shifted[0, 7:12, 7:12, 0].min() == 1.0 and shifted[0, 5, 5, 0] == 0.0  # moved by 2 pixels
    flat = corrupt_images(x, "contrast", rng)
    assert flat.max() - flat.min() == pytest.approx(0.4, abs=1e-6)
    blurred = corrupt_images(x, "blur", rng)
    assert 0 < blurred[0, 4, 7, 0] < 1 and blurred.sum() == pytest.approx(x.sum(), rel=0.01)
    grey = np.full_like(x, 0.5)
    noisy = corrupt_images(grey, "gaussian_noise", rng)  # E|N(0, 0.1)| = 0.08
    assert 0.07 < np.abs(noisy - grey).mean() < 0.09 and noisy.min() >= 0 and noisy.max() <= 1
    rotated = corrupt_images(x, "rotation", rng)
    assert not np.array_equal(rotated, x) and rotated.shape == x.shape
    with pytest.raises(ValueError, match="kind must be one of"):
        corrupt_images(x, "snow", rng)


def test_text_corruptions_drop_or_swap_words_and_keep_padding_at_the_end() -> None:
    tokens = np.zeros((50, 40), np.int32)
    tokens[:, :30] = np.arange(2, 32)
    dropped = corrupt_texts(tokens, "word_dropout", np.random.default_rng(1))
    kept = (dropped != 0).sum(axis=1)
    assert 0.75 * 30 < kept.mean() < 0.95 * 30
    for row in dropped:  # the words left keep their order, padding follows them
        words = row[row != 0]
        assert np.all(np.diff(words) > 0) and np.all(row[len(words) :] == 0)
    swapped = corrupt_texts(tokens, "word_swaps", np.random.default_rng(1))
    assert all(sorted(row[:30]) == list(range(2, 32)) for row in swapped)
    assert (swapped[:, :30] != tokens[:, :30]).mean() > 0.1 and np.all(swapped[:, 30:] == 0)


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
