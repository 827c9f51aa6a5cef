"""All trials of a run as one CSV table (like Optuna's trials_dataframe): a row per trial, a column per value."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from healthtune.core.scoring import ScoringWeights
from healthtune.health.metrics import METRIC_NAMES, OUTCOME_METRICS

LEADING_COLUMNS = ("number", "state", "score", "val_accuracy", "test_accuracy", "health")
METRIC_COLUMNS = (
    "objective",
    "val_objective",
    "test_objective",
    "val_loss",
    "test_loss",
    "train_accuracy",
    "train_loss",
    "overfitting_gap",
    "params",
    "epochs_trained",
    "findings",
    "total_seconds",
)
TRAILING_COLUMNS = ("prune_reason", "failure_reason", "error")
PER_CLASS_COLUMNS = ("precision", "recall", "f1")
MAX_CLASS_COLUMNS = 50
"""Per-class test columns (`test_<measure>_<class>`) for at most this many classes: CIFAR-100 would add 300."""


def _parameter_names(trials: list[Mapping[str, Any]]) -> list[str]:
    """Every parameter any trial has, in the order they first appear (conditional ones stay grouped)."""
    names: dict[str, None] = {}
    for trial in trials:
        names.update(dict.fromkeys(trial.get("params") or {}))
    return list(names)


def _class_names(trials: list[Mapping[str, Any]]) -> list[str]:
    for trial in trials:
        test = ((trial.get("metrics") or {}).get("per_class") or {}).get("test") or {}
        if test:
            return list(test)[:MAX_CLASS_COLUMNS]
    return []


def _cell(value: Any) -> Any:
    return "" if value is None else value


def trial_rows(
    trials: Iterable[Mapping[str, Any]], weights: ScoringWeights
) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) for trials as dicts (TrialRecord.to_dict()); `health` is weighted with `weights`.

    Parameters are `params_<name>` columns, health metrics `health_<name>`, per-class test results
    `test_precision_<class>`, `test_recall_<class>`, `test_f1_<class>`; a value a trial lacks
    (a parameter its architecture does not have, metrics of a failed trial) is empty.
    """
    trials = list(trials)
    parameters = _parameter_names(trials)
    classes = _class_names(trials)
    header = [
        *LEADING_COLUMNS,
        *(f"health_{name}" for name in METRIC_NAMES),
        *METRIC_COLUMNS,
        *(f"test_{measure}_{name}" for name in classes for measure in PER_CLASS_COLUMNS),
        *(f"params_{name}" for name in parameters),
        *TRAILING_COLUMNS,
    ]
    rows = []
    for trial in trials:
        metrics = trial.get("metrics") or {}
        health = metrics.get("health") or {}
        # trials stored before calibration and robustness still get their health (those two score 1)
        complete_health = all(name in health for name in METRIC_NAMES if name not in OUTCOME_METRICS)
        params = trial.get("params") or {}
        per_class = (metrics.get("per_class") or {}).get("test") or {}
        rows.append(
            [
                trial["number"],
                trial["state"],
                _cell(trial.get("score")),
                _cell(metrics.get("val_accuracy")),
                _cell(metrics.get("test_accuracy")),
                weights.health(health, metrics.get("health_gate")) if complete_health else "",
                *(_cell(health.get(name)) for name in METRIC_NAMES),
                *(_cell(metrics.get(name)) for name in METRIC_COLUMNS),
                *(_cell((per_class.get(name) or {}).get(m)) for name in classes for m in PER_CLASS_COLUMNS),
                *(_cell(params.get(name)) for name in parameters),
                *(_cell(trial.get(name)) for name in TRAILING_COLUMNS),
            ]
        )
    return header, rows


def trials_csv(trials: Iterable[Mapping[str, Any]], weights: ScoringWeights) -> str:
    """The trials as CSV text (a header row, then one row per trial)."""
    header, rows = trial_rows(trials, weights)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_trials_csv(path: Path, trials: Iterable[Mapping[str, Any]], weights: ScoringWeights) -> None:
    """Write the table to `path` (a run's trials.csv) atomically, so a reader never sees half of it."""
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_text(trials_csv(trials, weights), encoding="utf-8")
    tmp.replace(path)
