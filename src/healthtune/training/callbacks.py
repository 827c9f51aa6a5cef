"""Keras callbacks of a trial: progress and pruning, divergence check and loss record, and the best epoch kept."""

from __future__ import annotations

import math
import time
from typing import Any, Protocol

import keras

from healthtune.core.exceptions import RunCancelled
from healthtune.health.batch_losses import BatchLosses
from healthtune.health.monitor import HealthMonitor
from healthtune.training.spec import PRUNED_BY_OPTUNA


class TrialReporter(Protocol):
    """Where a running trial sends its epochs; answers whether to prune it or stop the whole run."""

    def epoch_ended(self, epoch: int, metrics: dict[str, float]) -> None: ...

    def should_prune(self, epoch: int, value: float) -> bool: ...

    def stop_requested(self) -> bool: ...


class TrialMonitor(keras.callbacks.Callback):  # type: ignore[misc]
    """Reports every epoch, stops on pruning, and stops at the first NaN/inf batch loss."""

    def __init__(
        self,
        reporter: TrialReporter | None,
        objective_metric: str = "val_accuracy",
        health: HealthMonitor | None = None,
        *,
        samples: int | None = None,
        batch_size: int | None = None,
    ) -> None:
        super().__init__()
        self._batch_losses = BatchLosses(samples, batch_size)
        self.reporter = reporter
        self.health = health
        self.prune_reason: str | None = None
        self.objective_metric = objective_metric
        self.batch_losses = self._batch_losses.losses
        self.epoch_batches: list[int] = []  # batches recorded by the end of each epoch
        self.epoch_seconds: list[float] = []
        self.intermediate_values: dict[int, float] = {}
        self.diverged_at: tuple[int, int] | None = None
        self.pruned_at: int | None = None
        self._epoch = 0
        self._epoch_start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch
        self._epoch_start = time.perf_counter()
        self._batch_losses.start_epoch()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.reporter is not None and self.reporter.stop_requested():
            # Checked every batch so a cancel takes effect in well under a second of training.
            raise RunCancelled(f"run cancelled during epoch {self._epoch + 1}")
        loss = self._batch_losses.add(batch, float((logs or {}).get("loss", 0.0)))
        if not math.isfinite(loss):
            self.diverged_at = (self._epoch, batch)
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch_seconds.append(time.perf_counter() - self._epoch_start)
        self.epoch_batches.append(len(self.batch_losses))
        if self.diverged_at is not None:
            return
        metrics = {key: float(value) for key, value in (logs or {}).items()}
        if not all(math.isfinite(v) for k, v in metrics.items() if k.endswith("loss")):
            self.diverged_at = (epoch, -1)
            self.model.stop_training = True
            return
        step = epoch + 1
        value = metrics.get(self.objective_metric, float("nan"))
        self.intermediate_values[step] = value
        if self.reporter is not None:
            self.reporter.epoch_ended(step, {**metrics, "epoch_seconds": self.epoch_seconds[-1]})
        if self.health is not None and self.health.prune_reason:
            self._prune(step, f"health: {self.health.prune_reason}")
        elif self.reporter is not None and self.reporter.should_prune(step, value):
            self._prune(step, PRUNED_BY_OPTUNA)

    def _prune(self, step: int, reason: str) -> None:
        self.pruned_at = step
        self.prune_reason = reason
        self.model.stop_training = True


class ValidationObjective(keras.callbacks.Callback):  # type: ignore[misc]
    """Adds `val_objective` (balanced accuracy, macro F1 or ROC AUC on the validation split) to each
    epoch's logs, before the pruner, the best epoch and the history read them: one extra prediction pass
    over the validation split per epoch, only when the objective is not accuracy."""

    def __init__(self, objective: str, x_val: Any, y_val: Any) -> None:
        super().__init__()
        from healthtune.core.choices import Objective

        self.objective, self.x_val, self.y_val = Objective(objective), x_val, y_val

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        from healthtune.core.objectives import objective_value
        from healthtune.training.feeding import predict

        if logs is None or not math.isfinite(float(logs.get("val_loss", math.nan))):
            return  # a diverged epoch: TrialMonitor stops the trial
        logs["val_objective"] = objective_value(self.objective, self.y_val, predict(self.model, self.x_val))


class Deadline(keras.callbacks.Callback):  # type: ignore[misc]
    """Ends training with the first epoch that finishes after `stop_at` (Unix time), so a run's
    `timeout_hours` cuts its running trials at an epoch boundary: they keep their best epoch so far
    instead of running on, or being thrown away."""

    def __init__(self, stop_at: float) -> None:
        super().__init__()
        self.stop_at = stop_at
        self.cut_at: int | None = None  # the epoch (from 1) after which the deadline stopped training

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if time.time() >= self.stop_at and not self.model.stop_training:
            self.cut_at = epoch + 1
            self.model.stop_training = True


class BestEpoch(keras.callbacks.Callback):  # type: ignore[misc]
    """Remembers the weights of the best epoch and stops after `patience` epochs without a better one.

    Best means the highest `metric` (validation accuracy, or `val_objective`: what trials are scored on), ties going to the lower
    validation loss. `restore()` puts those weights back, so a trial returns its best epoch, and
    more epochs can only add chances to find a better one. patience=0 trains every epoch.
    """

    def __init__(self, patience: int, metric: str = "val_accuracy") -> None:
        super().__init__()
        self.patience, self.metric = patience, metric
        self.best_epoch = 0  # counted from 1; 0 until an epoch had finite validation metrics
        self._best: tuple[float, float] | None = None
        self._weights: list[Any] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        accuracy, loss = float(logs.get(self.metric, math.nan)), float(logs.get("val_loss", math.nan))
        if not (math.isfinite(accuracy) and math.isfinite(loss)):
            return  # a diverged epoch is never the best; TrialMonitor stops the trial
        if self._best is None or (accuracy, -loss) > self._best:
            self._best, self.best_epoch = (accuracy, -loss), epoch + 1
            self._weights = self.model.get_weights()
        elif self.patience and epoch + 1 - self.best_epoch >= self.patience:
            self.model.stop_training = True

    def restore(self) -> int:
        """Put the best epoch's weights back; returns that epoch (0 when none was kept)."""
        if self._weights is not None:
            self.model.set_weights(self._weights)
        return self.best_epoch
