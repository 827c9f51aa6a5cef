"""Picking the best trial: by weighted score, and in `pareto` mode only from the Pareto set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from healthtune.config import Mode
from healthtune.results import TrialRecord
from healthtune.scoring import ScoringWeights, score

if TYPE_CHECKING:
    import optuna


def pareto_numbers(study: optuna.Study) -> list[int]:
    """Trial numbers on the Pareto front (multi-objective studies); empty for one objective."""
    if len(study.directions) < 2:
        return []
    return sorted(trial.number for trial in study.best_trials)


def select_best(
    records: Sequence[TrialRecord], mode: Mode, weights: ScoringWeights, pareto: Sequence[int] = ()
) -> TrialRecord | None:
    """The complete trial with the highest weighted score (the earliest one on ties)."""
    candidates = [r for r in records if r.state == "complete" and r.metrics.get("val_accuracy") is not None]
    if mode is Mode.PARETO and pareto:
        candidates = [r for r in candidates if r.number in set(pareto)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (score(mode, weights, r.metrics), -r.number))
