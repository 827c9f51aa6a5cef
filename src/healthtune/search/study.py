"""Creating or resuming the Optuna study: storage, seeded sampler and the configured pruner."""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

from healthtune.config import OptimizationConfig, PrunerKind, SamplerKind
from healthtune.exceptions import StorageError

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger(__name__)


# A server database (PostgreSQL, MySQL) may be shared by several orchestrators: each one records a
# heartbeat for its running trials, and a trial whose orchestrator stopped beating for the grace
# period is failed and queued again with the same parameters.
HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120


def open_storage(
    url: str,
    *,
    max_retries: int = 1,
    heartbeat_seconds: int = HEARTBEAT_SECONDS,
    grace_seconds: int = GRACE_SECONDS,
) -> optuna.storages.BaseStorage:
    """Open (and for SQLite create) the study storage; any failure is a StorageError naming the URL.

    SQLite is one orchestrator's file: no heartbeats. Any other SQLAlchemy URL gets heartbeats and
    retries of stale trials (up to `max_retries` per trial).
    """
    import optuna

    try:
        if url.startswith("sqlite"):
            return optuna.storages.RDBStorage(url)
        with warnings.catch_warnings():  # the retry callback is marked experimental
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=max_retries)
        return optuna.storages.RDBStorage(
            url,
            engine_kwargs={"pool_pre_ping": True},
            heartbeat_interval=heartbeat_seconds,
            grace_period=grace_seconds,
            heartbeat_stale_trial_callback=retry,
        )
    except Exception as error:  # SQLAlchemy, driver and filesystem errors all mean "cannot open"
        # SQLAlchemy appends "(Background on this error at: <link>)" on a second line: keep line one
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StorageError(f"cannot open storage_url={url!r}: {type(error).__name__}: {reason}") from error


def uses_heartbeats(study: optuna.Study) -> bool:
    from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled

    storage = study._storage
    return isinstance(storage, BaseHeartbeat) and is_heartbeat_enabled(storage)


def fail_stale_trials(study: optuna.Study) -> None:
    """Fail (and queue again) the trials whose orchestrator stopped sending heartbeats."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def make_sampler(config: OptimizationConfig) -> optuna.samplers.BaseSampler:
    import optuna

    if config.sampler is SamplerKind.RANDOM:
        return optuna.samplers.RandomSampler(seed=config.seed)
    # TPE needs random start-up trials before it models; on small budgets start modelling sooner.
    startup = max(2, min(10, config.trials // 3))
    with warnings.catch_warnings():  # `group` (conditional parameters) is marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=config.seed, multivariate=True, group=True, n_startup_trials=startup
        )


def make_pruner(config: OptimizationConfig) -> optuna.pruners.BasePruner:
    import optuna

    if config.pruner is PrunerKind.MEDIAN:
        # Compare from the first epoch, once two trials have finished.
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    if config.pruner is PrunerKind.HYPERBAND:
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=config.max_epochs_per_trial)
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
