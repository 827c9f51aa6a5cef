"""The one adapter to Optuna's storage: opened once per process, heartbeats, and orphaned trials.

Every use of Optuna's private API lives here (tests/search/test_storage.py exercises each one, so an
Optuna upgrade that breaks it fails there, by name).
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import StorageError

if TYPE_CHECKING:
    import optuna
    from optuna.trial import FrozenTrial, Trial

# A server database (PostgreSQL, MySQL) may be shared by several orchestrators: each one records a
# heartbeat for its running trials, and a trial whose orchestrator stopped beating for the grace
# period is failed and queued again with the same parameters.
HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120

_OPEN: dict[tuple[Any, ...], tuple[Any, optuna.storages.BaseStorage]] = {}
_OPEN_LOCK = threading.Lock()


def open_storage(
    url: str,
    *,
    max_retries: int = 1,
    heartbeat_seconds: int = HEARTBEAT_SECONDS,
    grace_seconds: int = GRACE_SECONDS,
) -> optuna.storages.BaseStorage:
    """The study storage at `url`, opened (and for SQLite created) once per process and reused; any
    failure is a StorageError naming the URL.

    SQLite is one orchestrator's file: no heartbeats. Any other SQLAlchemy URL gets heartbeats and
    retries of stale trials (up to `max_retries` per trial). A SQLite file replaced since it was
    opened (a deleted results folder, say) is opened again, never written through a stale handle.
    """
    key = (os.getpid(), url, max_retries, heartbeat_seconds, grace_seconds)
    with _OPEN_LOCK:
        opened = _OPEN.get(key)
        if opened is not None and opened[0] == _identity(url):
            return opened[1]
        storage = _open(url, max_retries, heartbeat_seconds, grace_seconds)
        _OPEN[key] = (_identity(url), storage)
        return storage


def _identity(url: str) -> tuple[int, int] | None:
    """Which SQLite file `url` names now (device, inode); None for server databases."""
    if not url.startswith("sqlite:///"):
        return None
    try:
        stat = os.stat(url.removeprefix("sqlite:///"))
    except OSError:
        return (-1, -1)
    return (stat.st_dev, stat.st_ino)


def _open(
    url: str, max_retries: int, heartbeat_seconds: int, grace_seconds: int
) -> optuna.storages.BaseStorage:
    import optuna

    try:
        if url.startswith("sqlite"):
            from sqlalchemy.pool import NullPool

            # A connection per session: a kept storage never holds a file that was deleted meanwhile.
            return optuna.storages.RDBStorage(url, engine_kwargs={"poolclass": NullPool})
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


def load_study(run_name: str, url: str) -> optuna.Study:
    """The run's study from the shared storage; KeyError when there is none."""
    import optuna

    return optuna.load_study(study_name=run_name, storage=open_storage(url))


def uses_heartbeats(study: optuna.Study) -> bool:
    """Whether the study's storage expects heartbeats from the trials' orchestrator."""
    from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled

    storage = study._storage
    return isinstance(storage, BaseHeartbeat) and is_heartbeat_enabled(storage)


def record_heartbeat(study: optuna.Study, trial: Trial) -> None:
    """Tell the storage that this orchestrator is still running `trial`."""
    study._storage.record_heartbeat(trial._trial_id)  # type: ignore[attr-defined]


def fail_stale_trials(study: optuna.Study) -> None:
    """Fail (and queue again) the trials whose orchestrator stopped sending heartbeats."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def fail_orphaned_trial(study: optuna.Study, trial: FrozenTrial, reason: str) -> None:
    """Mark a trial left RUNNING by a dead process as failed, with `reason` as its failure_reason
    (Optuna's public API only finishes trials through a live Trial object)."""
    from optuna.trial import TrialState

    study._storage.set_trial_user_attr(trial._trial_id, "failure_reason", reason)
    study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)


def delete_study(run_name: str, url: str) -> bool:
    """Delete the run's study; False when there was none."""
    import optuna

    try:
        optuna.delete_study(study_name=run_name, storage=open_storage(url))
    except KeyError:
        return False
    return True
