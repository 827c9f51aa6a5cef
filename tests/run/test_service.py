"""The run service the routes and the CLI share: a trial's files, the best model and its archive, re-scoring
as a partial update, and deleting a run with its study."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

from healthtune.core.exceptions import RunStateError
from healthtune.core.paths import RunPaths, TrialPaths
from healthtune.run.service import (
    best_model_file,
    delete_run,
    merge_weights,
    rescore_run,
    trial_files,
    write_archive,
)
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


def test_weights_left_out_of_a_rescore_keep_their_current_values() -> None:
    current = {
        "accuracy_weight": 0.7,
        "health_overall_weight": 0.3,
        "health_component_proportions": {"a": 1.0},
    }
    assert merge_weights(current, {}) == current
    moved = merge_weights(current, {"health_overall_weight": 0.1, "accuracy_weight": None})
    assert moved == {
        "health_overall_weight": 0.1,
        "health_component_proportions": {"a": 1.0},
    }  # the pair moves
    assert merge_weights(current, {"health_component_proportions": {"b": 1.0}})["accuracy_weight"] == 0.7


def test_a_run_that_cannot_be_rescored_or_exported_says_why(tmp_path: Path) -> None:
    paths = RunPaths(tmp_path / "run")
    with pytest.raises(RunStateError, match="no finished run to rescore"):
        rescore_run(paths, {})
    paths.run_dir.mkdir()
    paths.run_file.write_text(json.dumps({"config": {"mode": "simple"}}))
    with pytest.raises(RunStateError, match="mode 'simple'"):
        rescore_run(paths, {"accuracy_weight": 0.5})
    with pytest.raises(RunStateError, match="no optimized model yet"):
        write_archive(paths, tmp_path / "run.zip")
    with pytest.raises(RunStateError, match="not a run's folder"):
        write_archive(RunPaths(tmp_path / "elsewhere"), tmp_path / "run.zip")


def test_the_best_model_file_is_only_a_plain_keras_file_inside_the_run(tmp_path: Path) -> None:
    paths = RunPaths(tmp_path / "run")
    paths.optimized_dir.mkdir(parents=True)
    summary = paths.optimized_dir / "summary.json"
    (tmp_path / "secret.keras").write_bytes(b"not yours")
    for name in ("../../secret.keras", "model.h5", "link.keras"):
        summary.write_text(json.dumps({"model_file": name}))
        assert best_model_file(paths) is None, name
    (paths.optimized_dir / "link.keras").symlink_to(tmp_path / "secret.keras")
    assert best_model_file(paths) is None
    (paths.optimized_dir / "best.keras").write_bytes(b"keras")
    summary.write_text(json.dumps({"model_file": "best.keras"}))
    assert best_model_file(paths) == (paths.optimized_dir / "best.keras").resolve()
