"""Each batch's own training loss, recovered from the epoch's running mean that Keras's logs report."""

from __future__ import annotations

import math


class BatchLosses:
    """Keras's `logs["loss"]` after batch k is the mean over the epoch so far, weighted by batch size;
    undone, batch k's own loss is l_k = (W_k * m_k - W_(k-1) * m_(k-1)) / w_k. training_stability needs the
    batches' own losses: a running mean hides the spikes and most of the noise it measures.

    With `samples` and `batch_size` every batch is weighed exactly (the last one of an epoch may be
    smaller). Without them the batches are taken as equal, which holds for all but an epoch's last one,
    so that one is dropped (unless it was the epoch's only batch).
    """

    def __init__(self, samples: int | None = None, batch_size: int | None = None) -> None:
        self.samples, self.batch_size = samples, batch_size
        self.losses: list[float] = []
        self._seen = 0.0  # examples (or batches, when sizes are unknown) so far this epoch
        self._mean = 0.0
        self._epoch_start = 0

    def start_epoch(self) -> None:
        self._seen, self._mean, self._epoch_start = 0.0, 0.0, len(self.losses)

    def add(self, batch: int, running_mean: float) -> float:
        """Record batch `batch` (0-based within its epoch) from the running mean after it; its own loss."""
        size = float(self._size(batch))
        loss = ((self._seen + size) * running_mean - self._seen * self._mean) / size
        self._seen += size
        self._mean = running_mean
        self.losses.append(loss if math.isfinite(running_mean) else running_mean)
        return loss

    def end_epoch(self) -> None:
        if not self._sizes_known and len(self.losses) - self._epoch_start > 1:
            self.losses.pop()

    @property
    def _sizes_known(self) -> bool:
        return bool(self.samples and self.batch_size)

    def _size(self, batch: int) -> int:
        if not (self.samples and self.batch_size):  # spelled out for mypy: _sizes_known does not narrow
            return 1
        return max(1, min(self.batch_size, self.samples - batch * self.batch_size))
