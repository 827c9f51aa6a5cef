"""Health radar: the health metrics on one polar chart, with the weighted health and total score."""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from matplotlib.figure import Figure
from matplotlib.projections.polar import PolarAxes

from healthtune.health.metrics import METRIC_NAMES
from healthtune.plots.base import TrialPlot
from healthtune.plots.context import PlotContext


def scored_accuracy(context: PlotContext) -> tuple[float, str]:
    """The accuracy the score uses: the last epoch's validation accuracy, else the test accuracy."""
    val = context.history.get("val_accuracy") or []
    if val and math.isfinite(float(val[-1])):
        return float(val[-1]), "validation accuracy (last epoch)"
    y_test = np.asarray(context.dataset.y_test)
    if len(y_test):
        return float(np.mean(context.test_predictions == y_test)), "test accuracy"
    return float("nan"), "none"


class HealthRadarPlot(TrialPlot):
    name = "health_radar"
    title = "Health radar"
    caption = (
        "Each spoke is one health metric in [0, 1] (outer ring = healthy). A dent names what to fix; "
        "the weights (in brackets) say how much each counts in the health score."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return context.health is not None and all(name in context.health.metrics for name in METRIC_NAMES)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        assert context.health is not None
        metrics = {name: float(context.health.metrics[name]) for name in METRIC_NAMES}
        proportions = {
            name: float(context.weights.health_component_proportions[name]) for name in METRIC_NAMES
        }
        health = context.weights.health(metrics, context.health.gate)
        accuracy, source = scored_accuracy(context)
        total = context.weights.total(accuracy, metrics, context.health.gate)
        title = (
            f"Health {health:.3f}, total score {total:.3f} = {context.weights.accuracy_weight:.2f} x accuracy "
            f"{accuracy:.3f} + {context.weights.health_overall_weight:.2f} x health"
        )
        figure = self.figure(title)
        axes = cast(PolarAxes, figure.add_subplot(projection="polar"))
        axes.set_theta_offset(np.pi / 2)  # first metric at the top, then clockwise
        axes.set_theta_direction(-1)
        angles = np.linspace(0, 2 * np.pi, len(METRIC_NAMES), endpoint=False)
        values = np.array([metrics[name] if math.isfinite(metrics[name]) else 0.0 for name in METRIC_NAMES])
        closed_angles = np.append(angles, angles[0])
        axes.plot(closed_angles, np.append(values, values[0]), "o-", color="#2ca02c", linewidth=2)
        axes.fill(closed_angles, np.append(values, values[0]), color="#2ca02c", alpha=0.25)
        axes.plot(closed_angles, np.full(len(closed_angles), 0.5), ":", color="#d62728", linewidth=1)
        axes.set_ylim(0, 1)
        axes.set_yticks([0.25, 0.5, 0.75, 1.0], ["0.25", "0.5", "0.75", "1"], fontsize=7, color="#666666")
        axes.set_xticks(angles, [])
        for angle, name in zip(angles, METRIC_NAMES, strict=True):
            x = np.cos(angle)
            align = "center" if abs(x) < 0.2 else ("left" if x > 0 else "right")
            axes.text(
                angle,
                1.14,
                f"{name.replace('_', ' ')}\n{metrics[name]:.2f}  [weight {proportions[name]:.0%}]",
                ha=align,
                va="center",
                fontsize=8,
            )
        axes.set_title(f"accuracy = {source}", fontsize=8, color="#555555", pad=28)
        data = {
            "metrics": metrics,
            "proportions": proportions,
            "health": health,
            "accuracy": accuracy,
            "accuracy_source": source,
            "total": total,
            "accuracy_weight": context.weights.accuracy_weight,
            "health_overall_weight": context.weights.health_overall_weight,
        }
        return figure, data
