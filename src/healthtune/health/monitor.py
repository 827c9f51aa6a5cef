"""HealthMonitor: the Keras callback that probes health during training and decides health pruning."""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from healthtune.health import defaults as d
from healthtune.health.probes import Prober, ProbeSnapshot


class HealthMonitor(keras.callbacks.Callback):  # type: ignore[misc]
    """Probes every `frequency` epochs; with pruning on, stops the trial when its health is hopeless."""

    def __init__(
        self,
        x_probe: np.ndarray,
        y_probe: np.ndarray,
        *,
        frequency: int = d.HEALTH_MONITORING_FREQUENCY,
        pruning: bool = False,
        prune_dormant_share: float = d.HEALTH_PRUNE_DORMANT_SHARE,
        prune_after_epoch: int = d.HEALTH_PRUNE_AFTER_EPOCH,
    ) -> None:
        super().__init__()
        self.x_probe, self.y_probe = x_probe, y_probe
        self.frequency = frequency
        self.pruning = pruning
        self.prune_dormant_share = prune_dormant_share
        self.prune_after_epoch = prune_after_epoch
        self.snapshots: list[ProbeSnapshot] = []
        self.prune_reason: str | None = None
        self._prober: Prober | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._prober = Prober(self.model, self.x_probe, self.y_probe)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        step = epoch + 1
        if self.frequency and step % self.frequency == 0:
            self.probe(step)

    def probe(self, epoch: int) -> ProbeSnapshot | None:
        """Take a snapshot after `epoch` (also called once after training for the final state)."""
        if self._prober is None or any(s.epoch == epoch for s in self.snapshots):
            return None
        snapshot = self._prober.snapshot(epoch)
        self.snapshots.append(snapshot)
        if self.pruning and self.prune_reason is None:
            self.prune_reason = self.health_prune_reason(snapshot)
            if self.prune_reason:
                self.model.stop_training = True
        return snapshot

    def health_prune_reason(self, snapshot: ProbeSnapshot) -> str | None:
        for gradient in snapshot.gradients:
            if not math.isfinite(gradient.grad_norm) or gradient.grad_norm > d.EXPLODING_GRADIENT:
                return f"exploding gradients in {gradient.layer} (|g| = {gradient.grad_norm:.3g})"
        units = sum(a.units for a in snapshot.activity)
        dormant = sum(a.dormant for a in snapshot.activity)
        if units and snapshot.epoch >= self.prune_after_epoch and dormant / units > self.prune_dormant_share:
            return f"{dormant / units:.0%} of units dormant after epoch {snapshot.epoch}"
        return None
