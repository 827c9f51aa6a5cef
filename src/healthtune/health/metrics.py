"""The health metrics, each in [0, 1] (1 = healthy), with the raw diagnostics behind every score; the six
about training are computed here, calibration and robustness in health.outcome_metrics.

Formulas are documented in docs/health.md; thresholds live in health/defaults.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from healthtune.health import defaults as d
from healthtune.health.learning import learning_gain
from healthtune.health.probes import ProbeSnapshot

METRIC_NAMES = (
    "neuron_utilization",
    "parameter_efficiency",
    "training_stability",
    "gradient_health",
    "convergence_quality",
    "accuracy_consistency",
    "calibration",
    "robustness",
)
OUTCOME_METRICS = ("calibration", "robustness")
"""Measured on the trained model's validation predictions, not on its training: a trial stored before they
existed (health.json version 2 or older) cannot have them recomputed and scores 1 on both (not measured)."""


@dataclass
class MetricResult:
    """One metric's score in [0, 1] with the raw diagnostics behind it."""

    score: float
    details: dict[str, Any] = field(default_factory=dict)


def clip(value: float) -> float:
    """value clipped to [0, 1]; NaN or infinite -> 0."""
    return float(min(1.0, max(0.0, value))) if math.isfinite(value) else 0.0


# What each metric measures, in one sentence: the API serves these to the UI next to the sliders.
METRIC_DESCRIPTIONS = {
    "neuron_utilization": "Share of units that are not dormant (activity above 2.5% of their layer's "
    "average) nor saturated (a tanh or sigmoid output at its bound passes no gradient). Low: part of the "
    "network does nothing; lower the learning rate, add batch norm, or check the initialization.",
    "parameter_efficiency": "Accuracy gained over chance per order of magnitude of parameters above "
    "10,000. Low: the model is big for what it achieves; use fewer or narrower layers.",
    "training_stability": "How smoothly the per-batch training loss falls (few spikes, little jitter); "
    "0 when it became NaN or ended over twice where it started, and low when it stalled (did not fall "
    "20%). Low: the optimizer overshoots or barely moves; tune the learning rate. A diagnostic: by default "
    "it adds no weight to health (smooth curves did not predict better models).",
    "gradient_health": "Share of layers whose gradients are neither vanishing (also: 100x smaller updates "
    "than the output layer's), exploding nor giving updates far too large or small. Low: some layers stop "
    "learning or get thrown around.",
    "convergence_quality": "How far the validation loss fell below guessing, how often it improved by at "
    "least 1%, and how well the model generalizes (train vs validation accuracy, a rising validation loss).",
    "accuracy_consistency": "Whether the accuracy differs across five folds of the validation split by more "
    "than sampling noise explains. Low: the accuracy depends on which examples the model sees.",
    "calibration": "Whether the model's confidence matches how often it is right on validation (1 minus the "
    "expected calibration error / 0.25; being less sure than it is right counts 0.4 as much as being surer). "
    "Low: its probabilities cannot be trusted; overconfident: train fewer epochs, add label smoothing or "
    "dropout; underconfident: more epochs or less regularization.",
    "robustness": "Share of what the model learned above chance that it keeps on corrupted validation inputs "
    "(noise, blur, low contrast, shifts, rotations; dropped or swapped words for text). Low: small changes "
    "to the input break it; add data augmentation, dropout or batch norm.",
}


def neuron_utilization(snapshot: ProbeSnapshot | None) -> MetricResult:
    """1 - (dormant units + saturated outputs of the others, in units) / all units, at the last probe.

    A saturated output (a tanh or sigmoid next to its bound) passes almost no gradient, so a layer whose
    live units are saturated for 60% of their inputs counts 60% of them as unused.
    """
    if snapshot is None or not snapshot.activity:
        return MetricResult(1.0, {"layers": {}, "note": "no probed layers"})
    units = sum(a.units for a in snapshot.activity)
    dormant = sum(a.dormant for a in snapshot.activity)
    saturated = sum(a.saturated_share * (a.units - a.dormant) for a in snapshot.activity)
    layers = {
        a.layer: {"units": a.units, "dormant": a.dormant, "dead": a.dead, "dormant_share": a.dormant_share,
                  "saturated_share": a.saturated_share,
                  "non_finite": sum(not math.isfinite(v) for v in a.mean_abs)}
        for a in snapshot.activity
    }  # fmt: skip
    return MetricResult(
        clip(1 - (dormant + saturated) / units),
        {"units": units, "dormant": dormant, "saturated_units": saturated, "layers": layers},
    )


def parameter_efficiency(
    accuracy: float, num_classes: int, params: int, chance: float | None = None
) -> MetricResult:
    """gain / (1 + max(0, log10(params / 1e4))), gain = accuracy above chance, scaled to [0, 1].

    chance is the best constant guess (health.learning.chance_level); 1 / classes when not given.
    """
    chance = 1.0 / num_classes if chance is None else chance
    gain = learning_gain(accuracy, chance)
    size_penalty = 1 + max(0.0, math.log10(max(params, 1) / d.EFFICIENCY_REFERENCE_PARAMS))
    return MetricResult(
        clip(gain / size_penalty),
        {
            "accuracy": accuracy,
            "chance": chance,
            "gain": gain,
            "params": params,
            "size_penalty": size_penalty,
        },
    )


def training_stability(batch_losses: Sequence[float], chance_loss: float | None = None) -> MetricResult:
    """exp(-spread / 0.5) * max(0, 1 - 2 * spike share) * progress; 0 if any batch loss is NaN or
    infinite, or if training diverged.

    With floor = 0.1 x the median loss of the first batches (the scale of the problem):
    spread = std of z_t - MA(z)_t, z_t = log(L_t + floor), MA over the last 10 batches;
    a spike is a batch with L_t > 2 x median(previous 10) and L_t > median + floor;
    diverged: the median of the last 10 losses is over 2 x (L_0 + floor).
    The floor keeps the normal batch-to-batch noise of tiny, well-trained losses (0.01 vs 0.03)
    from looking like instability.
    progress = min(1, drop / 0.2), drop = 1 - median(last k) / min(median(first k), chance_loss), k = 10 or a
    third of the batches if fewer (not judged below 3 batches): a loss
    that does not fall is stalled, not stable, and one that falls only to `chance_loss` (the entropy of the
    labels, learning.chance_loss) has learned the class shares, nothing about the inputs.
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
    # the first and last batches compared, a third of them at most: with fewer than 3 x window batches
    # (a few epochs on a few hundred examples) two windows of 10 overlap and read any loss as stalled
    ends = max(1, min(window, losses.size // 3))
    start_loss, end_loss = float(losses[0]), float(np.median(losses[-ends:]))
    diverged = bool(losses.size > window and end_loss > d.DIVERGENCE_FACTOR * (start_loss + floor))
    first = float(np.median(losses[:ends]))
    reference = min(first, chance_loss) if chance_loss else first
    drop = 1 - end_loss / reference if reference > 0 else 0.0
    judged = losses.size >= 3  # one or two batches have no start and end to compare
    progress = clip(drop / d.STALL_DROP) if judged else 1.0
    score = math.exp(-spread / d.STABILITY_SPREAD_SCALE) * max(0.0, 1 - 2 * spike_share) * progress
    return MetricResult(
        0.0 if diverged else clip(score),
        {
            "batches": int(losses.size),
            "floor": floor,
            "log_loss_spread": spread,
            "spikes": spikes,
            "spike_share": spike_share,
            "start_loss": start_loss,
            "end_loss": end_loss,
            "diverged": diverged,
            "start_median": first,
            "reference_loss": reference,
            "loss_drop": drop,
            "compared_batches": ends,
            "stalled": progress < 1,
        },
    )


def convergence_quality(
    history: dict[str, list[float]],
    num_classes: int,
    train_accuracy: float | None = None,
    chance_loss: float | None = None,
    after_best_val_loss: Sequence[float] = (),
) -> MetricResult:
    """(improvement + improved share + credit x generalization) / 3.

    improvement = clip((L0 - L_end) / L0), L0 = `chance_loss` (the labels' entropy; ln(classes) when not
    given), L_end = the last validation loss;
    improved share = epochs whose validation loss beat the best so far by >= 1%;
    generalization = 1 - the largest of three penalties: overfitting (train - val accuracy above 0.05),
    underfitting (train accuracy over 0.10 below validation: the training labels disagree) and the
    validation loss rising above its best; credit = min(1, improvement / 0.25), so a run that learned
    nothing earns nothing for not overfitting.
    `train_accuracy` is measured after training on training examples; without it, the last epoch's
    running train accuracy gives the gap (and no underfitting penalty: it lags the model).
    `after_best_val_loss` (epochs trained past the returned one) does not change the score, which judges
    the returned model; `peak_val_loss_after_best` keeps the highest validation loss after its lowest, so
    the overfitting finding can tell whether more epochs made validation worse; `last_epoch_drop`, what
    the last epoch trained took off the validation loss, tells a run that ended still learning.
    """
    val_loss = [v for v in history.get("val_loss", []) if math.isfinite(v)]
    if not val_loss:
        return MetricResult(0.0, {"note": "no finite validation loss"})
    start = chance_loss or math.log(num_classes)  # the loss of a classifier that knows nothing
    improvement = clip((start - val_loss[-1]) / start)
    best = start
    improved = 0
    for value in val_loss:
        if value < best * (1 - d.MIN_EPOCH_IMPROVEMENT):
            improved += 1
        best = min(best, value)
    improved_share = improved / len(val_loss)
    lowest = int(np.argmin(val_loss))
    val = history.get("val_accuracy", [])
    gap = overfitting_gap(history) if train_accuracy is None or not val else train_accuracy - val[-1]
    penalties = {
        "overfitting": clip((gap - d.OVERFITTING_GAP) / (d.OVERFITTING_GAP_FULL_PENALTY - d.OVERFITTING_GAP)),
        "underfitting": 0.0
        if train_accuracy is None
        else clip((d.UNDERFITTING_GAP - gap) / (d.UNDERFITTING_GAP - d.UNDERFITTING_GAP_FULL_PENALTY)),
        "loss_rise": clip(
            (val_loss[-1] / min(val_loss) - 1 - d.VAL_LOSS_RISE) / d.VAL_LOSS_RISE_FULL_PENALTY
        ),
    }
    credit = min(1.0, improvement / d.CONVERGENCE_FULL_IMPROVEMENT)
    generalization = 1 - max(penalties.values())
    score = (improvement + improved_share + credit * generalization) / 3
    return MetricResult(
        clip(score),
        {
            "initial_loss": start,
            "final_val_loss": val_loss[-1],
            "best_val_loss": min(val_loss),
            "best_epoch": lowest + 1,
            "peak_val_loss_after_best": max(
                [*val_loss[lowest:], *(v for v in after_best_val_loss if math.isfinite(v))]
            ),
            "improvement": improvement,
            "improved_share": improved_share,
            "train_val_gap": gap,
            "gap_source": "history" if train_accuracy is None else "evaluated",
            "overfitting_penalty": penalties["overfitting"],
            "underfitting_penalty": penalties["underfitting"],
            "loss_rise_penalty": penalties["loss_rise"],
            "generalization_credit": credit,
            "last_epoch_drop": _last_epoch_drop(val_loss, start, after_best_val_loss),
        },
    )


def _last_epoch_drop(val_loss: list[float], chance_loss: float, after_best: Sequence[float]) -> float:
    """What the last epoch took off the validation loss, when it ended training at a new lowest below a
    guess's loss; otherwise 0 (epochs after the best, a last epoch that got worse, a diverged run)."""
    if after_best or len(val_loss) < 2 or val_loss[-1] > min(val_loss) or val_loss[-1] >= chance_loss:
        return 0.0
    return val_loss[-2] - val_loss[-1]


def overfitting_gap(history: dict[str, list[float]]) -> float:
    """Last-epoch train accuracy minus validation accuracy (positive = overfitting)."""
    train, val = history.get("accuracy", []), history.get("val_accuracy", [])
    return float(train[-1] - val[-1]) if train and val else 0.0


def consistency_score(splits: Sequence[Sequence[float]], fold_size: float) -> MetricResult:
    """1 - min(1, excess / 0.05), excess = sqrt(max(0, s^2 - 2.37 p(1 - p) / n)): the fold spread beyond
    what sampling alone gives. s^2 = the variance (ddof 1) of the fold accuracies within a split, averaged
    over the splits; p = the mean fold accuracy; n = the fold size.

    For a partition of the validation split into folds, E[s^2] = p(1 - p) / n up to N / (N - 1), so a
    model whose errors fall at random scores 1 whatever the fold size. One split's s^2 is itself noisy
    (5 folds: its 95th percentile is 2.37 x its mean, CONSISTENCY_NOISE_BAND), hence the band and the
    average over repeated splits.
    """
    variances = [float(np.var(split, ddof=1)) for split in splits if len(split) >= 2]
    if not variances or fold_size <= 0:
        return MetricResult(1.0, {"note": "too few folds"})
    p = float(np.mean([np.mean(split) for split in splits]))
    observed = math.sqrt(float(np.mean(variances)))
    noise = math.sqrt(p * (1 - p) / fold_size)
    excess = math.sqrt(max(0.0, observed**2 - d.CONSISTENCY_NOISE_BAND * noise**2))
    return MetricResult(
        clip(1 - min(1.0, excess / d.CONSISTENCY_EXCESS_SCALE)),
        {
            "fold_accuracies": [[float(a) for a in split] for split in splits],
            "fold_size": fold_size,
            "std": observed,
            "sampling_std": noise,
            "excess_std": excess,
        },
    )


def accuracy_consistency(y_true: np.ndarray, y_pred: np.ndarray, seed: int) -> MetricResult:
    """consistency_score of the accuracies on 5 stratified folds of the validation split, split 10 times."""
    from sklearn.model_selection import KFold, StratifiedKFold

    folds = min(d.CONSISTENCY_FOLDS, len(y_true))
    if folds < 2:
        return MetricResult(1.0, {"note": "too few validation examples"})
    counts = np.bincount(y_true)
    stratify = counts[counts > 0].min() >= folds
    correct = y_pred == y_true
    splits = []
    for repeat in range(d.CONSISTENCY_REPEATS):
        splitter: Any = (StratifiedKFold if stratify else KFold)(
            folds, shuffle=True, random_state=seed + repeat
        )
        splits.append([float(np.mean(correct[idx])) for _, idx in splitter.split(y_true, y_true)])
    return consistency_score(splits, len(y_true) / folds)
