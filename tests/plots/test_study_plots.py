"""Study plots stay readable on a wide search space: slice and parallel coordinates show the top parameters."""

from __future__ import annotations

import json
import math
from pathlib import Path

import optuna

from healthtune.plots.study_plots import PARALLEL_PARAMS, SLICE_PARAMS, make_study_plots


def wide_study(directions: list[str]) -> optuna.Study:
    """Sixteen parameters of every kind; the objective depends mostly on `learning_rate`."""

    def objective(trial: optuna.Trial) -> float | tuple[float, float]:
        learning_rate = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"])
        trial.suggest_int("conv_blocks", 1, 4)
        for index in range(13):
            trial.suggest_float(f"noise_{index}", 0.0, 1.0)
        distance = abs(math.log10(learning_rate) + 2.0)  # best at 1e-2
        accuracy = 1.0 - 0.3 * distance - (0.5 if optimizer == "sgd" else 0.0)
        return accuracy if len(directions) == 1 else (accuracy, 0.5)

    study = optuna.create_study(directions=directions, sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=40)
    return study


def test_slice_and_parallel_coordinates_show_the_most_important_parameters(tmp_path: Path) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    written = make_study_plots(wide_study(["maximize"]), tmp_path)

    assert {"optimization_history", "param_importances", "parallel_coordinates", "slice"} <= set(written)
    importances = json.loads((tmp_path / "study_plots" / "param_importances.json").read_text())["importances"]
    assert len(importances) == 16
    slice_data = json.loads((tmp_path / "study_plots" / "slice.json").read_text())
    parallel = json.loads((tmp_path / "study_plots" / "parallel_coordinates.json").read_text())
    assert len(slice_data["params_shown"]) == SLICE_PARAMS
    assert len(parallel["params_shown"]) == PARALLEL_PARAMS
    assert parallel["params_shown"][0] == "learning_rate"
    assert slice_data["params_shown"] == list(importances)[:SLICE_PARAMS]
    assert len(slice_data["trials"][0]["params"]) == 16  # the data keeps every parameter


def test_a_pareto_study_and_a_single_trial_still_get_their_plots(tmp_path: Path) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    assert "slice" in make_study_plots(wide_study(["maximize", "maximize"]), tmp_path / "pareto")

    single = optuna.create_study(direction="maximize")
    single.optimize(lambda trial: trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True), n_trials=1)
    written = make_study_plots(single, tmp_path / "single")
    assert {"optimization_history", "slice"} <= set(written)
    assert json.loads((tmp_path / "single" / "study_plots" / "slice.json").read_text())["params_shown"] == [
        "learning_rate"
    ]
