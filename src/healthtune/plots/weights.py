"""Histograms of the trained weights per layer: kernels (incl. recurrent and embeddings) and biases."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.plots.base import TrialPlot, message, short
from healthtune.plots.context import PlotContext

KERNEL_NAMES = ("kernel", "recurrent_kernel", "depthwise_kernel", "pointwise_kernel", "embeddings")
BIAS_NAMES = ("bias", "beta")  # batch normalization's beta is the bias of a conv without one
MAX_PANELS = 12
"""Layers shown at most (the first ones, input to output); the JSON lists every layer."""
BINS = 40


def weight_groups(model: Any, names: tuple[str, ...]) -> list[tuple[str, dict[str, np.ndarray]]]:
    """Per layer (in model order), the flattened values of each weight kind in `names`.

    A Bidirectional layer's forward and backward weights of one kind are pooled.
    """
    import keras

    groups: list[tuple[str, dict[str, np.ndarray]]] = []
    for layer in getattr(model, "layers", []):
        kinds: dict[str, list[np.ndarray]] = {}
        for weight in layer.weights:
            if weight.name in names:
                values = np.asarray(keras.ops.convert_to_numpy(weight), dtype=np.float64).reshape(-1)
                kinds.setdefault(weight.name, []).append(values)
        if kinds:
            groups.append((layer.name, {kind: np.concatenate(parts) for kind, parts in kinds.items()}))
    return groups


def summarize(values: np.ndarray, bins: int = BINS) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return {
            "count": int(values.size),
            "mean": None,
            "std": None,
            "min": None,
            "max": None,
            "zero_share": None,
            "edges": [],
            "counts": [],
        }
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return {
        "count": int(values.size),
        "mean": float(finite.mean()),
        "std": float(finite.std()),
        "min": float(finite.min()),
        "max": float(finite.max()),
        "zero_share": float(np.mean(finite == 0)),
        "edges": edges,
        "counts": counts,
    }


class _DistributionPlot(TrialPlot):
    names: tuple[str, ...] = ()
    what = ""

    def applies_to(self, context: PlotContext) -> bool:
        return bool(weight_groups(context.model, self.names))

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        groups = weight_groups(context.model, self.names)
        shown = groups[:MAX_PANELS]
        title = (
            self.title
            if len(groups) <= MAX_PANELS
            else f"{self.title} (first {MAX_PANELS} of {len(groups)} layers)"
        )
        figure = self.figure(title)
        columns = min(4, len(shown)) if len(shown) != 4 else 2
        rows = math.ceil(len(shown) / columns)
        panels = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).reshape(-1)
        layers: list[dict[str, Any]] = []
        for index, (layer, kinds) in enumerate(groups):
            stats = {kind: summarize(values) for kind, values in kinds.items()}
            layers.append({"layer": layer, "weights": stats})
            if index >= len(shown):
                continue
            axes = panels[index]
            for color, (kind, values) in enumerate(kinds.items()):
                finite = values[np.isfinite(values)]
                if finite.size:
                    axes.hist(
                        finite,
                        bins=BINS,
                        color=f"C{color}",
                        alpha=0.6 if len(kinds) > 1 else 0.85,
                        label=f"{kind} (std={stats[kind]['std']:.2g})",
                    )
                else:
                    message(axes, "no finite values")
            count = sum(v.size for v in kinds.values())
            axes.set_title(f"{short(layer, 18)} ({count:,} values)", fontsize=8)
            axes.tick_params(labelsize=7)
            axes.legend(fontsize=6, loc="upper right")
            if index % columns == 0:
                axes.set_ylabel("count", fontsize=8)
            if index >= len(shown) - columns:
                axes.set_xlabel(self.what, fontsize=8)
        for axes in panels[len(shown) :]:
            axes.set_visible(False)
        return figure, {"kinds": list(self.names), "layers": layers}


class WeightDistributionsPlot(_DistributionPlot):
    name = "weight_distributions"
    title = "Kernel weight distributions per layer"
    caption = (
        "Healthy trained weights look like a smooth bell around 0. A spike at 0, a very wide spread or "
        "heavy tails point to dead units, a too-high learning rate or missing regularization."
    )
    names = KERNEL_NAMES
    what = "weight value"


class BiasDistributionsPlot(_DistributionPlot):
    name = "bias_distributions"
    title = "Bias distributions per layer"
    caption = (
        "Biases start at 0 and drift as the model learns. Strongly negative biases before a ReLU switch "
        "units off for good (dying ReLU); beta is batch normalization's learned shift."
    )
    names = BIAS_NAMES
    what = "bias value"
