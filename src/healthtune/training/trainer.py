"""run_trial: the one function that trains a trial, wherever it runs, and writes its artifacts."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from healthtune.core.config import EARLY_STOPPING_PATIENCE
from healthtune.core.exceptions import HealthtuneError, RunCancelled, TrialDiverged, TrialFailed
from healthtune.core.paths import TrialPaths
from healthtune.core.scoring import ScoringWeights
from healthtune.training.distribution import distribution_scope, gpu_devices, plan_distribution
from healthtune.training.feeding import examples_per_epoch, fit_inputs, predict
from healthtune.training.outcome import TrainingOutcome
from healthtune.training.spec import (
    HealthSpec,
    TrialResult,
    TrialSpec,
    load_trial_data,
)
from healthtune.training.visuals import write_trial_visuals

if TYPE_CHECKING:
    from healthtune.health.analyzer import HealthReport

logger = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Same seed, same backend, CPU -> same weights, same batches, same metrics."""
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def evaluate(model: Any, x: np.ndarray, y: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
    """Accuracy and cross-entropy from predictions (so a reloaded model reproduces them exactly),
    and the class probabilities."""
    if len(y) == 0:
        return {"accuracy": float("nan"), "loss": float("nan")}, np.zeros((0, 1))
    probabilities = predict(model, x)
    predicted = np.argmax(probabilities, axis=1)
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-12, 1.0)
    return {
        "accuracy": float(np.mean(predicted == y)),
        "loss": float(-np.mean(np.log(picked))),
    }, probabilities


def train_model(
    model: Any,
    dataset: Any,
    *,
    epochs: int,
    batch_size: int,
    reporter: Any = None,
    health: HealthSpec | None = None,
    tensorboard_dir: Path | None = None,
    shuffle_seed: int = 0,
    patience: int = EARLY_STOPPING_PATIENCE,
    objective: str = "accuracy",
    class_weight: dict[int, float] | None = None,
    stop_at: float | None = None,
) -> TrainingOutcome:
    """Fit any compiled Keras classifier with healthtune's monitoring (works for hand-built models too).

    The training samples are reshuffled every epoch in an order fixed by `shuffle_seed`. Training
    stops after `patience` epochs without a better validation `objective` (0: never early), and the
    model ends with the weights of its best epoch; the pruner sees the same objective.
    `class_weight` (class index -> weight) scales each example's loss. `stop_at` (Unix time) ends
    training with the epoch that passes it (`outcome.cut_by_deadline`), the best epoch still restored.
    """
    from healthtune.health.defaults import PROBE_BATCH_SIZE
    from healthtune.health.monitor import HealthMonitor
    from healthtune.training.callbacks import BestEpoch, Deadline, TrialMonitor, ValidationObjective

    health = health or HealthSpec()
    health_monitor = None
    if health.frequency > 0:
        health_monitor = HealthMonitor(
            dataset.x_val[:PROBE_BATCH_SIZE],
            dataset.y_val[:PROBE_BATCH_SIZE],
            frequency=health.frequency,
            pruning=health.pruning,
            prune_dormant_share=health.prune_dormant_share,
            prune_after_epoch=health.prune_after_epoch,
        )
    scored = ValidationObjective(objective, dataset.x_val, dataset.y_val) if objective != "accuracy" else None
    metric = "val_accuracy" if scored is None else "val_objective"
    monitor = TrialMonitor(
        reporter,
        metric,
        health=health_monitor,
        samples=examples_per_epoch(len(dataset.y_train), batch_size),
        batch_size=batch_size,
    )
    best = BestEpoch(patience, metric)
    deadline = Deadline(stop_at) if stop_at is not None else None
    callbacks: list[Any] = [c for c in (scored, health_monitor, monitor, best, deadline) if c is not None]
    if tensorboard_dir is not None:
        from healthtune.training.tensorboard import TensorBoardLogger

        probe = slice(0, PROBE_BATCH_SIZE)
        callbacks.append(TensorBoardLogger(tensorboard_dir, dataset.x_val[probe], dataset.y_val[probe]))
    try:
        inputs = fit_inputs(dataset.x_train, dataset.y_train, dataset.x_val, dataset.y_val,
                            batch_size=batch_size, seed=shuffle_seed)  # fmt: skip
        history = model.fit(
            **inputs, epochs=epochs, callbacks=callbacks, class_weight=class_weight, verbose=0
        )
    except RunCancelled:
        raise
    except Exception as error:
        raise TrialFailed(f"training failed: {type(error).__name__}: {error}") from error
    history_data = {key: [float(v) for v in values] for key, values in history.history.items()}
    history_data["batch_loss"] = monitor.batch_losses
    history_data["epoch_seconds"] = monitor.epoch_seconds
    outcome = TrainingOutcome(history_data, monitor, health_monitor, best_epoch=len(monitor.epoch_seconds),
                              cut_by_deadline=deadline is not None and deadline.cut_at is not None)  # fmt: skip
    if monitor.diverged_at is None and best.best_epoch:  # a diverged trial is failed or pruned anyway
        outcome.best_epoch = best.restore()
    if health_monitor is not None and outcome.epochs_trained:
        # The returned model's state, if the schedule skipped it (after a divergence: the NaN gradients).
        health_monitor.probe(outcome.best_epoch)
    return outcome


def diagnose(
    model: Any, dataset: Any, outcome: TrainingOutcome, seed: int = 0, objective: str = "accuracy"
) -> tuple[HealthReport, dict[str, Any]]:
    """Health report and validation metrics of a trained model, per class too (`objective`: its value
    on validation, which parameter_efficiency then judges instead of accuracy).

    The train/validation gap uses the accuracy on the first training examples measured now, in
    inference mode: the epoch's running accuracy lags the model and includes dropout. Health reads
    the training up to the best epoch, whose weights the model holds.
    """
    from healthtune.core.choices import Objective
    from healthtune.core.objectives import chance_value, objective_value, per_class
    from healthtune.health.analyzer import analyze
    from healthtune.health.defaults import TRAIN_EVAL_EXAMPLES

    scores, probabilities = evaluate(model, dataset.x_val, dataset.y_val)
    val: dict[str, Any] = dict(scores)
    predicted = np.argmax(probabilities, axis=1)
    goal = Objective(objective)
    val["objective"] = objective_value(goal, dataset.y_val, probabilities)
    val["per_class"] = per_class(dataset.y_val, predicted, dataset.class_names)
    efficiency = None
    if goal is not Objective.ACCURACY:
        efficiency = (val["objective"], chance_value(goal, dataset.y_val, dataset.num_classes))
    train, _ = evaluate(model, dataset.x_train[:TRAIN_EVAL_EXAMPLES], dataset.y_train[:TRAIN_EVAL_EXAMPLES])
    report = analyze(
        snapshots=outcome.kept_snapshots(),
        history=outcome.up_to_best(),
        val_accuracy=val["accuracy"],
        x_val=dataset.x_val,
        y_val=dataset.y_val,
        val_probabilities=probabilities,
        predict=lambda x: predict(model, x),
        num_classes=dataset.num_classes,
        params=int(model.count_params()),
        seed=seed,
        train_accuracy=train["accuracy"] if len(dataset.y_train) else None,
        efficiency=efficiency,
        after_best_val_loss=outcome.val_loss_after_best(),
    )
    return report, val


def run_trial(spec: TrialSpec, reporter: Any = None) -> TrialResult:
    """Build, train, probe, evaluate and save one trial.

    Returns a TrialResult with state "complete" or "pruned" (with its reason); raises
    TrialDiverged when the loss becomes NaN/inf (unless health pruning is on: then the trial
    is pruned as "diverged") and TrialFailed for any other error inside the trial.
    """
    import keras

    from healthtune.core.choices import Objective
    from healthtune.core.objectives import objective_value, per_class, recall_findings, resolve_class_weights
    from healthtune.models import ModelConfig, build_model
    from healthtune.models.word_dropout import for_saving

    started = time.perf_counter()
    trial_dir = Path(spec.trial_dir)
    files = TrialPaths(trial_dir)
    trial_dir.mkdir(parents=True, exist_ok=True)
    dataset = load_trial_data(spec.data)
    loaded = time.perf_counter()
    keras.backend.clear_session(free_memory=True)
    seed_everything(spec.seed)
    model_config = ModelConfig.from_dict(spec.model_config)
    steps_per_epoch = math.ceil(len(dataset.y_train) / spec.batch_size)
    backend = keras.backend.backend()
    devices = gpu_devices(backend)
    plan = plan_distribution(backend, len(devices), spec.gpus, spec.batch_size)
    with distribution_scope(plan, devices):
        if spec.model_fn:
            from healthtune.search.user_model import build_user_model, fixed_trial, load_model_fn, model_info

            try:
                build = load_model_fn(spec.model_fn)
            except HealthtuneError as error:
                raise TrialFailed(str(error)) from error
            model = build_user_model(build, fixed_trial(spec.params), model_info(dataset))
        else:
            try:
                model = build_model(model_config, dataset, total_steps=steps_per_epoch * spec.epochs)
            except Exception as error:
                raise TrialFailed(f"could not build the model: {type(error).__name__}: {error}") from error
        built = time.perf_counter()
        outcome = train_model(
            model,
            dataset,
            epochs=spec.epochs,
            batch_size=spec.batch_size,
            reporter=reporter,
            health=spec.health,
            tensorboard_dir=files.tensorboard_dir if spec.tensorboard else None,
            shuffle_seed=spec.seed,
            patience=spec.early_stopping_patience,
            objective=spec.objective,
            class_weight=resolve_class_weights(spec.class_weight, dataset.y_train, dataset.class_names),
            stop_at=spec.stop_at,
        )
    trained = time.perf_counter()
    monitor = outcome.monitor
    _write_json(files.history, outcome.history)
    _write_json(files.config, {"model_config": model_config.to_dict(), "spec": spec.to_dict()})
    timings = {
        "load_seconds": loaded - started,
        "build_seconds": built - loaded,
        "train_seconds": trained - built,
    }
    result = TrialResult(
        trial_number=spec.trial_number,
        state="complete",
        history=outcome.history,
        intermediate_values=dict(monitor.intermediate_values),
    )
    if monitor.diverged_at is not None:
        epoch, batch = monitor.diverged_at
        where = f"epoch {epoch + 1}" + (f", batch {batch + 1}" if batch >= 0 else "")
        if not spec.health.pruning:
            raise TrialDiverged(f"loss became NaN or infinite at {where}")
        monitor.pruned_at, monitor.prune_reason = (
            epoch + 1,
            f"health: diverged (loss NaN or infinite at {where})",
        )
    if monitor.pruned_at is not None:
        result.state, result.prune_reason = "pruned", monitor.prune_reason
        result.metrics = {
            "epochs_trained": outcome.epochs_trained,
            "pruned_at_epoch": monitor.pruned_at,
            "prune_reason": monitor.prune_reason,
            **timings,
        }
        _write_json(files.metrics, result.metrics)
        if outcome.health is not None:
            _write_json(files.health, {"snapshots": [s.to_dict() for s in outcome.health.snapshots]})
        return result
    report, val = diagnose(model, dataset, outcome, seed=spec.seed, objective=spec.objective)
    test, test_probabilities = evaluate(model, dataset.x_test, dataset.y_test)
    by_class = {"validation": val["per_class"],
                "test": per_class(dataset.y_test, np.argmax(test_probabilities, axis=1), dataset.class_names)
                if len(dataset.y_test) else {}}  # fmt: skip
    report.findings.extend(recall_findings(by_class["validation"]))
    for_saving(model).save(files.model)  # plain Keras loads it: no healthtune layer inside
    finished = time.perf_counter()
    probed = outcome.health is not None
    kept = outcome.up_to_best()  # the returned model's epochs
    result.metrics = {
        "val_accuracy": val["accuracy"],
        "val_loss": val["loss"],
        "val_examples": len(dataset.y_val),
        "test_accuracy": test["accuracy"],
        "test_loss": test["loss"],
        "objective": spec.objective,
        "val_objective": val["objective"],
        "test_objective": objective_value(Objective(spec.objective), dataset.y_test, test_probabilities)
        if len(dataset.y_test)
        else float("nan"),
        "per_class": by_class,
        "train_accuracy": kept.get("accuracy", [float("nan")])[-1],
        "train_loss": kept.get("loss", [float("nan")])[-1],
        "params": int(model.count_params()),
        "epochs_trained": outcome.epochs_trained,
        "best_epoch": outcome.best_epoch,
        "cut_by_deadline": outcome.cut_by_deadline,
        "num_classes": dataset.num_classes,
        "health": report.metrics if probed else {},
        "health_gate": report.gate.to_dict() if probed else None,
        "overfitting_gap": report.overfitting_gap,
        "findings": len(report.findings),
        **timings,
        "evaluate_seconds": finished - trained,
        "total_seconds": finished - started,
        "backend": backend,
        "distribution": plan.kind,
        "gpus": plan.devices,
    }
    _write_json(files.metrics, result.metrics)
    weights = ScoringWeights(**spec.weights) if spec.weights else ScoringWeights()
    if probed:
        _write_json(files.health, report.to_dict(weights.health_component_proportions))
    write_trial_visuals(
        trial_dir,
        model,
        dataset,
        outcome.history,
        report if probed else None,
        weights,
        plots=spec.plots,
        epochs_planned=spec.epochs,
        batch_size=spec.batch_size,
    )
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
