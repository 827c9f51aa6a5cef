"""Gradient plots from the health probes: per-layer gradient flow and norms / update ratios over epochs."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.health import defaults as d
from healthtune.plots.base import TrialPlot, cap_legend, positive, short
from healthtune.plots.context import PlotContext

HEALTHY_UPDATE_BAND = (1e-5, 1e-1)
"""Update ratios lr * |g| / |w| in this band are shaded as healthy (CS231n's rule of thumb: about 1e-3)."""

UPDATE_RATIO_TARGET = 1e-3


def _has_gradients(context: PlotContext) -> bool:
    return context.health is not None and any(s.gradients for s in context.health.snapshots)


def _trainable_counts(model: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for layer in getattr(model, "layers", []):
        total = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        if total:
            counts[layer.name] = total
    return counts


class GradientFlowPlot(TrialPlot):
    name = "gradient_flow"
    title = "Gradient flow per layer (last probe)"
    caption = (
        "Gradients should reach every layer: bars shrinking towards the input mean vanishing gradients, "
        "towering bars exploding ones. Dashed lines: the vanishing (1e-7) and exploding (1e3) limits."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return _has_gradients(context)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        assert context.health is not None
        snapshot = [s for s in context.health.snapshots if s.gradients][-1]
        sizes = _trainable_counts(context.model)
        layers = [g.layer for g in snapshot.gradients]
        norms = np.array([g.grad_norm for g in snapshot.gradients], dtype=np.float64)
        maxima = np.array([g.grad_max for g in snapshot.gradients], dtype=np.float64)
        counts = [sizes.get(layer) for layer in layers]
        # Root mean square |g| = L2 norm / sqrt(number of weights): the typical size of one gradient entry.
        rms = np.array([n / np.sqrt(c) if c else np.nan for n, c in zip(norms, counts, strict=True)])

        figure = self.figure(f"Gradient flow per layer (probe after epoch {snapshot.epoch}, input -> output)")
        axes = figure.subplots()
        x = np.arange(len(layers))
        axes.bar(x, positive(maxima), 0.8, color="#9ecae1", label="max |gradient| (largest single entry)")
        axes.bar(x, positive(rms), 0.5, color="#08519c", label="RMS |gradient| (typical entry)")
        axes.plot(
            x, positive(norms), "D", color="#ff7f0e", markersize=6, label="L2 norm of the layer's gradient"
        )
        axes.axhline(
            d.VANISHING_GRADIENT,
            color="#d62728",
            linestyle="--",
            linewidth=1,
            label="vanishing (norm < 1e-7)",
        )
        axes.axhline(
            d.EXPLODING_GRADIENT, color="#8c2d04", linestyle="--", linewidth=1, label="exploding (norm > 1e3)"
        )
        bad = [i for i, value in enumerate(norms) if not np.isfinite(value)]
        for index in bad:
            axes.text(
                index,
                d.EXPLODING_GRADIENT,
                "NaN",
                ha="center",
                va="bottom",
                color="#d62728",
                fontweight="bold",
            )
        axes.set_yscale("log")
        axes.set_xticks(
            x,
            [short(layer, 12) for layer in layers],
            rotation=45 if len(layers) > 5 else 0,
            ha="right" if len(layers) > 5 else "center",
            fontsize=8,
        )
        axes.set_xlabel("layer (with trainable weights)")
        axes.set_ylabel("|gradient| (log scale)")
        axes.grid(axis="y", alpha=0.3)
        cap_legend(axes, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        data = {
            "epoch": snapshot.epoch,
            "layers": [
                {
                    "layer": layer,
                    "grad_norm": float(n),
                    "grad_rms": float(r),
                    "grad_max": float(m),
                    "trainable_weights": c,
                }
                for layer, n, r, m, c in zip(layers, norms, rms, maxima, counts, strict=True)
            ],
            "vanishing_threshold": d.VANISHING_GRADIENT,
            "exploding_threshold": d.EXPLODING_GRADIENT,
        }
        return figure, data


class GradientNormsPlot(TrialPlot):
    name = "gradient_norms"
    title = "Gradient norms and update ratios per layer over training"
    caption = (
        "Update ratio = lr x |g| / |w|: the share of a layer's weights rewritten per step. Green band: "
        "healthy (1e-5 to 1e-1, about 1e-3 is ideal); above it the layer is thrown around, below it barely learns."
    )

    def applies_to(self, context: PlotContext) -> bool:
        return _has_gradients(context)

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        assert context.health is not None
        snapshots = [s for s in context.health.snapshots if s.gradients]
        epochs = [s.epoch for s in snapshots]
        layers: list[str] = []
        for snapshot in snapshots:
            layers += [g.layer for g in snapshot.gradients if g.layer not in layers]
        series: dict[str, dict[str, list[float]]] = {}
        for layer in layers:
            by_epoch = [{g.layer: g for g in s.gradients}.get(layer) for s in snapshots]
            series[layer] = {
                "grad_norm": [g.grad_norm if g else float("nan") for g in by_epoch],
                "update_ratio": [g.update_ratio if g else float("nan") for g in by_epoch],
            }

        figure = self.figure()
        norm_axes, ratio_axes = figure.subplots(1, 2, sharex=True)
        colors = [f"C{i % 10}" for i in range(len(layers))]
        for layer, color in zip(layers, colors, strict=True):
            values = series[layer]
            norm_axes.plot(
                epochs, positive(values["grad_norm"]), "o-", color=color, markersize=4, label=short(layer, 16)
            )
            ratio_axes.plot(epochs, positive(values["update_ratio"]), "o-", color=color, markersize=4)
        ratio_axes.axhspan(*HEALTHY_UPDATE_BAND, color="#2ca02c", alpha=0.12, label="healthy band")
        ratio_axes.axhline(
            UPDATE_RATIO_TARGET, color="#2ca02c", linestyle="--", linewidth=1, label="1e-3 (ideal)"
        )
        for axes, label, title in (
            (norm_axes, "gradient L2 norm |g|", "Gradient norm per layer"),
            (ratio_axes, "update ratio lr·|g|/|w|", "Update ratio per layer"),
        ):
            axes.set_yscale("log")
            axes.set_xlabel("epoch (probe)")
            axes.set_ylabel(label)
            axes.set_title(title, fontsize=9)
            axes.grid(alpha=0.3)
            axes.set_xticks(epochs if len(epochs) <= 15 else epochs[:: max(1, len(epochs) // 10)])
        if len(epochs) == 1:
            norm_axes.set_xlim(epochs[0] - 1, epochs[0] + 1)
        cap_legend(norm_axes, loc="best")
        ratio_axes.legend(fontsize=7, loc="best")
        data = {
            "epochs": epochs,
            "layers": series,
            "healthy_update_band": list(HEALTHY_UPDATE_BAND),
            "update_ratio_target": UPDATE_RATIO_TARGET,
        }
        return figure, data
