"""run_trial: the one function that trains a trial, wherever it runs, and writes its artifacts."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from healthtune.exceptions import TrialDiverged, TrialFailed
from healthtune.training.spec import DataSpec, TrialResult, TrialSpec

logger = logging.getLogger(__name__)

PREDICT_BATCH_SIZE = 512


def load_trial_data(data: DataSpec) -> Any:
    """The dataset as the spec describes it (cached in-process, so trials after the first are instant)."""
    from healthtune.data import load_dataset

    return load_dataset(
        data.name,
        validation_split=data.validation_split,
        seed=data.seed,
        data_dir=Path(data.data_dir) if data.data_dir else None,
        max_samples=data.max_samples,
        vocab_size=data.vocab_size,
        sequence_length=data.sequence_length,
        mirror_url=data.mirror_url,
    )


def seed_everything(seed: int) -> None:
    """Same seed, same backend, CPU -> same weights, same batches, same metrics."""
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def evaluate(model: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy and cross-entropy from predictions, so a reloaded model reproduces them exactly."""
    if len(y) == 0:
        return {"accuracy": float("nan"), "loss": float("nan")}
    probabilities = np.asarray(model.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0), dtype=np.float64)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y))
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-12, 1.0)
    return {"accuracy": accuracy, "loss": float(-np.mean(np.log(picked)))}


def run_trial(spec: TrialSpec, reporter: Any = None) -> TrialResult:
    """Build, train, evaluate and save one trial.

    Returns a TrialResult with state "complete" or "pruned"; raises TrialDiverged when the
    loss becomes NaN/inf and TrialFailed for any other error inside the trial.
    """
    import keras

    from healthtune.models import ModelConfig, build_model
    from healthtune.training.callbacks import TrialMonitor

    started = time.perf_counter()
    trial_dir = Path(spec.trial_dir)
    trial_dir.mkdir(parents=True, exist_ok=True)
    dataset = load_trial_data(spec.data)
    loaded = time.perf_counter()
    keras.backend.clear_session(free_memory=True)
    seed_everything(spec.seed)
    model_config = ModelConfig.from_dict(spec.model_config)
    steps_per_epoch = math.ceil(len(dataset.y_train) / spec.batch_size)
    try:
        model = build_model(model_config, dataset, total_steps=steps_per_epoch * spec.epochs)
    except Exception as error:
        raise TrialFailed(f"could not build the model: {type(error).__name__}: {error}") from error
    monitor = TrialMonitor(reporter)
    built = time.perf_counter()
    try:
        history = model.fit(
            dataset.x_train,
            dataset.y_train,
            validation_data=(dataset.x_val, dataset.y_val),
            epochs=spec.epochs,
            batch_size=spec.batch_size,
            callbacks=[monitor],
            verbose=0,
        )
    except Exception as error:
        raise TrialFailed(f"training failed: {type(error).__name__}: {error}") from error
    trained = time.perf_counter()
    history_data = {key: [float(v) for v in values] for key, values in history.history.items()}
    history_data["batch_loss"] = monitor.batch_losses
    history_data["epoch_seconds"] = monitor.epoch_seconds
    _write_json(trial_dir / "history.json", history_data)
    _write_json(trial_dir / "config.json", {"model_config": model_config.to_dict(), "spec": spec.to_dict()})
    if monitor.diverged_at is not None:
        epoch, batch = monitor.diverged_at
        where = f"epoch {epoch + 1}" + (f", batch {batch + 1}" if batch >= 0 else "")
        raise TrialDiverged(f"loss became NaN or infinite at {where}")
    timings = {
        "load_seconds": loaded - started,
        "build_seconds": built - loaded,
        "train_seconds": trained - built,
    }
    result = TrialResult(
        trial_number=spec.trial_number,
        state="pruned" if monitor.pruned_at is not None else "complete",
        history=history_data,
        intermediate_values=dict(monitor.intermediate_values),
    )
    epochs_trained = len(monitor.epoch_seconds)
    if result.state == "pruned":
        result.metrics = {"epochs_trained": epochs_trained, "pruned_at_epoch": monitor.pruned_at, **timings}
        _write_json(trial_dir / "metrics.json", result.metrics)
        return result
    val = evaluate(model, dataset.x_val, dataset.y_val)
    test = evaluate(model, dataset.x_test, dataset.y_test)
    model.save(trial_dir / "model.keras")
    finished = time.perf_counter()
    result.metrics = {
        "val_accuracy": val["accuracy"],
        "val_loss": val["loss"],
        "test_accuracy": test["accuracy"],
        "test_loss": test["loss"],
        "train_accuracy": history_data.get("accuracy", [float("nan")])[-1],
        "train_loss": history_data.get("loss", [float("nan")])[-1],
        "params": int(model.count_params()),
        "epochs_trained": epochs_trained,
        "num_classes": dataset.num_classes,
        **timings,
        "evaluate_seconds": finished - trained,
        "total_seconds": finished - started,
        "backend": keras.backend.backend(),
    }
    _write_json(trial_dir / "metrics.json", result.metrics)
    return result


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=_json_default), encoding="utf-8")
    tmp.replace(path)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
