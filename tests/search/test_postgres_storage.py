"""PostgreSQL as study storage: a run on it, heartbeats on, and a dead orchestrator's trial retried."""

from __future__ import annotations

import time
from pathlib import Path

import optuna
import pytest

from healthtune import OptimizationConfig, optimize
from healthtune.run.run_book import RunBook
from healthtune.run.study_records import finished_count
from healthtune.search.storage import open_storage, uses_heartbeats

pytestmark = pytest.mark.timeout(300)


def test_a_run_keeps_its_study_in_postgresql(tmp_path: Path, fresh_database: str) -> None:
    config = OptimizationConfig(
        dataset="digits", trials=3, max_epochs_per_trial=1, results_root=tmp_path, run_name="pg",
        mode="simple", pruner="none", tensorboard=False, executor="inline", storage_url=fresh_database,
        search_space_overrides={"filters": [8, 16], "dense_units": 32},
    )  # fmt: skip
    result = optimize(config)
    assert [t.state for t in result.trials] == ["complete"] * 3
    study = optuna.load_study(study_name="pg", storage=open_storage(fresh_database))
    assert uses_heartbeats(study)
    assert len(study.trials) == 3 and not (tmp_path / "studies.db").exists()


def test_a_stale_trial_is_failed_and_queued_again_a_live_one_is_left_alone(fresh_database: str) -> None:
    storage = open_storage(fresh_database, heartbeat_seconds=1, grace_seconds=2)
    study = optuna.create_study(study_name="shared", storage=storage)
    orphan = study.ask({"lr": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)})
    storage.record_heartbeat(orphan._trial_id)  # type: ignore[attr-defined]
    time.sleep(3)  # its orchestrator died: no more heartbeats
    alive = study.ask({"lr": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)})
    storage.record_heartbeat(alive._trial_id)  # type: ignore[attr-defined]

    RunBook.close_orphans(study)  # what a (re)starting orchestrator does

    states = {t.number: t.state.name for t in study.get_trials(deepcopy=False)}
    assert states[orphan.number] == "FAIL" and states[alive.number] == "RUNNING"
    retry = next(t for t in study.get_trials(deepcopy=False) if t.state.name == "WAITING")
    assert retry.params == orphan.params and retry.system_attrs["failed_trial"] == orphan.number
    assert finished_count(study) == 0, "the lost trial does not count; its retry will"


def test_an_unreachable_database_is_a_clear_storage_error() -> None:
    from healthtune.core.exceptions import StorageError

    with pytest.raises(StorageError, match="cannot open storage_url='postgresql"):
        open_storage("postgresql+psycopg://postgres@127.0.0.1:1/none")
