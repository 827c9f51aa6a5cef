"""gradient_health: each (layer, probe) pair classified from its gradient and update ratio, by depth too.

A layer can vanish without any norm falling under an absolute floor: in a deep sigmoid stack the first
layers get gradients thousands of times smaller than the output layer's, all well above 1e-7. So a layer
(other than a normalization or embedding layer) is also vanishing when its update ratio is VANISHING_DEPTH_RATIO times
below the output layer's in the same probe (the output layer is the last one with weights; the loss
reaches it first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from healthtune.health import defaults as d
from healthtune.health.metrics import MetricResult, clip
from healthtune.health.probes import LayerGradient, ProbeSnapshot

DEPTH_EXEMPT_KINDS = ("BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
                      "Embedding")  # fmt: skip
"""Layers left out of the depth rule. A normalization layer's per-channel scale and shift move with the
batch statistics, not with the gradient flowing through the stack (the default CNN's batch norm sat
5-52x below its output layer); an embedding's gradient reaches only the rows of the words in the batch,
so its ratio over the whole table is small by construction (a one-layer bag of embeddings: 22-40x)."""


def classify_gradient(grad_norm: float, update_ratio: float) -> str:
    """ok, nan, vanishing, exploding, too_fast (update ratio) or too_slow, from absolute thresholds."""
    if not math.isfinite(grad_norm):
        return "nan"
    if grad_norm > d.EXPLODING_GRADIENT:
        return "exploding"
    if grad_norm < d.VANISHING_GRADIENT:
        return "vanishing"
    if update_ratio > d.UPDATE_RATIO_HIGH:
        return "too_fast"
    if update_ratio < d.UPDATE_RATIO_LOW:
        return "too_slow"
    return "ok"


def peak_rate(snapshots: Sequence[ProbeSnapshot]) -> float:
    """The largest learning rate any probe's update ratios used (ratio x |w| / |g|)."""
    rates = [
        g.update_ratio * g.weight_norm / g.grad_norm
        for s in snapshots
        for g in s.gradients
        if g.grad_norm > 0 and math.isfinite(g.update_ratio * g.weight_norm / g.grad_norm)
    ]
    return max(rates, default=0.0)


def probe_states(snapshot: ProbeSnapshot, peak_rate: float | None = None) -> dict[str, str]:
    """The state of every layer in one probe.

    With `peak_rate`, "too slow" is judged at the run's largest learning rate: a cosine schedule's last
    epochs take tiny steps on purpose, which is annealing, not a learning rate too low.
    """
    gradients = snapshot.gradients
    finite = [g.grad_norm for g in gradients if math.isfinite(g.grad_norm)]
    top = max(finite, default=0.0)
    output = _output_ratio(gradients)
    states = {}
    for g in gradients:
        state = classify_gradient(g.grad_norm, g.update_ratio)
        if state == "too_slow" and peak_rate and g.weight_norm > 0:
            state = classify_gradient(g.grad_norm, peak_rate * g.grad_norm / g.weight_norm)
        if state == "ok" and top > 0 and g.grad_norm * d.GRADIENT_SPREAD < top:
            state = "vanishing"
        below_output = output > 0 and g.update_ratio * d.VANISHING_DEPTH_RATIO < output
        if state in ("ok", "too_slow") and below_output and g.kind not in DEPTH_EXEMPT_KINDS:
            state = "vanishing"
        states[g.layer] = state
    return states


def _output_ratio(gradients: Sequence[LayerGradient]) -> float:
    last = gradients[-1] if gradients else None
    if last is None or not math.isfinite(last.update_ratio):
        return 0.0
    return last.update_ratio


def depth_fade(snapshot: ProbeSnapshot) -> float | None:
    """How many orders of magnitude the first layer's update ratio lies below the output layer's."""
    gradients = snapshot.gradients
    if len(gradients) < 2:
        return None
    first, last = gradients[0].update_ratio, gradients[-1].update_ratio
    if not (math.isfinite(first) and math.isfinite(last)) or first <= 0 or last <= 0:
        return None
    return math.log10(last / first)


def gradient_health(snapshots: Sequence[ProbeSnapshot]) -> MetricResult:
    """Share of (layer, probe) pairs with healthy gradients; halved when norms differ by > 1e4x across
    layers; 0 if any gradient is NaN."""
    pairs = [g for s in snapshots for g in s.gradients]
    if not pairs:
        return MetricResult(1.0, {"note": "no gradients probed"})
    peak = peak_rate(snapshots)
    layer_states: dict[str, dict[str, int]] = {}
    healthy = 0
    worst_spread = 1.0
    for snapshot in snapshots:
        positive = [g.grad_norm for g in snapshot.gradients if math.isfinite(g.grad_norm) and g.grad_norm > 0]
        if positive:
            worst_spread = max(worst_spread, max(positive) / min(positive))
        for layer, state in probe_states(snapshot, peak).items():
            layer_states.setdefault(layer, {}).setdefault(state, 0)
            layer_states[layer][state] += 1
            healthy += state == "ok"
    any_nan = any(states.get("nan") for states in layer_states.values())
    score = 0.0 if any_nan else healthy / len(pairs)
    if worst_spread > d.GRADIENT_SPREAD:
        score *= 0.5
    last = snapshots[-1]
    fades = [fade for s in snapshots if (fade := depth_fade(s)) is not None]
    return MetricResult(
        clip(score),
        {
            "healthy_share": healthy / len(pairs),
            "max_min_ratio": worst_spread,
            "depth_fade": max(fades, default=None),
            "peak_learning_rate": peak,
            "layer_states": layer_states,
            "last": {
                g.layer: {"grad_norm": g.grad_norm, "update_ratio": g.update_ratio} for g in last.gradients
            },
        },
    )
