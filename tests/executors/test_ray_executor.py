"""RayExecutor on a real local Ray (2 CPUs): a search, live epochs, pruning, killed workers, fallback."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.executors.reporting import Recorder, first_outcome

from healthtune import OptimizationConfig, optimize
from healthtune.core.exceptions import ExecutorError
from healthtune.executors import Executor, Outcome, bundles, make_executor
from healthtune.executors.local import LocalExecutor
from healthtune.executors.ray import RayExecutor
from healthtune.models import ModelConfig
from healthtune.run.events import Event
from healthtune.training.spec import DataSpec, TrialSpec

pytestmark = pytest.mark.timeout(300)  # generous: a loaded CI machine; a hang still ends


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[RayExecutor]:
    """Starts the module's one local Ray (2 CPUs); executors made later in this module reuse it."""
    executor = RayExecutor(1, num_cpus=2, gpus_per_trial=0)
    yield executor
    executor.shutdown()


def digits_spec(root: Path, run_name: str, *, epochs: int = 1, number: int = 0) -> TrialSpec:
    model = ModelConfig(conv_blocks=1, convs_per_block=1, filters=8, dense_units=16)
    return TrialSpec(
        run_name, number, model.to_dict(), DataSpec("digits", 0.2, 0), epochs, 64, 7,
        str(root / f"trial_{number}"), tensorboard=False,
    )  # fmt: skip


def run_one(executor: Executor, spec: TrialSpec, reporter: Recorder | None = None) -> Outcome:
    return first_outcome(executor, spec, reporter, timeout=180)


def test_a_three_trial_search_runs_as_ray_tasks(
    ray_executor: RayExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[bytes] = []
    unpack = bundles.unpack

    def damage_the_first(data: bytes, destination: Path, expected_sha256: str) -> list[str]:
        received.append(data)
        if len(received) == 1:  # one flipped bit on the way: that trial is trained once more
            data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
        return unpack(data, destination, expected_sha256)

    monkeypatch.setattr(bundles, "unpack", damage_the_first)
    config = OptimizationConfig(
        dataset="digits", trials=3, max_epochs_per_trial=1, results_root=tmp_path, run_name="ray",
        mode="simple", pruner="none", tensorboard=False, plot_mode="none", executor="ray",
        concurrent_workers=2, search_space_overrides={"conv_blocks": 1, "convs_per_block": 1, "filters": 16},
    )  # fmt: skip
    events: list[Event] = []
    result = optimize(config, on_event=events.append)
    assert result.status == "completed" and [t.state for t in result.trials] == ["complete"] * 3
    assert len(received) == 4  # 3 bundles, one of them twice
    for number in range(3):
        trial_dir = result.run_dir / "trials" / f"trial_{number}"
        assert (trial_dir / "model.keras").is_file() and (trial_dir / "metrics.json").is_file()
    assert sorted(e.trial for e in events if e.type.value == "epoch_ended") == [0, 1, 2]  # each epoch once
    assert result.best_model_path is not None and result.best_model_path.is_file()


def test_ray_and_local_give_identical_metrics(ray_executor: RayExecutor, tmp_path: Path) -> None:
    on_ray = run_one(ray_executor, digits_spec(tmp_path / "ray", "same"))
    local = LocalExecutor(1)
    try:
        on_local = run_one(local, digits_spec(tmp_path / "local", "same"))
    finally:
        local.shutdown()
    assert on_ray.result is not None and on_local.result is not None, (on_ray.failure, on_local.failure)
    assert ray_executor.cpus_per_trial == 2  # the threads the local worker gets on this 2-core machine
    for key in ("val_accuracy", "test_accuracy", "val_loss", "test_loss", "train_loss", "train_accuracy"):
        assert on_ray.result.metrics[key] == on_local.result.metrics[key], key
    assert on_ray.result.history["loss"] == on_local.result.history["loss"]
    assert (tmp_path / "ray" / "trial_0" / "model.keras").is_file()


def test_a_user_model_function_trains_as_a_ray_task(ray_executor: RayExecutor, tmp_path: Path) -> None:
    # A Ray worker imports the function by its file path (on this machine's file system, as on a shared one)
    model_file = tmp_path / "ray_models.py"
    model_file.write_text(
        "import keras\n"
        "def build(trial, info):\n"
        "    return keras.Sequential([keras.Input(info.input_shape), keras.layers.Flatten(),\n"
        "        keras.layers.Dense(trial.suggest_int('units', 8, 32), activation='relu'),\n"
        "        keras.layers.Dense(info.num_classes, activation='softmax')])\n"
    )
    spec = dataclasses.replace(
        digits_spec(tmp_path, "ray_user"), model_fn=f"{model_file}:build", params={"units": 16}
    )
    outcome = run_one(ray_executor, spec)
    assert outcome.result is not None, outcome.failure
    assert (
        outcome.result.state == "complete" and outcome.result.metrics["params"] == 64 * 16 + 16 + 16 * 10 + 10
    )


def test_the_orchestrator_prunes_a_ray_trial_from_its_live_epochs(
    ray_executor: RayExecutor, tmp_path: Path
) -> None:
    reporter = Recorder(prune_at=1)
    outcome = run_one(ray_executor, digits_spec(tmp_path, "prune", epochs=30), reporter)
    assert outcome.result is not None and outcome.result.state == "pruned"
    assert outcome.result.metrics["pruned_at_epoch"] == 1 and list(outcome.result.intermediate_values) == [1]
    assert "Optuna pruner" in (outcome.result.prune_reason or "") and reporter.epochs[0] == 1
    assert ray_executor.in_flight == 0


@pytest.mark.parametrize("retries", [1, 0])
def test_a_killed_worker_is_retried_or_failed_never_hangs(
    ray_executor: RayExecutor, tmp_path: Path, retries: int
) -> None:
    run_name = f"kill-{retries}-{os.getpid()}"
    executor = RayExecutor(1, max_retries=retries, gpus_per_trial=0)
    killed: list[int] = []

    def kill_the_first_attempt() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            killed.extend(_task_processes(f"healthtune {run_name} trial 0")[:1])
            time.sleep(0.05)
        for pid in killed:
            os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill_the_first_attempt, daemon=True).start()
    try:
        outcome = run_one(executor, digits_spec(tmp_path, run_name))
    finally:
        executor.shutdown()
    assert killed, "the trial's Ray worker was never seen"
    if retries:
        assert outcome.result is not None and outcome.result.state == "complete", outcome.failure
    else:
        assert outcome.failure is not None and outcome.failure.reason == "worker_died"
        assert "WorkerCrashedError" in str(outcome.failure)


def test_timeout_and_cancel_stop_ray_tasks(ray_executor: RayExecutor, tmp_path: Path) -> None:
    executor = RayExecutor(1, timeout_seconds=0.5, gpus_per_trial=0)
    try:
        outcome = run_one(executor, digits_spec(tmp_path, "late", epochs=50))
        assert outcome.failure is not None and outcome.failure.reason == "timed_out"
        executor.submit(digits_spec(tmp_path, "cancel", number=1), Recorder())
        assert executor.cancel() == [1] and executor.in_flight == 0 and executor.poll(0.1) == []
    finally:
        executor.shutdown()


def test_an_unreachable_cluster_falls_back_to_local_or_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    values: dict[str, object] = {
        "dataset": "digits", "results_root": tmp_path, "executor": "ray", "ray_address": f"ray://127.0.0.1:{port}",
    }  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="healthtune.executors"):
        executor = make_executor(OptimizationConfig(**values))  # type: ignore[arg-type]
    executor.shutdown()
    assert isinstance(executor, LocalExecutor)
    assert "ray executor unavailable" in caplog.text and "cannot be reached" in caplog.text
    with pytest.raises(ExecutorError, match="cannot be reached"):
        make_executor(OptimizationConfig(**values, executor_fallback=False))  # type: ignore[arg-type]


def _task_processes(marker: str) -> list[int]:
    """Ray workers running the task `marker` (Ray sets a worker's title to `ray::TASK NAME`)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and f"ray::{marker}".encode() in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids
