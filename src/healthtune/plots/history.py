"""Training curves: loss and accuracy per epoch (train vs validation) and the learning-rate schedule."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from healthtune.plots.base import TRAIN_COLOR, VAL_COLOR, TrialPlot
from healthtune.plots.context import PlotContext

LR_MAX_POINTS = 500
"""The schedule is evaluated at most at this many steps (evenly spaced, first and last included)."""


class TrainingHistoryPlot(TrialPlot):
    name = "training_history"
    title = "Training history: loss and accuracy per epoch"
    caption = (
        "Validation loss rising while training loss falls = overfitting; both flat and high = underfitting. "
        "The star marks the best epoch (lowest validation loss)."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return bool(context.history.get("loss"))

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        history = context.history
        loss = list(history.get("loss", []))
        epochs = list(range(1, len(loss) + 1))
        val_loss = list(history.get("val_loss", []))
        best = int(np.nanargmin(val_loss)) + 1 if val_loss and np.isfinite(val_loss).any() else None
        batch_loss = list(history.get("batch_loss", []))

        figure = self.figure()
        loss_axes, accuracy_axes = figure.subplots(1, 2)
        if batch_loss and epochs:
            # Batch i of epoch e sits at e - 1 + (i + 1) / batches_per_epoch: aligned with epoch ends.
            per_epoch = len(batch_loss) / len(epochs)
            positions = (np.arange(len(batch_loss)) + 1) / per_epoch
            loss_axes.plot(
                positions,
                batch_loss,
                color=TRAIN_COLOR,
                alpha=0.25,
                linewidth=0.8,
                label="train, each batch",
            )
        _curves(loss_axes, epochs, loss, val_loss, best, "loss (cross-entropy)")
        _curves(
            accuracy_axes,
            epochs,
            history.get("accuracy", []),
            history.get("val_accuracy", []),
            best,
            "accuracy",
        )
        if history.get("val_accuracy") or history.get("accuracy"):
            accuracy_axes.set_ylim(-0.02, 1.02)
        loss_axes.set_title("Loss (lower is better)", fontsize=10)
        accuracy_axes.set_title("Accuracy (higher is better)", fontsize=10)
        data = {
            "epochs": epochs,
            "loss": loss,
            "val_loss": val_loss,
            "accuracy": list(history.get("accuracy", [])),
            "val_accuracy": list(history.get("val_accuracy", [])),
            "batch_loss": batch_loss,
            "best_epoch": best,
        }
        return figure, data


def _curves(axes: Axes, epochs: list[int], train: Any, val: Any, best: int | None, label: str) -> None:
    if len(train):
        axes.plot(epochs[: len(train)], train, "o-", color=TRAIN_COLOR, label="train", markersize=4)
    if len(val):
        axes.plot(epochs[: len(val)], val, "s-", color=VAL_COLOR, label="validation", markersize=4)
        if best is not None and best <= len(val):
            axes.axvline(best, color="#2ca02c", linestyle=":", linewidth=1)
            axes.plot(
                [best], [val[best - 1]], "*", color="#2ca02c", markersize=14, label=f"best epoch ({best})"
            )
    axes.set_xlabel("epoch")
    axes.set_ylabel(label)
    axes.set_xticks(epochs if len(epochs) <= 20 else epochs[:: math.ceil(len(epochs) / 10)])
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)


class LearningRateSchedulePlot(TrialPlot):
    name = "learning_rate_schedule"
    title = "Learning-rate schedule"
    caption = (
        "The step size the optimizer used at every training step; a cosine schedule decays it to 0 by the "
        "last planned step. Dots: the rate the health probes recorded."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return getattr(context.model, "optimizer", None) is not None

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        import keras

        optimizer = context.model.optimizer
        steps_per_epoch = max(1, math.ceil(len(context.dataset.y_train) / max(1, context.batch_size)))
        epochs = max(1, context.epochs_planned)
        total = epochs * steps_per_epoch
        steps = np.unique(np.linspace(0, total, min(LR_MAX_POINTS, total + 1)).round().astype(np.int64))
        rate = getattr(optimizer, "_learning_rate", None)
        if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
            values = np.asarray(keras.ops.convert_to_numpy(rate(steps)), dtype=np.float64).reshape(-1)
            kind = type(rate).__name__
        else:
            constant = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            values = np.full(len(steps), constant)
            kind = "constant"
        probes = []
        if context.health is not None:
            probes = [
                {"epoch": s.epoch, "step": s.epoch * steps_per_epoch, "learning_rate": s.learning_rate}
                for s in context.health.snapshots
            ]

        figure = self.figure(f"Learning-rate schedule ({kind}, {type(optimizer).__name__})")
        axes = figure.subplots()
        axes.plot(steps, values, color=TRAIN_COLOR, linewidth=2, label=f"learning rate ({kind})")
        if probes:
            axes.plot(
                [p["step"] for p in probes],
                [p["learning_rate"] for p in probes],
                "o",
                color=VAL_COLOR,
                label="recorded by the probe after each epoch",
            )
        for epoch in range(1, epochs):
            axes.axvline(epoch * steps_per_epoch, color="#bbbbbb", linewidth=0.6, zorder=0)
        peak = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
        axes.set_ylim(bottom=0, top=max(peak, 1e-12) * 1.1)
        axes.set_xlabel(
            f"training step ({steps_per_epoch} steps per epoch, {epochs} epochs planned; grey lines: epoch ends)"
        )
        axes.set_ylabel("learning rate")
        axes.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
        data = {
            "schedule": kind,
            "optimizer": type(optimizer).__name__,
            "steps_per_epoch": steps_per_epoch,
            "epochs_planned": epochs,
            "steps": steps,
            "learning_rate": values,
            "probes": probes,
        }
        return figure, data
