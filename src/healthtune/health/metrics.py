"""The six health metrics, each in [0, 1] (1 = healthy), with the raw diagnostics behind every score.

Formulas are documented in docs/health.md; thresholds live in health/defaults.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from healthtune.health import defaults as d
from healthtune.health.probes import ProbeSnapshot

METRIC_NAMES = (
    "neuron_utilization",
    "parameter_efficiency",
    "training_stability",
    "gradient_health",
    "convergence_quality",
    "accuracy_consistency",
)

# What each metric measures, in one sentence: the API serves these to the UI next to the sliders.
METRIC_DESCRIPTIONS = {
    "neuron_utilization": "Share of units that are not dormant (activity above 2.5% of their layer's "
    "average). Low: part of the network does nothing; lower the learning rate or add batch norm.",
    "parameter_efficiency": "Accuracy gained over chance per order of magnitude of parameters above "
    "10,000. Low: the model is big for what it achieves; use fewer or narrower layers.",
    "training_stability": "How smoothly the per-batch training loss falls (few spikes, little jitter); "
    "0 when it became NaN or ended over twice where it started. Low: the optimizer overshoots; lower "
    "the learning rate or use a larger batch.",
    "gradient_health": "Share of layers whose gradients are neither vanishing, exploding nor giving "
    "updates far too large or small. Low: some layers stop learning or get thrown around.",
    "convergence_quality": "How far the validation loss fell from chance, how often it improved, and "
    "how small the gap between training and validation accuracy stayed.",
    "accuracy_consistency": "How stable the accuracy is across five folds of the validation split. "
    "Low: the accuracy depends on which examples the model sees.",
}


@dataclass
class MetricResult:
    score: float
    details: dict[str, Any] = field(default_factory=dict)


def _clip(value: float) -> float:
    return float(min(1.0, max(0.0, value))) if math.isfinite(value) else 0.0


def neuron_utilization(snapshot: ProbeSnapshot | None) -> MetricResult:
    """1 - dormant units / all units, over every probed layer at the last probe."""
    if snapshot is None or not snapshot.activity:
        return MetricResult(1.0, {"layers": {}, "note": "no probed layers"})
    units = sum(a.units for a in snapshot.activity)
    dormant = sum(a.dormant for a in snapshot.activity)
    layers = {
        a.layer: {"units": a.units, "dormant": a.dormant, "dead": a.dead, "dormant_share": a.dormant_share}
        for a in snapshot.activity
    }
    return MetricResult(_clip(1 - dormant / units), {"units": units, "dormant": dormant, "layers": layers})


def parameter_efficiency(accuracy: float, num_classes: int, params: int) -> MetricResult:
    """gain / (1 + max(0, log10(params / 1e4))), gain = accuracy above chance, scaled to [0, 1]."""
    chance = 1.0 / num_classes
    gain = max(0.0, (accuracy - chance) / (1 - chance))
    size_penalty = 1 + max(0.0, math.log10(max(params, 1) / d.EFFICIENCY_REFERENCE_PARAMS))
    return MetricResult(
        _clip(gain / size_penalty),
        {
            "accuracy": accuracy,
            "chance": chance,
            "gain": gain,
            "params": params,
            "size_penalty": size_penalty,
        },
    )


def training_stability(batch_losses: Sequence[float]) -> MetricResult:
    """exp(-spread / 0.5) * max(0, 1 - 2 * spike share); 0 if any batch loss is NaN or infinite,
    or if training diverged.

    With floor = 0.1 x the median loss of the first batches (the scale of the problem):
    spread = std of z_t - MA(z)_t, z_t = log(L_t + floor), MA over the last 10 batches;
    a spike is a batch with L_t > 2 x median(previous 10) and L_t > median + floor;
    diverged: the median of the last 10 losses is over 2 x (L_0 + floor).
    The floor keeps the normal batch-to-batch noise of tiny, well-trained losses (0.01 vs 0.03)
    from looking like instability.
    """
    losses = np.asarray(batch_losses, dtype=np.float64)
    if losses.size == 0:
        return MetricResult(1.0, {"batches": 0})
    if not np.all(np.isfinite(losses)):
        return MetricResult(
            0.0, {"batches": int(losses.size), "non_finite": int(np.sum(~np.isfinite(losses)))}
        )
    window = min(d.STABILITY_WINDOW, max(1, losses.size))
    floor = max(1e-8, d.STABILITY_FLOOR * float(np.median(np.maximum(losses[:window], 0.0))))
    logs = np.log(np.maximum(losses, 0.0) + floor)
    padded = np.concatenate([np.full(window - 1, logs[0]), logs])
    moving_average = np.convolve(padded, np.ones(window) / window, mode="valid")
    spread = float(np.std(logs - moving_average))
    spikes = 0
    for index in range(window, losses.size):
        median = float(np.median(losses[index - window : index]))
        if losses[index] > d.SPIKE_FACTOR * median and losses[index] > median + floor:
            spikes += 1
    spike_share = spikes / max(1, losses.size - window)
    start_loss, end_loss = float(losses[0]), float(np.median(losses[-window:]))
    diverged = bool(losses.size > window and end_loss > d.DIVERGENCE_FACTOR * (start_loss + floor))
    score = math.exp(-spread / d.STABILITY_SPREAD_SCALE) * max(0.0, 1 - 2 * spike_share)
    return MetricResult(
        0.0 if diverged else _clip(score),
        {
            "batches": int(losses.size),
            "floor": floor,
            "log_loss_spread": spread,
            "spikes": spikes,
            "spike_share": spike_share,
            "start_loss": start_loss,
            "end_loss": end_loss,
            "diverged": diverged,
        },
    )


def classify_gradient(grad_norm: float, update_ratio: float) -> str:
    """ok, nan, vanishing, exploding, too_fast (update ratio) or too_slow."""
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


def gradient_health(snapshots: Sequence[ProbeSnapshot]) -> MetricResult:
    """Share of (layer, probe) pairs with healthy gradients; halved when layers differ by > 1e4x.

    A layer is also counted as vanishing when its gradient is > 1e4x smaller than the largest one.
    Any NaN gradient makes the metric 0.
    """
    pairs = [(s.epoch, g) for s in snapshots for g in s.gradients]
    if not pairs:
        return MetricResult(1.0, {"note": "no gradients probed"})
    layer_states: dict[str, dict[str, int]] = {}
    healthy = 0
    worst_spread = 1.0
    for snapshot in snapshots:
        norms = [g.grad_norm for g in snapshot.gradients if math.isfinite(g.grad_norm)]
        top = max(norms, default=0.0)
        positive = [n for n in norms if n > 0]
        if positive:
            worst_spread = max(worst_spread, max(positive) / min(positive))
        for g in snapshot.gradients:
            state = classify_gradient(g.grad_norm, g.update_ratio)
            if state == "ok" and top > 0 and g.grad_norm * d.GRADIENT_SPREAD < top:
                state = "vanishing"
            layer_states.setdefault(g.layer, {}).setdefault(state, 0)
            layer_states[g.layer][state] += 1
            healthy += state == "ok"
    any_nan = any(states.get("nan") for states in layer_states.values())
    score = 0.0 if any_nan else healthy / len(pairs)
    if worst_spread > d.GRADIENT_SPREAD:
        score *= 0.5
    last = snapshots[-1]
    return MetricResult(
        _clip(score),
        {
            "healthy_share": healthy / len(pairs),
            "max_min_ratio": worst_spread,
            "layer_states": layer_states,
            "last": {
                g.layer: {"grad_norm": g.grad_norm, "update_ratio": g.update_ratio} for g in last.gradients
            },
        },
    )


def convergence_quality(history: dict[str, list[float]], num_classes: int) -> MetricResult:
    """Mean of: loss improvement (L0 - Lend) / L0 with L0 = ln(classes), share of epochs that set a
    new best validation loss, and 1 - overfitting penalty (train - val accuracy above 0.05)."""
    val_loss = [v for v in history.get("val_loss", []) if math.isfinite(v)]
    if not val_loss:
        return MetricResult(0.0, {"note": "no finite validation loss"})
    start = math.log(num_classes)  # the loss of a classifier that knows nothing
    improvement = _clip((start - val_loss[-1]) / start)
    best = start
    improved = 0
    for value in val_loss:
        if value < best:
            improved += 1
            best = value
    improved_share = improved / len(val_loss)
    gap = overfitting_gap(history)
    penalty = _clip((gap - d.OVERFITTING_GAP) / (d.OVERFITTING_GAP_FULL_PENALTY - d.OVERFITTING_GAP))
    score = (improvement + improved_share + (1 - penalty)) / 3
    return MetricResult(
        _clip(score),
        {
            "initial_loss": start,
            "final_val_loss": val_loss[-1],
            "best_val_loss": min(val_loss),
            "best_epoch": int(np.argmin(val_loss)) + 1,
            "improvement": improvement,
            "improved_share": improved_share,
            "train_val_gap": gap,
            "overfitting_penalty": penalty,
        },
    )


def overfitting_gap(history: dict[str, list[float]]) -> float:
    """Last-epoch train accuracy minus validation accuracy (positive = overfitting)."""
    train, val = history.get("accuracy", []), history.get("val_accuracy", [])
    return float(train[-1] - val[-1]) if train and val else 0.0


def accuracy_consistency(y_true: np.ndarray, y_pred: np.ndarray, seed: int) -> MetricResult:
    """1 - min(1, std / 0.05) of the accuracies on 5 stratified folds of the validation split."""
    from sklearn.model_selection import KFold, StratifiedKFold

    folds = min(d.CONSISTENCY_FOLDS, len(y_true))
    if folds < 2:
        return MetricResult(1.0, {"note": "too few validation examples"})
    counts = np.bincount(y_true)
    splitter: Any = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if counts[counts > 0].min() >= folds
        else KFold(folds, shuffle=True, random_state=seed)
    )
    accuracies = [float(np.mean(y_pred[idx] == y_true[idx])) for _, idx in splitter.split(y_true, y_true)]
    std = float(np.std(accuracies))
    return MetricResult(
        _clip(1 - min(1.0, std / d.CONSISTENCY_STD_SCALE)), {"fold_accuracies": accuracies, "std": std}
    )
