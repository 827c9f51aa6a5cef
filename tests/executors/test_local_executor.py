"""LocalExecutor: a process per trial, concurrent workers, prompt cancel, a dead worker is a failed trial."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from healthtune import ModelOptimizer, OptimizationConfig, optimize
from healthtune.executors.local import LocalExecutor, worker_environment
from healthtune.run.events import Event


def config(tmp_path: Path, **values: object) -> OptimizationConfig:
    base: dict[str, object] = {
        "dataset": "digits", "trials": 4, "max_epochs_per_trial": 1, "results_root": tmp_path, "run_name": "local",
        "mode": "simple", "pruner": "none", "tensorboard": False, "concurrent_workers": 2, "plot_mode": "none",
    }  # fmt: skip
    return OptimizationConfig(**{**base, **values})  # type: ignore[arg-type]


def test_two_workers_run_trials_side_by_side(tmp_path: Path) -> None:
    events: list[Event] = []
    launchers_at_run_start: list[int] = []

    def record(event: Event) -> None:
        events.append(event)
        if event.type.value == "run_started":
            launchers_at_run_start.extend(_launchers_and_trials()[0])

    result = optimize(config(tmp_path), on_event=record)
    assert result.status == "completed" and [t.state for t in result.trials] == ["complete"] * 4
    # both workers were importing the backend while the orchestrator loaded the data and the study
    assert len(launchers_at_run_start) == 2
    started = [e.trial for e in events if e.type.value == "trial_started"]
    assert started[:2] == [0, 1]  # both workers busy before anything finished
    first_finish = next(i for i, e in enumerate(events) if e.type.value == "trial_finished")
    assert [e.type.value for e in events[:first_finish]].count("trial_started") == 2
    epoch_trials = [e.trial for e in events if e.type.value == "epoch_ended"]
    assert sorted(epoch_trials) == [0, 1, 2, 3]
    assert result.best_model_path is not None and result.best_model_path.is_file()


def test_cancel_stops_both_workers_promptly(tmp_path: Path) -> None:
    cfg = config(tmp_path, trials=6, max_epochs_per_trial=200)
    events: list[Event] = []
    optimizer = ModelOptimizer(cfg, on_event=events.append)

    def cancel_when_both_train() -> None:
        while len({e.trial for e in events if e.type.value == "epoch_ended"}) < 2:
            time.sleep(0.05)
        asked.append(time.monotonic())
        optimizer.request_stop()

    asked: list[float] = []
    threading.Thread(target=cancel_when_both_train, daemon=True).start()
    result = optimizer.optimize_model()
    assert result.status == "cancelled" and time.monotonic() - asked[0] < 15
    stopped = [e.trial for e in events if e.type.value == "trial_failed" and e.data["reason"] == "cancelled"]
    assert sorted(stopped) == [0, 1]
    assert _launchers_and_trials() == ([], []), "launchers and trials must be gone after a cancel"


def test_leaving_the_executor_ends_launchers_still_importing_at_once() -> None:
    """A run that fails on its data right after the launchers started does not wait for their import."""
    executor = LocalExecutor(2)
    with executor:
        launchers = list(executor._launchers.values())
        assert len(_launchers_and_trials()[0]) == 2
    assert [launcher.process.returncode for launcher in launchers] == [-signal.SIGTERM] * 2
    assert _launchers_and_trials() == ([], [])


@pytest.mark.parametrize(("victim", "message"), [(1, "killed by signal 9"), (0, "ended unexpectedly")])
def test_a_killed_worker_is_a_failed_trial_and_the_run_goes_on(
    tmp_path: Path, victim: int, message: str
) -> None:
    """Killing the trial's process, or its launcher (which takes the trial with it), fails only that trial."""
    events: list[Event] = []

    def kill_first_worker(event: Event) -> None:
        events.append(event)
        if event.type.value == "epoch_ended" and event.trial == 0 and event.data["epoch"] == 1:
            for pid in _launchers_and_trials()[victim]:
                os.kill(pid, signal.SIGKILL)

    result = optimize(
        config(tmp_path, trials=2, concurrent_workers=1, max_epochs_per_trial=4), on_event=kill_first_worker
    )
    states = {t.number: (t.state, t.failure_reason) for t in result.trials}
    assert states[0] == ("failed", "worker_died") and states[1][0] == "complete"
    assert message in (result.trials[0].error or "")


@pytest.mark.parametrize(
    ("workers", "gpus", "threads", "device"), [(1, [], "2", None), (2, ["0", "1"], "1", "1")]
)
def test_threads_and_gpus_are_split_between_workers(
    monkeypatch: pytest.MonkeyPatch, workers: int, gpus: list[str], threads: str, device: str | None
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    env = worker_environment(slot=1 if workers == 2 else 0, workers=workers, gpus=gpus)
    assert env["TF_NUM_INTRAOP_THREADS"] == threads == env["OMP_NUM_THREADS"]
    assert env.get("CUDA_VISIBLE_DEVICES") == device


def _launchers_and_trials() -> tuple[list[int], list[int]]:
    """This test process's launchers (its children) and their trial processes (their children)."""
    parents = {}
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"healthtune.executors.launcher" in command:
            parents[int(proc.name)] = parent
    launchers = [pid for pid, parent in parents.items() if parent == os.getpid()]
    return launchers, [pid for pid, parent in parents.items() if parent in launchers]
