"""What health-aware selection bought: the chosen model beside the one validation accuracy alone would pick."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from healthtune.core.config import Mode
from healthtune.core.paths import RunPaths, TrialPaths
from healthtune.core.scoring import ScoringWeights
from healthtune.evaluation.outcomes import Outcomes, measure_outcomes
from healthtune.health.defaults import OUTCOME_SEED
from healthtune.run.results import TrialRecord, write_json
from healthtune.run.selection import select_best

logger = logging.getLogger(__name__)

"""A trial's measured outcomes, kept in its folder: measured once, read again by every re-score."""
MEASURED_TRIALS = 4
"""Trials measured at the end of a run: the chosen one, the accuracy-only pick, and the next best by
score, so a re-score that moves the pick a little still finds its outcomes."""
COMPARED = ("test_accuracy", "calibration_error", "corrupted_accuracy")


def accuracy_pick(records: Sequence[TrialRecord]) -> TrialRecord | None:
    """The trial validation accuracy alone would pick (the earliest on ties)."""
    return select_best(records, Mode.SIMPLE, ScoringWeights.accuracy_only())


def trials_to_measure(records: Sequence[TrialRecord], chosen: TrialRecord) -> list[int]:
    """The chosen trial, the accuracy-only pick, then the best others by score; MEASURED_TRIALS at most."""
    numbers = [chosen.number]
    by_accuracy = accuracy_pick(records)
    if by_accuracy is not None and by_accuracy.number not in numbers:
        numbers.append(by_accuracy.number)
    complete = [r for r in records if r.state == "complete" and r.score is not None]
    for record in sorted(complete, key=lambda r: (-float(r.score or 0.0), r.number)):
        if len(numbers) >= MEASURED_TRIALS:
            break
        if record.number not in numbers:
            numbers.append(record.number)
    return numbers


def measure_trials(paths: RunPaths, numbers: Sequence[int], x_test: Any, y_test: Any) -> dict[int, Outcomes]:
    """Load each trial's saved model and measure it on the test split (and corrupted copies of it).

    Each result is written to the trial's outcomes.json. A trial without a model is left out.
    """
    import keras

    from healthtune.training.feeding import predict

    measured: dict[int, Outcomes] = {}
    for number in numbers:
        model_file = paths.trial(number).model
        if not model_file.is_file():
            continue
        model = keras.saving.load_model(model_file, compile=False)
        outcomes = measure_outcomes(functools.partial(predict, model), x_test, y_test, seed=OUTCOME_SEED)
        write_json(paths.trial(number).outcomes, outcomes.to_dict())
        measured[number] = outcomes
    return measured


def stored_outcomes(paths: RunPaths) -> dict[int, Outcomes]:
    """Every trial's outcomes.json of a run (what re-scoring can compare without a model loaded)."""
    found: dict[int, Outcomes] = {}
    if not paths.trials_dir.is_dir():
        return found
    for folder in paths.trials_dir.glob("trial_*"):
        try:
            outcomes = json.loads(TrialPaths(folder).outcomes.read_text())
            found[int(folder.name.removeprefix("trial_"))] = Outcomes(**outcomes)
        except (OSError, ValueError, TypeError):
            continue
    return found


def _entry(record: TrialRecord, weights: ScoringWeights, outcomes: Outcomes | None) -> dict[str, Any]:
    metrics = record.metrics
    health = weights.health(metrics["health"], metrics.get("health_gate")) if metrics.get("health") else None
    entry: dict[str, Any] = {
        "trial": record.number,
        "score": record.score,
        "val_accuracy": metrics.get("val_accuracy"),
        "health": health,
        "measured": outcomes is not None,
    }
    if outcomes is not None:
        entry.update(outcomes.to_dict())
    return entry


def compare(
    records: Sequence[TrialRecord],
    chosen: TrialRecord,
    weights: ScoringWeights,
    outcomes: Mapping[int, Outcomes],
) -> dict[str, Any]:
    """run.json's `health_bought`: the chosen trial and the accuracy-only pick side by side (and the other
    measured trials), the differences chosen minus accuracy pick, and one sentence saying what they mean."""
    by_accuracy = accuracy_pick(records) or chosen
    chosen_entry = _entry(chosen, weights, outcomes.get(chosen.number))
    accuracy_entry = _entry(by_accuracy, weights, outcomes.get(by_accuracy.number))
    others = [
        _entry(record, weights, outcomes[record.number])
        for record in records
        if record.number in outcomes and record.number not in (chosen.number, by_accuracy.number)
    ]
    differences = None
    if chosen_entry["measured"] and accuracy_entry["measured"]:
        differences = {name: chosen_entry[name] - accuracy_entry[name] for name in COMPARED}
    return {
        "chosen": chosen_entry,
        "accuracy_only": accuracy_entry,
        "others": others,
        "same_trial": chosen.number == by_accuracy.number,
        "differences": differences,
        "summary": summarize(chosen_entry, accuracy_entry, differences, _accuracy_ties(records, by_accuracy)),
    }


def _accuracy_ties(records: Sequence[TrialRecord], by_accuracy: TrialRecord) -> list[int]:
    """The other complete trials exactly as accurate on validation as the accuracy-only pick."""
    best = by_accuracy.metrics.get("val_accuracy")
    return [
        r.number
        for r in records
        if r.state == "complete" and r.number != by_accuracy.number and r.metrics.get("val_accuracy") == best
    ]


def summarize(
    chosen: dict[str, Any],
    accuracy: dict[str, Any],
    differences: dict[str, float] | None,
    ties: Sequence[int] = (),
) -> str:
    """The comparison in plain words, as the CLI and the dashboard say it. `ties`: the other trials as
    accurate on validation as the accuracy-only pick (accuracy alone takes the earliest of them)."""
    if chosen["trial"] == accuracy["trial"]:
        if ties:
            tied = ", ".join(str(number) for number in sorted([chosen["trial"], *ties]))
            return (
                f"Trials {tied} tie on validation accuracy; accuracy alone takes the earliest, trial "
                f"{chosen['trial']}, and this run picked it too: the same model accuracy alone would."
            )
        return (
            f"Trial {chosen['trial']} is the most accurate on validation and this run picked it: the same "
            "model accuracy alone would."
        )
    if differences is None:
        return (
            f"The pick (trial {chosen['trial']}) differs from the accuracy-only pick (trial "
            f"{accuracy['trial']}), but one of them was not measured on the test data."
        )
    points = 100 * differences["test_accuracy"]
    calibration = differences["calibration_error"]
    corrupted = 100 * differences["corrupted_accuracy"]
    return (
        f"Health-aware selection picked trial {chosen['trial']} over trial {accuracy['trial']} (the "
        f"accuracy-only pick): test accuracy {points:+.1f} points, calibration error "
        f"{'lower' if calibration < 0 else 'higher'} by {abs(calibration):.3f}, accuracy on corrupted "
        f"inputs {corrupted:+.1f} points."
    )


def measure_and_compare(
    paths: RunPaths,
    records: Sequence[TrialRecord],
    chosen: TrialRecord,
    weights: ScoringWeights,
    dataset: Any,
) -> dict[str, Any] | None:
    """At the end of a run: measure the trials that matter once, and compare. None (logged) on failure:
    a run never fails because a comparison could not be made."""
    if len(dataset.y_test) == 0:
        return None
    try:
        measured = measure_trials(paths, trials_to_measure(records, chosen), dataset.x_test, dataset.y_test)
        return compare(records, chosen, weights, measured)
    except Exception:
        logger.exception("could not measure what health-aware selection bought")
        return None
