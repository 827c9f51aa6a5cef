"""The study's pruner waits until trials can have learned; TPE's random start-up grows with the trial budget."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from healthtune.core.config import OptimizationConfig
from healthtune.search.study import (
    PRUNER_MIN_FINISHED_TRIALS,
    make_pruner,
    make_sampler,
    pruner_warmup_epochs,
    tpe_startup_trials,
)

# Validation accuracy per epoch of real trials on 400 Reuters R8 documents (10 epochs, Adam, cosine):
# text networks that start at or near the majority class (0.51) and learn later.
FINISHED = [
    [0.762, 0.775, 0.775, 0.775, 0.800, 0.788, 0.788, 0.800, 0.800, 0.800],  # conv1d, 1e-2
    [0.725, 0.675, 0.775, 0.762, 0.762, 0.812, 0.788, 0.800, 0.788, 0.788],  # LSTM, 3e-2
    [0.512, 0.775, 0.788, 0.775, 0.788, 0.775, 0.775, 0.775, 0.775, 0.775],  # conv1d, 3e-2
    [0.675, 0.550, 0.512, 0.512, 0.788, 0.788, 0.712, 0.800, 0.800, 0.800],  # LSTM, 1e-3
]
SLOW_STARTER = [0.475, 0.738, 0.800, 0.800, 0.825, 0.837, 0.837, 0.850, 0.850, 0.850]  # LSTM, 1e-2: the best
AT_CHANCE = [0.512] * 10


def _config(tmp_path: Path, **values: object) -> OptimizationConfig:
    return OptimizationConfig(dataset="digits", results_root=tmp_path, run_name="r", **values)  # type: ignore[arg-type]


def _run(study: optuna.Study, curve: list[float]) -> int | None:
    """Report the curve epoch by epoch; the epoch at which the pruner stops the trial, or None."""
    trial = study.ask()
    for epoch, value in enumerate(curve, start=1):
        trial.report(value, epoch)
        if trial.should_prune():
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            return epoch
    study.tell(trial, max(curve))
    return None


def test_the_pruner_warm_up_keeps_a_slow_starting_trial_alive(tmp_path: Path) -> None:
    config = _config(tmp_path, max_epochs_per_trial=10, pruner="median")
    study = optuna.create_study(direction="maximize", pruner=make_pruner(config))
    assert [_run(study, curve) for curve in FINISHED] == [None] * 4
    assert _run(study, SLOW_STARTER) is None  # judged from epoch 4, when it is above the median
    assert study.best_value == max(SLOW_STARTER)
    assert _run(study, AT_CHANCE) == pruner_warmup_epochs(10) + 1 == 4  # the pruner still prunes

    # What the pruner did before: judged from epoch 1 after 2 finished trials, it stopped the best one.
    eager = optuna.create_study(direction="maximize", pruner=optuna.pruners.MedianPruner(2, 0))
    for curve in FINISHED:
        _run(eager, curve)
    assert _run(eager, SLOW_STARTER) == 1


def test_nothing_is_pruned_before_enough_trials_finished(tmp_path: Path) -> None:
    study = optuna.create_study(direction="maximize", pruner=make_pruner(_config(tmp_path, pruner="median")))
    for curve in FINISHED[: PRUNER_MIN_FINISHED_TRIALS - 1]:
        _run(study, curve)
    assert _run(study, AT_CHANCE) is None


@pytest.mark.parametrize(("epochs", "warmup"), [(1, 1), (2, 1), (3, 2), (5, 2), (10, 3), (30, 9)])
def test_the_warm_up_grows_with_the_epochs_and_leaves_an_epoch_to_judge(epochs: int, warmup: int) -> None:
    assert pruner_warmup_epochs(epochs) == warmup


def test_hyperband_starts_its_first_rung_after_the_warm_up(tmp_path: Path) -> None:
    pruner = make_pruner(_config(tmp_path, max_epochs_per_trial=10, pruner="hyperband"))
    assert isinstance(pruner, optuna.pruners.HyperbandPruner)
    assert pruner._min_resource == 4 and pruner._max_resource == 10


@pytest.mark.parametrize(("trials", "startup"), [(1, 3), (8, 3), (20, 5), (30, 8), (100, 10)])
def test_tpe_start_up_trials_scale_with_the_budget(tmp_path: Path, trials: int, startup: int) -> None:
    sampler = make_sampler(_config(tmp_path, trials=trials))
    assert isinstance(sampler, optuna.samplers.TPESampler)
    assert tpe_startup_trials(trials) == sampler._n_startup_trials == startup
