"""Picking the best trial: by weighted score among the near ties, and in `pareto` mode only from the Pareto set of trials that learned."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from healthtune.core.config import Mode
from healthtune.core.scoring import (
    NEAR_TIE_LOSS_TOLERANCE,
    NEAR_TIE_STANDARD_ERRORS,
    ScoringWeights,
    score,
    scored_accuracy,
)
from healthtune.health.defaults import NOT_LEARNED_GAIN
from healthtune.health.learning import HealthGate, learning_gain
from healthtune.run.results import TrialRecord

if TYPE_CHECKING:
    import optuna


def learned(metrics: Mapping[str, Any]) -> bool:
    """Whether a finished trial learned: its health gate says so (gain >= NOT_LEARNED_GAIN).

    Trials stored before gates existed are judged from validation accuracy against 1 / classes.
    """
    gate = metrics.get("health_gate")
    if gate:
        return HealthGate.from_dict(gate).learned
    accuracy, classes = metrics.get("val_accuracy"), metrics.get("num_classes")
    if accuracy is None or not classes:
        return True
    return learning_gain(float(accuracy), 1.0 / int(classes)) >= NOT_LEARNED_GAIN


def pareto_front(points: Mapping[int, Sequence[float]]) -> list[int]:
    """Numbers of the points no other point dominates (every value maximized)."""

    def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
        return all(x >= y for x, y in zip(a, b, strict=True)) and any(
            x > y for x, y in zip(a, b, strict=True)
        )

    return sorted(
        n for n, p in points.items() if not any(dominates(q, p) for m, q in points.items() if m != n)
    )


def pareto_numbers(study: optuna.Study) -> list[int]:
    """The Pareto front of (accuracy, health) over complete trials that learned; empty for one objective.

    A model at chance is not a trade-off between accuracy and health, so it never joins the front.
    """
    from optuna.trial import TrialState

    if len(study.directions) < 2:
        return []
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return pareto_front({t.number: t.values for t in trials if learned(t.user_attrs.get("metrics", {}))})


def records_pareto(records: Sequence[TrialRecord], weights: ScoringWeights) -> list[int]:
    """The same front from stored trial records, health weighed with `weights` (re-scoring)."""
    points = {
        r.number: (
            scored_accuracy(r.metrics),
            weights.health(r.metrics["health"], r.metrics.get("health_gate")),
        )
        for r in records
        if r.state == "complete" and r.metrics.get("health") and learned(r.metrics)
    }
    return pareto_front(points)


def near_ties(records: Sequence[TrialRecord]) -> list[TrialRecord]:
    """The trials validation cannot tell apart from the most accurate one: objective within
    NEAR_TIE_STANDARD_ERRORS standard errors of the best (binomial error of the best's value on its
    validation examples). Trials stored without `val_examples` (before the rule) all stay in."""
    best = max(records, key=lambda r: scored_accuracy(r.metrics))
    examples = best.metrics.get("val_examples")
    if not examples:
        return list(records)
    top = scored_accuracy(best.metrics)
    error = math.sqrt(max(top * (1 - top), 0.0) / int(examples))
    floor = top - NEAR_TIE_STANDARD_ERRORS * error - 1e-12
    return [r for r in records if scored_accuracy(r.metrics) >= floor]


def lowest_losses(records: Sequence[TrialRecord]) -> list[TrialRecord]:
    """The trials whose validation loss is within NEAR_TIE_LOSS_TOLERANCE of the lowest (relative).

    A non-finite loss (a diverged model) drops out; a trial stored without one (before the rule) stays.
    """
    losses = {r.number: _loss(r) for r in records}
    finite = [loss for loss in losses.values() if loss is not None and math.isfinite(loss)]
    if not finite:
        return list(records)
    ceiling = min(finite) + abs(min(finite)) * NEAR_TIE_LOSS_TOLERANCE + 1e-12
    return [r for r in records if (loss := losses[r.number]) is None or loss <= ceiling]


def _loss(record: TrialRecord) -> float | None:
    value = record.metrics.get("val_loss")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def select_best(
    records: Sequence[TrialRecord], mode: Mode, weights: ScoringWeights, pareto: Sequence[int] = ()
) -> TrialRecord | None:
    """The complete trial with the highest weighted score (the earliest one on ties); when the score
    weighs accuracy and health, only among the near ties of the most accurate trial whose validation
    loss is close to the lowest of them: health breaks ties, it does not buy accuracy
    (accuracy_weight=0 asks for health alone and gets it)."""
    candidates = [r for r in records if r.state == "complete" and r.metrics.get("val_accuracy") is not None]
    if mode is Mode.PARETO and pareto:
        candidates = [r for r in candidates if r.number in set(pareto)]
    if not candidates:
        return None
    if mode is not Mode.SIMPLE and 0 < weights.health_overall_weight < 1:  # health alone: as asked
        candidates = lowest_losses(near_ties(candidates))
    return max(candidates, key=lambda r: (score(mode, weights, r.metrics), -r.number))
