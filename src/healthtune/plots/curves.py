"""One-vs-rest ROC and precision-recall curves with their areas, per class and macro-averaged."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.plots.base import LEGEND_MAX_ENTRIES, TrialPlot, cap_legend, short
from healthtune.plots.context import PlotContext

GRID_POINTS = 101
"""Curves are stored (and averaged) on a grid of this many false-positive-rate / recall values."""

THIN_ABOVE_CLASSES = LEGEND_MAX_ENTRIES
"""With more classes than this, per-class curves are drawn thin and grey; the macro average stands out."""


def one_vs_rest(probabilities: np.ndarray, y_true: np.ndarray, classes: int) -> dict[str, Any]:
    """Per class: ROC AUC and average precision, TPR on a FPR grid and precision on a recall grid."""
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    grid = np.linspace(0.0, 1.0, GRID_POINTS)
    per_class: list[dict[str, Any]] = []
    for index in range(classes):
        positives = y_true == index
        if not positives.any() or positives.all():  # a one-vs-rest curve needs both kinds of example
            per_class.append(
                {
                    "index": index,
                    "roc_auc": None,
                    "average_precision": None,
                    "tpr": None,
                    "precision": None,
                    "positives": int(positives.sum()),
                }
            )
            continue
        scores = probabilities[:, index]
        fpr, tpr, _ = roc_curve(positives, scores)
        precision, recall, _ = precision_recall_curve(positives, scores)
        # recall decreases along the arrays; interpolated precision at recall r = best precision at recall >= r
        best_precision = np.maximum.accumulate(precision)
        per_class.append(
            {
                "index": index,
                "roc_auc": float(auc(fpr, tpr)),
                "average_precision": float(average_precision_score(positives, scores)),
                "tpr": np.interp(grid, fpr, tpr),
                "precision": np.interp(grid, recall[::-1], best_precision[::-1]),
                "positives": int(positives.sum()),
            }
        )
    valid = [entry for entry in per_class if entry["tpr"] is not None]
    macro: dict[str, Any] = {"roc_auc": None, "average_precision": None, "tpr": None, "precision": None}
    if valid:
        macro = {
            "roc_auc": float(np.mean([entry["roc_auc"] for entry in valid])),
            "average_precision": float(np.mean([entry["average_precision"] for entry in valid])),
            "tpr": np.mean([entry["tpr"] for entry in valid], axis=0),
            "precision": np.mean([entry["precision"] for entry in valid], axis=0),
        }
    return {"grid": grid, "classes": per_class, "macro": macro}


class RocPrCurvesPlot(TrialPlot):
    name = "roc_pr_curves"
    title = "ROC and precision-recall curves (one class vs the rest, test set)"
    caption = (
        "A curve hugging the top-left (ROC) or top-right (PR) corner separates that class well; "
        "AUC 0.5 on ROC is guessing. PR is the honest view when a class is rare."
    )

    def applies_to(self, context: PlotContext) -> bool:
        y_test = np.asarray(context.dataset.y_test)
        return (
            len(y_test) > 0 and len(np.unique(y_test)) >= 2 and len(context.test_probabilities) == len(y_test)
        )

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        labels = list(context.dataset.class_names)
        result = one_vs_rest(context.test_probabilities, np.asarray(context.dataset.y_test), len(labels))
        grid, macro = result["grid"], result["macro"]
        many = len(labels) > THIN_ABOVE_CLASSES
        title = self.title
        if macro["roc_auc"] is not None:
            title = f"ROC and PR curves, one class vs the rest (macro AUC {macro['roc_auc']:.3f}, AP {macro['average_precision']:.3f})"

        figure = self.figure(title)
        roc, pr = figure.subplots(1, 2)
        if macro["tpr"] is not None:
            roc.plot(
                grid,
                macro["tpr"],
                color="black",
                linewidth=2.5,
                zorder=5,
                label=f"macro average ({macro['roc_auc']:.3f})",
            )
            pr.plot(
                grid,
                macro["precision"],
                color="black",
                linewidth=2.5,
                zorder=5,
                label=f"macro average ({macro['average_precision']:.3f})",
            )
        roc.plot([0, 1], [0, 1], ":", color="#777777", linewidth=1, label="chance (0.5)")
        for entry in result["classes"]:
            if entry["tpr"] is None:
                continue
            name = short(labels[entry["index"]], 12)
            style: dict[str, Any] = (
                {"linewidth": 0.6, "alpha": 0.5, "color": "#999999"} if many else {"linewidth": 1.2}
            )
            roc.plot(grid, entry["tpr"], label=None if many else f"{name} ({entry['roc_auc']:.2f})", **style)
            pr.plot(
                grid,
                entry["precision"],
                label=None if many else f"{name} ({entry['average_precision']:.2f})",
                **style,
            )
        roc.set_xlabel("false-positive rate")
        roc.set_ylabel("true-positive rate (recall)")
        roc.set_title("ROC (legend: AUC)", fontsize=9)
        pr.set_xlabel("recall")
        pr.set_ylabel("precision")
        pr.set_title("Precision-recall (legend: average precision)", fontsize=9)
        for axes in (roc, pr):
            axes.set_xlim(0, 1)
            axes.set_ylim(0, 1.02)
            axes.grid(alpha=0.3)
        cap_legend(roc, LEGEND_MAX_ENTRIES + 2, loc="lower right")
        cap_legend(pr, LEGEND_MAX_ENTRIES + 1, loc="lower left")
        classes = [
            {
                "label": labels[entry["index"]],
                **{key: value for key, value in entry.items() if key != "index"},
            }
            for entry in result["classes"]
        ]
        data = {"grid": grid, "classes": classes, "macro": macro}
        return figure, data
