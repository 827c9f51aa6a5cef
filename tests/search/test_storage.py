"""The Optuna adapter: one storage per process and URL, and every private Optuna API it relies on.

If an Optuna upgrade renames what search/storage.py reaches into, these tests fail by name.
"""

from __future__ import annotations

import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from healthtune.core.exceptions import StorageError
from healthtune.search.storage import (
    fail_orphaned_trial,
    fail_stale_trials,
    load_study,
    open_storage,
    record_heartbeat,
    uses_heartbeats,
)


def test_a_storage_is_opened_once_per_process_and_again_when_its_file_was_replaced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    first = open_storage(url)
    assert open_storage(url) is first  # a server answering GETs reuses its engine
    optuna.create_study(storage=first, study_name="kept")
    assert load_study("kept", url).study_name == "kept"
    with pytest.raises(KeyError):
        load_study("missing", url)

    (tmp_path / "studies.db").unlink()  # a deleted results folder: never write through the old handle
    again = open_storage(url)
    assert again is not first
    with pytest.raises(KeyError):
        load_study("kept", url)


def test_an_unopenable_storage_is_a_storage_error_naming_the_url(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StorageError, match="cannot open storage_url="):
        open_storage(f"sqlite:///{blocker}/studies.db")


def test_heartbeats_and_stale_trials_through_optunas_private_api(tmp_path: Path) -> None:
    storage = optuna.storages.RDBStorage(
        f"sqlite:///{tmp_path / 'beats.db'}", heartbeat_interval=1, grace_period=1
    )
    study = optuna.create_study(storage=storage, study_name="beats")
    assert uses_heartbeats(study)
    assert not uses_heartbeats(optuna.create_study())  # in memory: no heartbeats
    trial = study.ask()
    record_heartbeat(study, trial)
    time.sleep(2.5)  # past the grace period with no heartbeat: the orchestrator is presumed dead
    fail_stale_trials(study)
    assert study.trials[0].state is TrialState.FAIL


def test_an_orphaned_trial_is_failed_with_its_reason(tmp_path: Path) -> None:
    study = optuna.create_study(storage=open_storage(f"sqlite:///{tmp_path / 'orphans.db'}"), study_name="o")
    study.ask()  # left RUNNING, as by a process that died
    fail_orphaned_trial(study, study.trials[0], "interrupted")
    frozen = study.trials[0]
    assert frozen.state is TrialState.FAIL and frozen.user_attrs["failure_reason"] == "interrupted"
