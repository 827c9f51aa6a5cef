"""trials_csv: conditional parameters and failed trials leave empty cells, never shifted columns."""

from __future__ import annotations

import csv
import io

from healthtune.core.scoring import ScoringWeights
from healthtune.run.trials_table import trials_csv

HEALTH = {
    "neuron_utilization": 1.0,
    "parameter_efficiency": 0.5,
    "training_stability": 1.0,
    "gradient_health": 1.0,
    "convergence_quality": 0.5,
    "accuracy_consistency": 0.0,
}


def test_each_trial_fills_its_own_columns() -> None:
    trials = [
        {"number": 0, "state": "complete", "score": 0.8, "params": {"optimizer": "adam", "learning_rate": 0.001},
         "metrics": {"val_accuracy": 0.9, "test_accuracy": 0.85, "health": HEALTH, "params": 1234}},
        {"number": 1, "state": "failed", "score": None, "params": {"optimizer": "sgd", "momentum": 0.9},
         "metrics": {}, "failure_reason": "out_of_memory", "error": 'ResourceExhausted, "big"\nline 2'},
    ]  # fmt: skip
    weights = ScoringWeights.resolve()
    rows = list(csv.DictReader(io.StringIO(trials_csv(trials, weights))))
    assert [row["params_optimizer"] for row in rows] == ["adam", "sgd"]
    assert (rows[0]["params_momentum"], rows[1]["params_momentum"]) == ("", "0.9")
    assert (rows[0]["params_learning_rate"], rows[1]["params_learning_rate"]) == ("0.001", "")
    assert float(rows[0]["health"]) == weights.health(HEALTH) and rows[1]["health"] == ""
    assert rows[0]["params"] == "1234" and rows[1]["score"] == ""
    assert rows[1]["failure_reason"] == "out_of_memory"
    assert rows[1]["error"] == 'ResourceExhausted, "big"\nline 2'  # quoted, not split over rows
