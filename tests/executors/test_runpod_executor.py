"""RunPod path for real: the project's worker under the SDK's local test API, bundles through SeaweedFS S3."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import optuna
import pytest
from tests.executors.reporting import Recorder, first_outcome
from tests.services import free_port

from healthtune import OptimizationConfig, optimize
from healthtune.core.exceptions import ExecutorError
from healthtune.executors.artifacts import ArtifactStore
from healthtune.executors.base import Executor, Outcome
from healthtune.executors.local import LocalExecutor
from healthtune.executors.runpod import RunPodExecutor
from healthtune.executors.runpod_client import RunPodClient
from healthtune.models import ModelConfig
from healthtune.run.events import Event
from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec

pytestmark = pytest.mark.timeout(600)


def config(tmp_path: Path, endpoint: str, **values: object) -> OptimizationConfig:
    base: dict[str, object] = {
        "dataset": "digits", "trials": 3, "max_epochs_per_trial": 1, "results_root": tmp_path,
        "run_name": "remote", "mode": "health", "pruner": "none", "tensorboard": False, "executor": "runpod",
        "plot_mode": "none",
        "runpod_endpoint": endpoint, "concurrent_workers": 2,
        "search_space_overrides": {"filters": [8, 16], "dense_units": [32, 64]},
    }  # fmt: skip
    return OptimizationConfig(**{**base, **values})  # type: ignore[arg-type]


def small_spec(trial_dir: Path, number: int = 0, epochs: int = 1) -> TrialSpec:
    model = ModelConfig(filters=8, dense_units=32, conv_blocks=1)
    return TrialSpec(
        "sync", number, model.to_dict(), DataSpec("digits", 0.2, 0), epochs, 64, 7, str(trial_dir),
        health=HealthSpec(frequency=1),
    )  # fmt: skip


def run_one(executor: Executor, spec: TrialSpec, reporter: Recorder | None = None) -> Outcome:
    with executor:
        return first_outcome(executor, spec, reporter)


def test_a_search_runs_on_the_worker_and_bundles_travel_through_s3(
    tmp_path: Path, seaweedfs: dict[str, str], runpod_worker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in seaweedfs.items():
        monkeypatch.setenv(name, value)
    events: list[Event] = []
    result = optimize(config(tmp_path, runpod_worker), on_event=events.append)

    assert [t.state for t in result.trials] == ["complete"] * 3
    for trial in result.trials:
        trial_dir = tmp_path / "remote" / "trials" / f"trial_{trial.number}"
        assert (trial_dir / "model.keras").is_file() and (trial_dir / "metrics.json").is_file()
        assert (trial_dir / "health.json").is_file()
    assert sorted({e.trial for e in events if e.type.value == "epoch_ended"}) == [0, 1, 2]
    study = optuna.load_study(study_name="remote", storage=f"sqlite:///{tmp_path / 'studies.db'}")
    for trial in study.trials:
        bundle = trial.user_attrs["bundle"]
        assert bundle["key"].startswith("healthtune/remote/trial_") and len(bundle["sha256"]) == 64
        assert trial.intermediate_values, "epoch values reach Optuna so the pruner can compare trials"
    store = ArtifactStore.from_env()
    assert store is not None
    assert store.client.list_objects_v2(Bucket=store.bucket).get("KeyCount", 0) == 0, "bundles are removed"
    assert result.best_model_path is not None and result.best_model_path.is_file()


class CorruptingStore(ArtifactStore):
    """The real store, with the first `corrupt` downloads damaged in transit."""

    corrupt = 1
    uploads = 0

    def upload_url(self, key: str) -> str:
        self.uploads += 1
        return super().upload_url(key)

    def download(self, key: str) -> bytes:
        data = super().download(key)
        if self.corrupt > 0:
            self.corrupt -= 1
            return data[:-1] + bytes([data[-1] ^ 0xFF])
        return data


@pytest.mark.parametrize(("corrupt", "expected"), [(1, "complete"), (2, "bundle_corrupt")])
def test_a_corrupted_bundle_is_detected_and_retried_once(
    tmp_path: Path, seaweedfs: dict[str, str], runpod_worker: str, corrupt: int, expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for name, value in seaweedfs.items():
        monkeypatch.setenv(name, value)
    base = ArtifactStore.from_env()
    assert base is not None
    store = CorruptingStore(base.bucket, base.endpoint_url)
    store.check()
    store.corrupt = corrupt
    outcome = run_one(RunPodExecutor(RunPodClient(runpod_worker), store=store), small_spec(tmp_path / "t"))
    assert store.uploads == 2
    if expected == "complete":
        assert outcome.result is not None and outcome.result.state == "complete"
        assert (tmp_path / "t" / "model.keras").is_file()
    else:
        assert outcome.failure is not None and outcome.failure.reason == "bundle_corrupt"
        assert "sha256 mismatch" in str(outcome.failure)


def test_without_s3_small_bundles_come_back_inline(tmp_path: Path, runpod_worker: str) -> None:
    reporter = Recorder()
    outcome = run_one(
        RunPodExecutor(RunPodClient(runpod_worker)), small_spec(tmp_path / "t", epochs=2), reporter
    )
    assert outcome.result is not None and outcome.result.state == "complete"
    assert outcome.result.bundle is not None and "key" not in outcome.result.bundle
    assert (tmp_path / "t" / "model.keras").is_file()
    assert reporter.epochs == [1, 2] and sorted(reporter.values) == [1, 2]
    assert {"trial_seconds", "download_seconds"} <= set(outcome.result.timings)


def test_the_same_spec_gives_identical_metrics_locally_and_on_the_worker(
    tmp_path: Path, runpod_worker: str
) -> None:
    # Same threads per trial as the worker (2 slots on 2 cores: 1 each); other thread counts sum
    # in another order and differ in the last digits.
    local = run_one(LocalExecutor(2), small_spec(tmp_path / "local"))
    remote = run_one(RunPodExecutor(RunPodClient(runpod_worker)), small_spec(tmp_path / "remote"))
    assert local.result is not None and remote.result is not None

    def comparable(metrics: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in metrics.items() if not k.endswith("_seconds")}  # timings differ

    assert comparable(remote.result.metrics) == comparable(local.result.metrics)
    assert comparable(remote.result.history) == comparable(local.result.history)


def test_an_unreachable_endpoint_falls_back_to_local_unless_disabled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    with caplog.at_level(logging.WARNING, logger="healthtune.executors"):
        result = optimize(config(tmp_path, nowhere, trials=1, max_epochs_per_trial=1, concurrent_workers=1))
    assert [t.state for t in result.trials] == ["complete"]
    assert "running trials locally instead" in caplog.text
    with pytest.raises(ExecutorError, match="RunPod GET"):
        optimize(config(tmp_path, nowhere, run_name="strict", executor_fallback=False))


def test_a_bad_job_input_is_refused_with_the_field_named(runpod_worker: str) -> None:
    client = RunPodClient(runpod_worker)
    record = client.status(client.submit({"spec": {"run_name": "x"}, "transport": "ftp"}, 60), 60)
    assert (
        record["status"] == "FAILED" and "input.transport must be one of ['s3', 'inline']" in record["error"]
    )
