"""Dormant, dead and saturated units per layer at the last probe, with the dormancy scores against tau."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.health.defaults import DORMANCY_TAU
from healthtune.health.metrics import neuron_utilization
from healthtune.plots.base import TrialPlot, short
from healthtune.plots.context import PlotContext

SCORE_FLOOR = 1e-4
"""Dormancy scores of exactly 0 (dead units) are drawn at this value on the log axis."""


class DormantUnitsPlot(TrialPlot):
    name = "dormant_units"
    title = "Dormant and dead units per layer (last probe)"
    caption = (
        f"A unit is dormant when its mean |activation| is at most tau = {DORMANCY_TAU} of its layer's "
        "average (s_i <= tau), dead when it outputs 0 for every probe example. Dormant units cost compute and do nothing. "
        "Purple: the share of a tanh or sigmoid layer's live outputs stuck at a bound (saturated), which pass no gradient."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return context.health is not None and any(s.activity for s in context.health.snapshots)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        assert context.health is not None
        snapshot = [s for s in context.health.snapshots if s.activity][-1]
        layers = snapshot.activity
        names = [short(a.layer, 16) for a in layers]
        dormant = np.array([a.dormant_share for a in layers])
        dead = np.array([a.dead / a.units if a.units else 0.0 for a in layers])
        total_units = sum(a.units for a in layers)
        total_dormant = sum(a.dormant for a in layers)
        # of the layer's units, the live ones' saturated outputs (counted by neuron_utilization like dormancy)
        saturated = np.array([a.saturated_share * (1 - a.dormant_share) for a in layers])
        utilization = neuron_utilization(snapshot).score if total_units else float("nan")

        figure = self.figure(
            f"Dormant units after epoch {snapshot.epoch}: {total_dormant} of {total_units} "
            f"(neuron utilization {utilization:.1%})"
        )
        shares, scores = figure.subplots(1, 2, width_ratios=(1, 1.3))
        y = np.arange(len(layers))
        shares.barh(y, dormant, color="#fdae6b", label="dormant (s_i <= tau)")
        shares.barh(y, dead, color="#d62728", label="dead (always 0)")
        if saturated.any():
            shares.barh(y, saturated, left=dormant, color="#9467bd", label="saturated outputs (tanh/sigmoid)")
        for row, activity in enumerate(layers):
            shares.text(
                min(dormant[row], 1.0) + 0.02,
                row,
                f"{activity.dormant}/{activity.units}",
                va="center",
                fontsize=7,
            )
        shares.set_yticks(y, names, fontsize=8)
        shares.invert_yaxis()
        shares.set_xlim(0, 1.2)
        shares.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        shares.set_xlabel("share of the layer's units")
        shares.set_title("Dormant / dead share (label: dormant/units)", fontsize=9)
        shares.legend(fontsize=7, loc="lower right")
        shares.grid(axis="x", alpha=0.3)

        all_scores: list[list[float]] = []
        rng = np.random.default_rng(0)  # jitter only, so the picture is the same every time
        for row, activity in enumerate(layers):
            values = np.asarray(activity.mean_abs, dtype=np.float64)
            mean = float(values.mean()) if values.size else 0.0
            score = values / mean if mean > 0 and np.isfinite(mean) else np.zeros_like(values)
            all_scores.append([float(v) for v in score])
            jitter = row + rng.uniform(-0.25, 0.25, size=score.size)
            below = score <= DORMANCY_TAU
            scores.scatter(
                np.maximum(score[~below], SCORE_FLOOR), jitter[~below], s=8, color="#3182bd", alpha=0.6
            )
            scores.scatter(
                np.maximum(score[below], SCORE_FLOOR), jitter[below], s=14, color="#d62728", marker="x"
            )
        scores.axvline(
            DORMANCY_TAU, color="#d62728", linestyle="--", linewidth=1.2, label=f"tau = {DORMANCY_TAU}"
        )
        scores.axvline(1.0, color="#555555", linestyle=":", linewidth=1, label="layer average (s = 1)")
        scores.set_xscale("log")
        scores.set_xlim(left=SCORE_FLOOR / 2)
        scores.set_yticks(y, names, fontsize=8)
        scores.set_ylim(len(layers) - 0.5, -0.5)
        scores.set_xlabel(f"s_i = E|h_i| / layer mean (log scale; 0 drawn at {SCORE_FLOOR:g})", fontsize=9)
        scores.set_title("Every unit's score; red x = dormant", fontsize=9)
        scores.legend(fontsize=7, loc="best")
        scores.grid(axis="x", alpha=0.3)
        data = {
            "epoch": snapshot.epoch,
            "tau": DORMANCY_TAU,
            "neuron_utilization": utilization,
            "layers": [
                {
                    "layer": a.layer,
                    "kind": a.kind,
                    "units": a.units,
                    "dormant": a.dormant,
                    "dead": a.dead,
                    "dormant_share": float(ds),
                    "dead_share": float(dd),
                    "saturated_share": a.saturated_share,
                    "scores": s,
                }
                for a, ds, dd, s in zip(layers, dormant, dead, all_scores, strict=True)
            ],
        }
        return figure, data
