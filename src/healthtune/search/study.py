"""Creating or resuming the Optuna study: the seeded sampler and the configured pruner (storage: search/storage.py)."""

from __future__ import annotations

import logging
import math
import warnings
from typing import TYPE_CHECKING

from healthtune.core.config import OptimizationConfig, PrunerKind, SamplerKind
from healthtune.core.exceptions import StorageError

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger(__name__)


# TPE draws at random until it has seen this share of the trial budget (within the bounds below), so
# that its model of good regions starts from a spread of points, yet a small budget still gets to use it.
TPE_STARTUP_SHARE = 0.25
TPE_STARTUP_MIN, TPE_STARTUP_MAX = 3, 10

# The pruner judges a trial only once it can have learned: not before this share of the epochs (at
# least PRUNER_WARMUP_MIN_EPOCHS), and only against at least PRUNER_MIN_FINISHED_TRIALS finished trials.
# After one epoch, slow starters (an LSTM, SGD, a small learning rate) still sit near chance: judged
# from epoch 1 after two finished trials, the median pruner stopped 5 of 8 trials of a text search.
PRUNER_WARMUP_SHARE = 0.3
PRUNER_WARMUP_MIN_EPOCHS = 2
PRUNER_MIN_FINISHED_TRIALS = 4


def tpe_startup_trials(trials: int) -> int:
    """Random start-up trials of TPE for a budget of `trials`: a quarter of it, from 3 to 10."""
    return max(TPE_STARTUP_MIN, min(TPE_STARTUP_MAX, math.ceil(trials * TPE_STARTUP_SHARE)))


def pruner_warmup_epochs(max_epochs: int) -> int:
    """Epochs a trial trains before the pruner may judge it (fewer than all, when there are two or more)."""
    warmup = max(PRUNER_WARMUP_MIN_EPOCHS, math.ceil(max_epochs * PRUNER_WARMUP_SHARE))
    return max(1, min(warmup, max_epochs - 1))


def make_sampler(config: OptimizationConfig) -> optuna.samplers.BaseSampler:
    import optuna

    if config.sampler is SamplerKind.RANDOM:
        return optuna.samplers.RandomSampler(seed=config.seed)
    with warnings.catch_warnings():  # `group` (conditional parameters) is marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=config.seed,
            multivariate=True,
            group=True,
            n_startup_trials=tpe_startup_trials(config.trials),
        )


def make_pruner(config: OptimizationConfig) -> optuna.pruners.BasePruner:
    """median: a trial below the median of finished trials at the same epoch stops, after the warm-up;
    hyperband: successive halving from the warm-up's epochs up to max_epochs_per_trial."""
    import optuna

    # Steps are epochs, counted from 1; Optuna may prune from step n_warmup_steps (min_resource) on.
    first_judged = pruner_warmup_epochs(config.max_epochs_per_trial) + 1
    if config.pruner is PrunerKind.MEDIAN:
        return optuna.pruners.MedianPruner(
            n_startup_trials=PRUNER_MIN_FINISHED_TRIALS, n_warmup_steps=first_judged
        )
    if config.pruner is PrunerKind.HYPERBAND:
        return optuna.pruners.HyperbandPruner(
            min_resource=min(first_judged, config.max_epochs_per_trial),
            max_resource=config.max_epochs_per_trial,
        )
    return optuna.pruners.NopPruner()


def create_or_load_study(
    config: OptimizationConfig, storage: optuna.storages.BaseStorage, directions: list[str]
) -> tuple[optuna.Study, bool]:
    """Return the study and whether it already existed (then the run resumes)."""
    import optuna

    existing = {summary.study_name for summary in optuna.get_all_study_summaries(storage)}
    resumed = config.run_name in existing
    study = optuna.create_study(
        storage=storage,
        study_name=config.run_name,
        directions=directions,  # type: ignore[arg-type]
        sampler=make_sampler(config),
        pruner=make_pruner(config),
        load_if_exists=True,
    )
    if resumed and [d.name.lower() for d in study.directions] != directions:
        raise StorageError(
            f"study {config.run_name!r} exists with directions {[d.name.lower() for d in study.directions]}, "
            f"this run needs {directions}; choose another run_name"
        )
    return study, resumed
