"""Metrics on inputs of known shape: loss curves (healthy, diverged, NaN, stalled), fold spreads, chance."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.health.learning import chance_level, chance_loss
from healthtune.health.metrics import consistency_score, convergence_quality, training_stability
from healthtune.health.training_findings import convergence_findings, stability_findings


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


def test_a_loss_that_rose_less_than_twice_its_start_is_stalled_not_diverged() -> None:
    result = training_stability(noisy(np.linspace(2.3, 4.0, 200), 0.02))
    assert result.details["diverged"] is False
    assert result.details["stalled"] is True and result.score == 0.0


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


def test_a_flat_loss_is_stalled_not_stable() -> None:
    result = training_stability(noisy(np.full(200, 2.30), 0.002))
    assert result.details["stalled"] is True
    assert result.score < 0.1
    titles = [finding.title for finding in stability_findings(result)]
    assert "the training loss stalled at 2.3, where it started" in titles  # not "(from 2.3 to 2.3)"


def test_a_short_run_s_falling_loss_is_not_stalled_and_a_flat_one_is() -> None:
    # 3 epochs of 3 batches (a few hundred texts): two 10-batch windows covered the same 9 batches, so an
    # R8 LSTM's loss read "stalled at 1.76 (from 1.76)" whatever it did
    falling = [2.08, 2.05, 1.98, 1.90, 1.76, 1.40, 0.84, 0.80, 0.78]
    result = training_stability(falling, chance_loss=1.06)
    assert result.details["stalled"] is False and result.details["compared_batches"] == 3
    assert (
        training_stability([2.08, 2.07, 2.09, 2.08, 2.07, 2.08], chance_loss=2.08).details["stalled"] is True
    )
    assert training_stability([2.3, 2.3]).details["stalled"] is False  # two batches: nothing to compare


def test_a_loss_that_falls_only_to_the_class_shares_is_stalled() -> None:
    # imbalanced labels: guessing the class shares already gives 1.34 (from ln(8) = 2.08)
    falling_to_prior = noisy(1.36 + 0.72 * np.exp(-np.linspace(0, 6, 200)), 0.01)
    assert training_stability(falling_to_prior).details["stalled"] is False
    assert training_stability(falling_to_prior, chance_loss=1.34).details["stalled"] is True


def test_a_loss_that_fell_from_far_above_a_guess_to_a_guess_s_is_stalled_against_the_guess() -> None:
    # a too-high learning rate: the first batches at 76, then down to about a guess's loss (1.34)
    result = training_stability([76.0] * 10 + noisy(np.full(190, 1.49), 0.01), chance_loss=1.34)
    (finding,) = [f for f in stability_findings(result) if "stalled" in f.title]
    assert finding.title.startswith(
        "the training loss stalled at 1.49, not clearly below a guess's 1.34 (from 76"
    )


def test_a_validation_loss_above_a_guess_s_is_not_said_to_have_fallen() -> None:
    rose = {"val_loss": [2.1, 2.05, 2.04], "accuracy": [0.52] * 3, "val_accuracy": [0.52] * 3}
    titles = [f.title for f in convergence_findings(convergence_quality(rose, 8, chance_loss=1.34))]
    assert "the validation loss never fell below a guess's (2.04 against 1.34)" in titles
    barely = {"val_loss": [2.29, 2.25, 2.2], "accuracy": [0.15] * 3, "val_accuracy": [0.15] * 3}
    titles = [f.title for f in convergence_findings(convergence_quality(barely, 10))]
    assert "the validation loss barely fell (from 2.3, a guess's, to 2.2)" in titles
    flat = {"val_loss": [2.304, 2.303, 2.3031], "accuracy": [0.1] * 3, "val_accuracy": [0.1] * 3}
    titles = [f.title for f in convergence_findings(convergence_quality(flat, 10))]
    assert "the validation loss stayed at a guess's (2.3)" in titles  # not "(2.3 against 2.3)"


def test_a_loss_that_started_at_a_guess_s_stalls_from_where_it_started() -> None:
    # balanced digits: a guess's loss is 2.302, the first batches 2.47
    result = training_stability([2.47] * 10 + noisy(np.full(190, 2.32), 0.001), chance_loss=2.302)
    (finding,) = [f for f in stability_findings(result) if "stalled" in f.title]
    assert finding.title == "the training loss stalled (from 2.47 to 2.32)"


def test_a_flat_run_earns_no_convergence_credit() -> None:
    # it "improved" by a hair every epoch and never overfitted: the old formula gave it 0.67
    flat = {
        "val_loss": [2.302, 2.301, 2.300, 2.299, 2.298],
        "accuracy": [0.11] * 5,
        "val_accuracy": [0.11] * 5,
    }
    result = convergence_quality(flat, num_classes=10, train_accuracy=0.11)
    assert result.score < 0.05
    assert result.details["improved_share"] == 0.0
    learned = {"val_loss": [0.9, 0.4, 0.2, 0.15, 0.12], "accuracy": [0.97] * 5, "val_accuracy": [0.97] * 5}
    assert convergence_quality(learned, num_classes=10, train_accuracy=0.98).score > 0.9


def test_noisy_training_labels_show_as_a_negative_gap() -> None:
    history = {"val_loss": [0.9, 0.4, 0.2, 0.15, 0.12], "accuracy": [0.6] * 5, "val_accuracy": [0.96] * 5}
    result = convergence_quality(history, num_classes=10, train_accuracy=0.64)
    assert result.details["underfitting_penalty"] == 1.0
    assert any("below validation accuracy" in f.title for f in convergence_findings(result))
    # the running accuracy of an epoch lags the model: without a measured one, no underfitting check
    assert convergence_quality(history, num_classes=10).details["underfitting_penalty"] == 0.0


def _gap_findings(gap: float, val_loss: list[float]) -> dict[str, str]:
    history = {
        "val_loss": val_loss,
        "accuracy": [0.9] * len(val_loss),
        "val_accuracy": [0.9 - gap] * len(val_loss),
    }
    result = convergence_quality(history, num_classes=10, train_accuracy=0.9)
    return {f.title.split(":")[0]: f.severity for f in convergence_findings(result)}


def test_a_gap_is_overfitting_once_validation_gets_worse() -> None:
    still_improving = [1.0, 0.6, 0.45, 0.4, 0.38]
    past_its_best = [1.0, 0.6, 0.45, 0.5, 0.55]
    # a 7-point gap while validation still improves: information, not a fault
    assert _gap_findings(0.07, still_improving) == {"generalization gap": "info"}
    findings = _gap_findings(0.07, past_its_best)
    assert findings["overfitting"] == "warning"
    assert any(title.startswith("validation loss rose") for title in findings)
    # past the critical gap, validation's trajectory does not matter
    assert _gap_findings(0.2, still_improving) == {"overfitting": "critical"}
    assert list(_gap_findings(0.03, past_its_best)) == ["validation loss rose after epoch 3 (0.450 -> 0.550)"]
    # the returned model is the best epoch's, but early stopping's patience epochs saw validation worsen
    history = {"val_loss": still_improving, "accuracy": [0.9] * 5, "val_accuracy": [0.83] * 5}
    stopped = convergence_quality(
        history, num_classes=10, train_accuracy=0.9, after_best_val_loss=[0.4, 0.45]
    )
    assert stopped.score == convergence_quality(history, num_classes=10, train_accuracy=0.9).score
    assert {f.title.split(":")[0]: f.severity for f in convergence_findings(stopped)} == {
        "overfitting": "warning"
    }


def test_a_rise_after_the_best_epoch_without_a_gap_points_to_the_labels() -> None:
    # Reuters R8 with 40% of its training labels shuffled: the returned (best) epoch's train accuracy
    # is no higher than validation's, but early stopping's extra epochs memorized labels that
    # contradict their texts and the validation loss rose 18%
    history = {"val_loss": [1.2, 0.7, 0.5, 0.451], "accuracy": [0.87] * 4, "val_accuracy": [0.873] * 4}
    result = convergence_quality(
        history, num_classes=8, train_accuracy=0.871, chance_loss=1.4, after_best_val_loss=[0.504, 0.532]
    )
    (rose,) = convergence_findings(result)
    assert (rose.severity, rose.title) == ("warning", "validation loss rose after epoch 4 (0.451 -> 0.532)")
    assert "label noise" in rose.explanation and "Early stopping returned epoch 4" in rose.explanation
    # a model near a loss of 0 moves 10% when an example or two flip: below 2% of the chance loss is noise
    tiny = {"val_loss": [0.9, 0.2, 0.037], "accuracy": [1.0] * 3, "val_accuracy": [0.989] * 3}
    assert not convergence_findings(
        convergence_quality(tiny, num_classes=10, train_accuracy=1.0, after_best_val_loss=[0.05, 0.046])
    )


def test_a_run_that_ended_still_learning_is_told_so() -> None:
    # the deep tanh stack trained by plain SGD on Fashion-MNIST: slow, accelerating, cut off by the budget
    slow = {
        "val_loss": [2.25, 2.17, 2.04, 1.83, 1.60, 1.45],
        "accuracy": [0.56] * 6,
        "val_accuracy": [0.59] * 6,
    }
    titles = [
        f.title for f in convergence_findings(convergence_quality(slow, num_classes=10, train_accuracy=0.56))
    ]
    assert "still learning when training ended: the last epoch took 9% off the validation loss" in titles
    # epochs after the best one mean the run had stopped improving; a near-flat end is converged
    assert not convergence_findings(convergence_quality(slow, num_classes=10, after_best_val_loss=[1.5]))
    converged = {
        "val_loss": [0.74, 0.58, 0.49, 0.45, 0.436, 0.435],
        "accuracy": [0.85] * 6,
        "val_accuracy": [0.85] * 6,
    }
    assert not convergence_findings(convergence_quality(converged, num_classes=10, train_accuracy=0.85))
    # a diverged run whose loss came down from far above a guess's has learned nothing; nor has a run
    # whose last epoch fell but stayed above its lowest
    diverged = {"val_loss": [9.0, 7.0, 4.9], "accuracy": [0.1] * 3, "val_accuracy": [0.1] * 3}
    assert convergence_quality(diverged, num_classes=10).details["last_epoch_drop"] == 0.0
    bounced = {"val_loss": [0.28, 0.22, 0.49, 0.36, 0.32], "accuracy": [0.99] * 5, "val_accuracy": [0.95] * 5}
    assert convergence_quality(bounced, num_classes=8).details["last_epoch_drop"] == 0.0


def test_fold_spread_within_sampling_noise_is_consistent() -> None:
    # the reference: 97.8% on 5 folds of 54 examples, fold accuracies 0.94-1.0
    folds = [[0.944, 0.963, 1.0, 0.981, 1.0]] * 10
    assert np.std(folds[0]) / 0.05 > 0.4  # the old 1 - std / 0.05 gave it about 0.55
    result = consistency_score(folds, fold_size=54)
    assert result.details["sampling_std"] == pytest.approx(np.sqrt(0.978 * 0.022 / 54), rel=0.01)
    assert result.score == 1.0
    # the same spread on folds of 5,000 examples is ten times what sampling explains
    beyond = consistency_score(folds, fold_size=5000)
    assert beyond.details["excess_std"] == pytest.approx(0.024, abs=0.001)
    assert beyond.score == pytest.approx(1 - 0.024 / 0.05, abs=0.02)


def test_chance_is_the_best_constant_guess() -> None:
    labels = np.array([0] * 52 + [1] * 29 + [2] * 19)
    assert chance_level(8, labels) == pytest.approx(0.52)
    assert chance_level(8) == pytest.approx(1 / 8)
    assert chance_loss(8) == pytest.approx(np.log(8))
    assert chance_loss(8, labels) < np.log(3)


def test_a_loss_that_fell_clearly_but_less_than_the_stall_drop_learned_slowly_not_stalled() -> None:
    # a small net on digits after 4 epochs at 74%: 2.27 -> 1.84, still falling; a guess's loss is 2.302
    result = training_stability(list(np.linspace(2.27, 1.84, 200)), chance_loss=2.302)
    assert result.details["stalled"] is True and result.score < 1  # scored as before
    (finding,) = stability_findings(result)
    assert finding.title == "the training loss fell only 18% (from 2.26 to 1.85)"
    assert "learns, but slowly" in finding.explanation and "more epochs" in finding.suggestion
    # under 10%, it is stalled
    flat = training_stability(list(np.linspace(2.27, 2.10, 200)), chance_loss=2.302)
    assert stability_findings(flat)[0].title.startswith("the training loss stalled")
