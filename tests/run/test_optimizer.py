"""End to end on real data: search, best-model assembly, resume, pruning, failures, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from healthtune import OptimizationConfig, load_run, optimize
from healthtune.core.exceptions import ConfigError, DatasetError, OptimizationFailed, StorageError
from healthtune.run.events import EVENT_DATA, Event


def digits_config(tmp_path: Path, **overrides: object) -> OptimizationConfig:
    values: dict[str, object] = {
        "dataset": "digits",
        "trials": 4,
        "max_epochs_per_trial": 3,
        "batch_size": 32,
        "results_root": tmp_path / "results",
        "run_name": "digits_run",
        "pruner": "none",
        "mode": "simple",
        "executor": "inline",  # trials in this process: fast; tests/executors cover the process boundary
        "plot_mode": "none",  # drawing the best trial's plots costs ~30 s a run; tests/plots/test_plot_modes.py covers it
    }
    values.update(overrides)
    return OptimizationConfig(**values)  # type: ignore[arg-type]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


@pytest.mark.jax_core
def test_search_saves_a_best_model_that_reproduces_its_accuracy(tmp_path: Path) -> None:
    events: list[Event] = []
    config = digits_config(tmp_path, executor="local")  # what users get: a process per trial
    result = optimize(config, on_event=events.append)

    assert result.status == "completed" and len(result.trials) == 4
    best = result.best_trial
    assert best is not None and best.state == "complete"
    assert best.score == max(t.score for t in result.trials if t.score is not None)
    assert result.best_model_path is not None and result.best_model_path.is_file()
    assert result.best_model_path.name == f"optimized_digits_acc_{best.metrics['val_accuracy']:.4f}.keras"
    summary = json.loads((result.run_dir / "optimized_model" / "summary.json").read_text())
    assert summary["best_trial"] == best.number and summary["params"] == best.params
    for trial in result.trials:
        trial_dir = result.run_dir / "trials" / f"trial_{trial.number}"
        for name in ("model.keras", "metrics.json", "history.json", "config.json"):
            assert (trial_dir / name).is_file(), (trial.number, name)

    types = [e.type.value for e in events]
    for event in events:  # every event keeps the contract the server's schema and the web app read
        EVENT_DATA[event.type].model_validate(event.data)
    assert types[0] == "run_started" and types[-1] == "run_finished"
    assert types.count("trial_started") == 4 and types.count("epoch_ended") == 12
    logged = [json.loads(line) for line in (result.run_dir / "events.jsonl").read_text().splitlines()]
    assert [e["seq"] for e in logged] == list(range(1, len(events) + 1))

    study = optuna.load_study(storage=config.storage_url, study_name=config.run_name)
    assert len(study.trials) == 4 and study.best_trial.number == best.number
    assert load_run(result.run_dir).best_trial == best

    # A fresh process with plain Keras reproduces the stored validation accuracy exactly.
    script = f"""
import keras, numpy as np
from healthtune.data import load_dataset
data = load_dataset("digits", validation_split={config.validation_split}, seed={config.seed})
model = keras.saving.load_model({str(result.best_model_path)!r})
p = model.predict(data.x_val, batch_size=512, verbose=0)
print(float(np.mean(np.argmax(p, axis=1) == data.y_val)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) == best.metrics["val_accuracy"]


def test_resume_adds_trials_to_the_same_study(tmp_path: Path) -> None:
    import time

    first = optimize(digits_config(tmp_path, trials=2, max_epochs_per_trial=1, timeout_hours=1))
    assert len(first.trials) == 2
    # every trial carries the run's deadline, so timeout_hours can end it at an epoch boundary
    spec = json.loads((first.run_dir / "trials" / "trial_1" / "config.json").read_text())["spec"]
    assert 3000 < spec["stop_at"] - time.time() <= 3600
    assert first.trials[1].metrics["cut_by_deadline"] is False
    second = optimize(digits_config(tmp_path, trials=3, max_epochs_per_trial=1))
    assert [t.number for t in second.trials] == [0, 1, 2]
    study = optuna.load_study(storage=second.storage_url, study_name="digits_run")
    assert len(study.trials) == 3
    seqs = [json.loads(line)["seq"] for line in (second.run_dir / "events.jsonl").read_text().splitlines()]
    assert seqs == list(range(1, len(seqs) + 1))  # the event sequence continues across the resume


def test_median_pruner_prunes_a_hopeless_trial(tmp_path: Path) -> None:
    optimize(digits_config(tmp_path, trials=4, pruner="median", max_epochs_per_trial=4))
    # Resume with a learning rate far too small to learn anything: once the warm-up (2 of 4 epochs)
    # is over and 4 trials have finished, the pruner stops it at epoch 3.
    hopeless = {"optimizer": "sgd", "learning_rate": 1e-6, "momentum": 0.0, "batch_norm": False}
    result = optimize(
        digits_config(
            tmp_path, trials=5, pruner="median", max_epochs_per_trial=4, search_space_overrides=hopeless
        )
    )
    last = result.trials[-1]
    assert last.state == "pruned"
    assert last.metrics["epochs_trained"] == 3


def test_diverging_trials_are_recorded_and_too_many_failures_stop_the_run(tmp_path: Path) -> None:
    # Linear units cannot die, so an absurd SGD step makes the weights overflow to inf/NaN.
    explode = {
        "optimizer": "sgd",
        "learning_rate": 10.0,
        "momentum": 0.99,
        "batch_norm": False,
        "activation": "linear",
    }
    config = digits_config(tmp_path, trials=4, max_consecutive_failures=2, search_space_overrides=explode)
    with pytest.raises(OptimizationFailed, match="2 trials failed in a row"):
        optimize(config)
    run = json.loads((config.run_dir / "run.json").read_text())
    assert run["status"] == "failed"
    assert [t["failure_reason"] for t in run["trials"]] == ["diverged", "diverged"]
    assert run["best_trial"] is None and run["best_model_path"] is None  # same keys as a finished run


def test_bad_inputs_never_touch_an_existing_run(tmp_path: Path) -> None:
    config = digits_config(tmp_path, trials=1, max_epochs_per_trial=1)
    optimize(config)
    before = snapshot(config.run_dir)

    with pytest.raises(ConfigError, match="already exists with dataset='digits'"):
        optimize(digits_config(tmp_path, dataset="csv:" + str(_write_csv(tmp_path)), trials=2))
    with pytest.raises(StorageError, match="cannot open storage_url") as storage_error:
        optimize(digits_config(tmp_path, trials=2, storage_url="sqlite:////nonexistent/dir/studies.db"))
    assert "\n" not in str(storage_error.value)  # one line, without SQLAlchemy's "Background on..." link
    broken = tmp_path / "broken_images" / "cat"
    broken.mkdir(parents=True)
    (broken / "a.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError):
        optimize(digits_config(tmp_path, dataset=f"images:{broken.parent}", run_name="images_run"))
    assert snapshot(config.run_dir) == before
    assert not (config.results_root / "images_run").exists()


def _write_csv(tmp_path: Path) -> Path:
    path = tmp_path / "texts.csv"
    path.write_text("label,text\n" + "".join(f"{i % 2},word{i} text\n" for i in range(40)))
    return path


@pytest.mark.jax_core
def test_same_config_and_seed_give_the_same_trials(tmp_path: Path) -> None:
    runs = [
        optimize(digits_config(tmp_path / str(i), trials=2, max_epochs_per_trial=2, max_samples=600))
        for i in range(2)
    ]
    first, second = (
        [(t.params, t.metrics["val_accuracy"], t.metrics["val_loss"]) for t in r.trials] for r in runs
    )
    assert first == second


def test_networks_over_the_compute_limit_are_rejected_before_training(tmp_path: Path) -> None:
    from healthtune.models import ModelConfig
    from healthtune.models.compute import forward_mflops

    # Everything but the filter count is fixed, so the limit splits the choices exactly.
    fixed = {
        "conv_blocks": 1,
        "convs_per_block": 1,
        "kernel_size": 3,
        "global_pooling": True,
        "dense_layers": 0,
    }
    small, default = (
        forward_mflops(ModelConfig(filters=f, **fixed), input_shape=(8, 8, 1), num_classes=10)  # type: ignore[arg-type]
        for f in (16, 32)
    )
    events: list[Event] = []
    config = digits_config(
        tmp_path,
        trials=1,
        max_epochs_per_trial=1,
        max_model_mflops=(small + default) / 2,
        search_space_overrides={**fixed, "filters": [16, 32]},
    )
    result = optimize(config, on_event=events.append)

    study = optuna.load_study(study_name=config.run_name, storage=config.storage_url)
    first = study.trials[0]  # the ModelConfig defaults (32 filters): over the limit
    assert first.state.name == "PRUNED" and first.user_attrs["rejected"] == "too_large"
    assert "max_model_mflops" in first.user_attrs["prune_reason"]
    assert not (result.run_dir / "trials" / "trial_0").exists()
    trained = [t for t in study.trials if not t.user_attrs.get("rejected")]
    assert len(trained) == 1 and trained[0].params["filters"] == 16 and trained[0].state.name == "COMPLETE"
    assert result.best_trial is not None and result.best_trial.number == trained[0].number
    pruned = [e for e in events if e.type.value == "trial_pruned"]
    assert pruned and all("too_large" in e.data["reason"] for e in pruned)


def test_a_search_space_entirely_over_the_limit_is_a_config_error(tmp_path: Path) -> None:
    config = digits_config(tmp_path, max_model_mflops=0.001)
    with pytest.raises(ConfigError, match="max_model_mflops"):
        optimize(config)
    study = optuna.load_study(study_name=config.run_name, storage=config.storage_url)
    assert all(t.user_attrs.get("rejected") == "too_large" for t in study.trials)
    assert not (config.run_dir / "trials").exists() or not any((config.run_dir / "trials").iterdir())


def test_cancel_stops_the_running_trial_and_keeps_the_finished_ones(tmp_path: Path) -> None:
    from healthtune import ModelOptimizer

    # inline: trials train in this process, so the stop lands in the very batch after the event
    config = digits_config(tmp_path, trials=3, max_epochs_per_trial=3)
    events: list[Event] = []

    def cancel_in_second_trial(event: Event) -> None:
        events.append(event)
        if event.type.value == "epoch_ended" and event.trial == 1:
            optimizer.request_stop()

    optimizer = ModelOptimizer(config, on_event=cancel_in_second_trial)
    result = optimizer.optimize_model()

    assert result.status == "cancelled"
    assert result.best_trial is not None and result.best_trial.number == 0
    assert result.best_model_path is not None and result.best_model_path.is_file()
    assert [e.trial for e in events if e.type.value == "epoch_ended"] == [0, 0, 0, 1]  # stopped mid-trial
    assert events[-1].type.value == "run_cancelled"
    assert load_run(result.run_dir).status == "cancelled"

    resumed = optimize(config)  # the cancelled trial is trained again, with the same parameters
    assert resumed.status == "completed"
    states = {t.number: (t.state, t.failure_reason) for t in resumed.trials}
    assert states[1] == ("failed", "cancelled")
    assert sum(1 for state, _ in states.values() if state == "complete") == 3
    study = optuna.load_study(storage=resumed.storage_url, study_name=config.run_name)
    redo = next(t for t in study.trials if t.user_attrs.get("redo_of") == 1)
    assert redo.params == study.trials[1].params and redo.state.name == "COMPLETE"
