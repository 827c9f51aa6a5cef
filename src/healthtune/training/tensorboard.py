"""TensorBoardLogger: per-epoch scalars, weight and gradient histograms as TensorBoard event files, any backend."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from healthtune.health.gradients import GradientFn, gradient_fn

logger = logging.getLogger(__name__)


class TensorBoardLogger(keras.callbacks.Callback):  # type: ignore[misc]
    """Writes TensorBoard event files with tensorboardX, so TensorFlow, JAX and torch runs all log.

    Every epoch (step = the 1-based epoch number, as in health.json) it writes:
    - a scalar per key of the epoch logs (`loss`, `accuracy`, `val_loss`, `val_accuracy`, ...)
      plus `learning_rate` (read from the optimizer when the logs lack it);
    - every `histogram_frequency` epochs (0 = never): `weights/<path>`, a histogram per trainable
      weight (e.g. `weights/conv_1/kernel`), and `gradients/<path>`, the gradient of the loss on
      the probe batch for that weight (computed like the health probes, in inference mode).
    Writing problems never stop training: the first one is logged as a warning and the logger
    turns itself off. The writer is flushed and closed when training ends.
    """

    def __init__(
        self,
        log_dir: str | Path,
        x_probe: np.ndarray,
        y_probe: np.ndarray,
        histogram_frequency: int = 1,
    ) -> None:
        super().__init__()
        if histogram_frequency < 0:
            raise ValueError(
                f"histogram_frequency must be >= 0, got histogram_frequency={histogram_frequency}"
            )
        self.log_dir = Path(log_dir)
        self.x_probe = x_probe
        self.y_probe = y_probe
        self.histogram_frequency = histogram_frequency
        self._writer: Any = None
        self._gradients: GradientFn | None = None
        self._failed = False

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._guarded("open the writer", self._open)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        step = epoch + 1
        self._guarded("write scalars", lambda: self._write_scalars(step, dict(logs or {})))
        if self.histogram_frequency and step % self.histogram_frequency == 0:
            self._guarded("write histograms", lambda: self._write_histograms(step))
        self._guarded("flush", self._flush)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()

    def _open(self) -> None:
        from tensorboardX import SummaryWriter

        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._writer = SummaryWriter(logdir=str(self.log_dir))
        if self.histogram_frequency:
            self._gradients = gradient_fn(self.model)

    def _flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def _write_scalars(self, step: int, logs: dict[str, Any]) -> None:
        if self._writer is None:
            return
        values = {key: _to_float(value) for key, value in logs.items()}
        if "learning_rate" not in values:
            values["learning_rate"] = _learning_rate(self.model)
        for key, value in values.items():
            if value is not None:
                self._writer.add_scalar(key, value, step)

    def _write_histograms(self, step: int) -> None:
        if self._writer is None:
            return
        weights = list(self.model.trainable_weights)
        for weight in weights:
            self._histogram(f"weights/{weight.path}", keras.ops.convert_to_numpy(weight), step)
        if self._gradients is None or len(self.y_probe) == 0:
            return
        gradients = self._gradients(self.x_probe, self.y_probe)
        for weight, gradient in zip(weights, gradients, strict=True):
            self._histogram(f"gradients/{weight.path}", gradient, step)

    def _histogram(self, tag: str, values: Any, step: int) -> None:
        """NaN/inf entries are left out (TensorBoard cannot bin them); an all-NaN tensor is skipped."""
        array = np.asarray(values, dtype=np.float64).ravel()
        finite = array[np.isfinite(array)]
        if finite.size:
            self._writer.add_histogram(tag, finite, step)

    def _guarded(self, what: str, action: Callable[[], object]) -> None:
        if self._failed:
            return
        try:
            action()
        except Exception as error:
            self._failed = True
            logger.warning(
                "TensorBoard logging to %s failed (could not %s: %s: %s); training goes on without it",
                self.log_dir,
                what,
                type(error).__name__,
                error,
            )
            self._close()

    def _close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.flush()
            writer.close()
        except Exception as error:
            logger.warning("could not close the TensorBoard writer for %s: %s", self.log_dir, error)


def _to_float(value: Any) -> float | None:
    """A log value as a float (NaN kept: a diverged run should show it); None when not a number."""
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        return None


def _learning_rate(model: Any) -> float | None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except (AttributeError, TypeError, ValueError):
        return None
