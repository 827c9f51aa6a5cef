"""Picking the best trial: health breaks near-ties of validation accuracy, it does not buy accuracy."""

from __future__ import annotations

from typing import Any

from healthtune.core.choices import Mode
from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS, ScoringWeights
from healthtune.run.results import TrialRecord
from healthtune.run.selection import lowest_losses, near_ties, select_best


def _trial(
    number: int,
    accuracy: float,
    health: float,
    val_examples: int | None = 1000,
    val_loss: float | None = None,
) -> TrialRecord:
    metrics: dict[str, Any] = {
        "val_accuracy": accuracy,
        "health": dict.fromkeys(DEFAULT_HEALTH_COMPONENT_PROPORTIONS, health),
    }
    if val_examples is not None:
        metrics["val_examples"] = val_examples
    if val_loss is not None:
        metrics["val_loss"] = val_loss
    return TrialRecord(number=number, state="complete", params={}, score=None, metrics=metrics)


def test_health_picks_among_trials_validation_cannot_tell_apart() -> None:
    # best 0.95 on 1000 examples: half a standard error is sqrt(0.95 * 0.05 / 1000) / 2 = 0.0034
    trials = [_trial(0, 0.950, 0.60), _trial(1, 0.948, 0.90), _trial(2, 0.930, 1.00)]
    assert [t.number for t in near_ties(trials)] == [0, 1]
    best = select_best(trials, Mode.HEALTH, ScoringWeights())
    assert best is not None and best.number == 1  # healthier, 0.2 points below: within the noise
    # the weighted score alone would take trial 2 (0.7 * 0.93 + 0.3 * 1.0 > 0.7 * 0.948 + 0.3 * 0.9)
    assert select_best(trials, Mode.SIMPLE, ScoringWeights.accuracy_only()).number == 0  # type: ignore[union-attr]


def test_the_band_narrows_with_more_validation_examples() -> None:
    trials = [_trial(0, 0.950, 0.60, 100_000), _trial(1, 0.948, 0.90, 100_000)]
    assert select_best(trials, Mode.HEALTH, ScoringWeights()).number == 0  # type: ignore[union-attr]


def test_pareto_pick_obeys_the_band_and_zero_health_weight_is_accuracy_only() -> None:
    trials = [_trial(0, 0.950, 0.60), _trial(1, 0.948, 0.90), _trial(2, 0.930, 1.00)]
    best = select_best(trials, Mode.PARETO, ScoringWeights(), pareto=[0, 1, 2])
    assert best is not None and best.number == 1
    assert select_best(trials, Mode.HEALTH, ScoringWeights(1.0, 0.0)).number == 0  # type: ignore[union-attr]
    assert select_best(trials, Mode.HEALTH, ScoringWeights(0.0, 1.0)).number == 2  # type: ignore[union-attr]


def test_trials_stored_before_the_rule_are_weighed_as_before() -> None:
    trials = [_trial(0, 0.950, 0.60, None), _trial(1, 0.930, 1.00, None)]
    assert len(near_ties(trials)) == 2
    assert select_best(trials, Mode.HEALTH, ScoringWeights()).number == 1  # type: ignore[union-attr]


def test_validation_loss_narrows_the_near_ties_before_health_decides() -> None:
    # 80 validation examples: 0.9375 and 0.925 are one example apart, inside half a standard error
    trials = [
        _trial(0, 0.9375, 0.90, 80, val_loss=0.89),  # healthiest, but its probabilities are far off
        _trial(1, 0.9375, 0.70, 80, val_loss=0.52),
        _trial(2, 0.925, 0.60, 80, val_loss=0.40),
        _trial(3, 0.925, 0.65, 80, val_loss=0.41),  # within 5% of the lowest loss, and healthier
        _trial(4, 0.925, 0.99, 80, val_loss=float("nan")),  # a diverged loss never wins
    ]
    assert [t.number for t in lowest_losses(near_ties(trials))] == [2, 3]
    best = select_best(trials, Mode.HEALTH, ScoringWeights())
    assert best is not None and best.number == 3
    # accuracy alone is what simple mode asks for: the loss does not enter it
    assert select_best(trials, Mode.SIMPLE, ScoringWeights.accuracy_only()).number == 0  # type: ignore[union-attr]


def test_trials_stored_without_a_validation_loss_stay_in() -> None:
    trials = [_trial(0, 0.950, 0.60, val_loss=0.2), _trial(1, 0.949, 0.90)]
    assert [t.number for t in lowest_losses(trials)] == [0, 1]
    assert select_best(trials, Mode.HEALTH, ScoringWeights()).number == 1  # type: ignore[union-attr]
