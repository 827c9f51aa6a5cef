"""Test-set outcome plots: confusion matrix, per-class precision/recall/F1 and the calibration diagram."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from healthtune.plots.base import TRAIN_COLOR, VAL_COLOR, TrialPlot, short
from healthtune.plots.context import PlotContext

ANNOTATE_MAX_CLASSES = 12
"""Confusion-matrix cells are written out up to this many classes."""

TICK_MAX_CLASSES = 30
"""Class names on the axes up to this many classes (indexes beyond)."""

CALIBRATION_BINS = 10


def _has_test_set(context: PlotContext) -> bool:
    return len(context.dataset.y_test) > 0 and len(context.test_probabilities) == len(context.dataset.y_test)


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> np.ndarray:
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return counts


class ConfusionMatrixPlot(TrialPlot):
    name = "confusion_matrix"
    title = "Confusion matrix on the test set"
    caption = (
        "Rows: true class, columns: predicted class. A strong diagonal is good; a bright off-diagonal cell "
        "names two classes the model confuses."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return _has_test_set(context)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        labels = list(context.dataset.class_names)
        counts = confusion_counts(context.dataset.y_test, context.test_predictions, len(labels))
        rows = counts.sum(axis=1, keepdims=True)
        normalized = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        accuracy = float(np.trace(counts) / max(1, counts.sum()))

        figure = self.figure(
            f"Confusion matrix on the test set (accuracy {accuracy:.1%}, n = {int(counts.sum())})"
        )
        left, right = figure.subplots(1, 2)
        _matrix(figure, left, counts, labels, "counts", "d")
        _matrix(
            figure, right, normalized, labels, "share of each true class (rows sum to 1)", ".2f", vmax=1.0
        )
        data = {"labels": labels, "counts": counts, "normalized": normalized, "accuracy": accuracy}
        return figure, data


def _matrix(
    figure: Figure,
    axes: Axes,
    values: np.ndarray,
    labels: list[str],
    title: str,
    fmt: str,
    vmax: float | None = None,
) -> None:
    image = axes.imshow(values, cmap="Blues", vmin=0, vmax=vmax)
    figure.colorbar(image, ax=axes, shrink=0.8)
    count = len(labels)
    if count <= TICK_MAX_CLASSES:
        names = [short(label, 10) for label in labels]
        axes.set_xticks(range(count), names, rotation=90 if count > 6 else 0, fontsize=7 if count > 10 else 8)
        axes.set_yticks(range(count), names, fontsize=7 if count > 10 else 8)
    if count <= ANNOTATE_MAX_CLASSES:
        threshold = (vmax if vmax is not None else float(values.max()) or 1.0) / 2
        for row in range(count):
            for column in range(count):
                value = values[row, column]
                axes.text(
                    column,
                    row,
                    format(value, fmt),
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color="white" if value > threshold else "black",
                )
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    axes.set_title(title, fontsize=9)


class PerClassMetricsPlot(TrialPlot):
    name = "per_class_metrics"
    title = "Precision, recall and F1 per class (test set)"
    caption = (
        "Precision: of the examples predicted as a class, the share that is right; recall: of a class's "
        "examples, the share found. A low bar names the class to look at."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return _has_test_set(context)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        labels = list(context.dataset.class_names)
        counts = confusion_counts(context.dataset.y_test, context.test_predictions, len(labels))
        true_positives = np.diag(counts).astype(np.float64)
        predicted, support = counts.sum(axis=0), counts.sum(axis=1)
        precision = np.divide(true_positives, predicted, out=np.zeros(len(labels)), where=predicted > 0)
        recall = np.divide(true_positives, support, out=np.zeros(len(labels)), where=support > 0)
        both = precision + recall
        f1 = np.divide(2 * precision * recall, both, out=np.zeros(len(labels)), where=both > 0)
        present = support > 0
        macro = {
            "precision": float(precision[present].mean()) if present.any() else float("nan"),
            "recall": float(recall[present].mean()) if present.any() else float("nan"),
            "f1": float(f1[present].mean()) if present.any() else float("nan"),
        }

        figure = self.figure(f"Precision, recall and F1 per class (test set; macro F1 {macro['f1']:.3f})")
        axes = figure.subplots()
        x = np.arange(len(labels))
        width = 0.27
        for offset, values, name, color in (
            (-width, precision, "precision", TRAIN_COLOR),
            (0.0, recall, "recall", VAL_COLOR),
            (width, f1, "F1", "#2ca02c"),
        ):
            axes.bar(x + offset, values, width, label=name, color=color)
        axes.axhline(macro["f1"], color="#555555", linestyle="--", linewidth=1, label="macro F1")
        axes.set_ylim(0, 1.12)
        axes.set_ylabel("score")
        axes.set_xlabel("class (n = test examples)")
        if len(labels) <= TICK_MAX_CLASSES:
            names = [f"{short(label, 10)}\nn={int(n)}" for label, n in zip(labels, support, strict=True)]
            axes.set_xticks(
                x, names, fontsize=7 if len(labels) > 8 else 8, rotation=90 if len(labels) > 12 else 0
            )
        axes.grid(axis="y", alpha=0.3)
        axes.legend(fontsize=8, ncols=4, loc="upper center")
        classes = [
            {"label": label, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
            for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
        ]
        return figure, {"classes": classes, "macro": macro}


def calibration_bins(
    probabilities: np.ndarray, y_true: np.ndarray, bins: int = CALIBRATION_BINS
) -> dict[str, Any]:
    """Reliability diagram data: per confidence bin, mean confidence, accuracy and count; and the ECE."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y_true
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    sums = np.bincount(index, weights=confidence, minlength=bins)
    hits = np.bincount(index, weights=correct.astype(np.float64), minlength=bins)
    mean_confidence = np.divide(sums, counts, out=np.full(bins, np.nan), where=counts > 0)
    accuracy = np.divide(hits, counts, out=np.full(bins, np.nan), where=counts > 0)
    gaps = np.abs(np.nan_to_num(accuracy) - np.nan_to_num(mean_confidence))
    ece = float(np.sum(counts / max(1, len(y_true)) * gaps))
    return {"edges": edges, "confidence": mean_confidence, "accuracy": accuracy, "counts": counts, "ece": ece}


class CalibrationPlot(TrialPlot):
    name = "calibration"
    title = "Calibration (reliability diagram, test set)"
    caption = (
        "Bars below the diagonal: over-confident (right less often than it claims); above: under-confident. "
        "ECE = the gap between confidence and accuracy, averaged over examples."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return _has_test_set(context)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        result = calibration_bins(context.test_probabilities, np.asarray(context.dataset.y_test))
        edges, counts = result["edges"], result["counts"]
        centers = (edges[:-1] + edges[1:]) / 2
        width = edges[1] - edges[0]

        figure = self.figure(
            f"Calibration on the test set (ECE {result['ece']:.3f}, {CALIBRATION_BINS} bins)"
        )
        grid = figure.add_gridspec(2, 1, height_ratios=(3, 1))
        top = figure.add_subplot(grid[0])
        bottom = figure.add_subplot(grid[1], sharex=top)
        filled = counts > 0
        accuracy, confidence = result["accuracy"][filled], result["confidence"][filled]
        top.bar(centers[filled], accuracy, width * 0.95, color=TRAIN_COLOR, label="accuracy in the bin")
        top.bar(
            centers[filled],
            np.abs(accuracy - confidence),
            width * 0.95,
            bottom=np.minimum(accuracy, confidence),
            facecolor="none",
            edgecolor="#d62728",
            hatch="///",
            linewidth=0.8,
            label="gap to the bin's mean confidence",
        )
        top.plot([0, 1], [0, 1], "--", color="#555555", label="perfectly calibrated")
        top.set_ylim(0, 1)
        top.set_xlim(0, 1)
        top.set_ylabel("accuracy")
        top.legend(fontsize=8, loc="upper left")
        top.grid(alpha=0.3)
        bottom.bar(centers, counts, width * 0.95, color="#7f7f7f")
        for center, count in zip(centers, counts, strict=True):
            if count:
                bottom.text(center, count, str(int(count)), ha="center", va="bottom", fontsize=7)
        bottom.set_ylim(0, max(1, int(counts.max())) * 1.3)
        bottom.set_xlabel("confidence (highest predicted probability)")
        bottom.set_ylabel("examples")
        return figure, result
