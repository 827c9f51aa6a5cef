"""The run service the routes and the CLI share: a trial's files, and deleting a run with its study."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

from healthtune.results import RunPaths, TrialPaths
from healthtune.run_service import delete_run, trial_files
from healthtune.search.storage import open_storage


def test_trial_files_read_the_health_report_and_list_what_exists(tmp_path: Path) -> None:
    paths = TrialPaths(tmp_path / "trial_0")
    assert trial_files(paths).health is None and not trial_files(paths).has_model
    paths.plots_dir.mkdir(parents=True)
    paths.health.write_text(json.dumps({"overall": 0.8}))
    paths.plot("training_history").write_bytes(b"png")
    paths.model.write_bytes(b"keras")
    files = trial_files(paths)
    assert files.health == {"overall": 0.8} and files.plots == ["training_history"]
    assert files.has_model and not files.has_architecture


def test_deleting_a_run_removes_its_folder_and_its_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    optuna.create_study(storage=open_storage(url), study_name="gone")
    optuna.create_study(storage=open_storage(url), study_name="kept")
    paths = RunPaths(tmp_path / "gone")
    paths.trials_dir.mkdir(parents=True)
    delete_run(paths, "gone", url)
    assert not paths.run_dir.exists()
    assert [s.study_name for s in optuna.get_all_study_summaries(open_storage(url))] == ["kept"]
    delete_run(paths, "gone", url)  # twice: nothing left to delete, no error


def test_a_broken_storage_still_lets_the_folder_go(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    paths = RunPaths(tmp_path / "run")
    paths.run_dir.mkdir()
    (tmp_path / "file").write_text("")
    delete_run(paths, "run", f"sqlite:///{tmp_path / 'file'}/studies.db")
    assert not paths.run_dir.exists() and "could not be deleted" in caplog.text
