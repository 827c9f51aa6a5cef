"""TrainingOutcome: what fitting a model recorded, and the history of the epoch whose weights it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from healthtune.health.monitor import HealthMonitor
    from healthtune.health.probes import ProbeSnapshot
    from healthtune.training.callbacks import TrialMonitor


@dataclass
class TrainingOutcome:
    """What fitting recorded: Keras history plus per-batch losses, probes and stop reasons.

    `best_epoch` (from 1) is the epoch whose weights the model holds now: the best one, restored,
    unless the trial diverged (then the last; 0 when none finished).
    """

    history: dict[str, list[float]]
    monitor: TrialMonitor
    health: HealthMonitor | None
    best_epoch: int = 0
    cut_by_deadline: bool = False  # the run's timeout ended training before its epochs or early stopping

    @property
    def epochs_trained(self) -> int:
        return len(self.monitor.epoch_seconds)

    def kept_snapshots(self) -> list[ProbeSnapshot]:
        """The health probes of the returned model's epochs."""
        snapshots = self.health.snapshots if self.health else []
        return [snapshot for snapshot in snapshots if snapshot.epoch <= self.best_epoch]

    def up_to_best(self) -> dict[str, list[float]]:
        """The history of the returned model: epochs (and their batches) up to the best one."""
        if not self.best_epoch or self.best_epoch >= self.epochs_trained:
            return self.history
        batches = self.monitor.epoch_batches[self.best_epoch - 1]
        return {
            key: values[:batches] if key == "batch_loss" else values[: self.best_epoch]
            for key, values in self.history.items()
        }

    def val_loss_after_best(self) -> list[float]:
        """The validation losses of the epochs trained past the returned one (empty when it is the last)."""
        if not self.best_epoch:
            return []
        return list(self.history.get("val_loss", [])[self.best_epoch :])
