"""training_stability on loss curves of known shape: healthy, diverged, NaN, and a tiny noisy loss."""

from __future__ import annotations

import numpy as np

from healthtune.health.findings import stability_findings
from healthtune.health.metrics import training_stability


def noisy(curve: np.ndarray, noise: float, seed: int = 0) -> list[float]:
    return list(curve * np.exp(np.random.default_rng(seed).normal(0.0, noise, curve.size)))


def test_a_falling_loss_is_stable_and_not_diverged() -> None:
    result = training_stability(noisy(2.3 * np.exp(-np.linspace(0, 3, 200)) + 0.05, 0.05))
    assert result.score > 0.8
    assert result.details["diverged"] is False
    assert stability_findings(result) == []


def test_a_loss_that_rises_and_saturates_without_nan_diverged() -> None:
    # what a too-high learning rate gives under JAX: 2.5, then pinned near -log(1e-7)
    losses = [2.54, 10.4, 13.6, *noisy(np.full(170, 14.6), 0.05)]
    result = training_stability(losses)
    assert result.score == 0.0
    assert result.details["diverged"] is True
    assert result.details["start_loss"] == 2.54
    assert 14.0 < result.details["end_loss"] < 15.2
    (finding,) = stability_findings(result)
    assert finding.severity == "critical"
    assert finding.title.startswith("the training loss diverged (from 2.54 to 14.")
    assert "learning rate" in finding.suggestion


def test_a_loss_that_rose_less_than_twice_its_start_is_scored_not_zeroed() -> None:
    result = training_stability(noisy(np.linspace(2.3, 4.0, 200), 0.02))
    assert result.details["diverged"] is False
    assert result.score > 0.5


def test_tiny_noisy_losses_of_a_trained_model_are_not_divergence() -> None:
    # fine-tuning: starts at 0.05 and wanders between 0.03 and 0.09
    result = training_stability([0.05, *noisy(np.full(200, 0.05), 0.3)])
    assert result.details["diverged"] is False


def test_any_non_finite_loss_scores_zero_and_says_nan() -> None:
    result = training_stability([2.3, 1.9, float("nan"), 1.7])
    assert result.score == 0.0
    assert result.details["non_finite"] == 1
    (finding,) = stability_findings(result)
    assert "NaN" in finding.title
