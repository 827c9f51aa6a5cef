"""Findings: every health problem detected, explained in plain words with a suggested fix.

These texts teach; keep them concrete (what was measured, what it means, what to try).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from healthtune.health import defaults as d
from healthtune.health.learning import HealthGate
from healthtune.health.metrics import METRIC_DESCRIPTIONS, MetricResult

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Finding:
    severity: str  # info, warning, critical
    metric: str
    layer: str | None
    title: str
    explanation: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.layer}: " if self.layer else ""
        return f"{where}{self.title}. {self.explanation} Try: {self.suggestion}"


def dormancy_severity(share: float) -> str:
    """ok, info, warning or critical for a layer with this share of dormant units (DORMANT_SHARES)."""
    passed = [severity for severity, least in d.DORMANT_SHARES.items() if share >= least]
    return max(passed, key=SEVERITIES.index, default="ok")


def saturation_severity(share: float) -> str:
    """ok, info or warning for a layer with this saturated share of its live outputs (SATURATED_SHARES)."""
    passed = [severity for severity, least in d.SATURATED_SHARES.items() if share >= least]
    return max(passed, key=SEVERITIES.index, default="ok")


def dormancy_findings(result: MetricResult) -> list[Finding]:
    found = []
    for layer, stats in result.details.get("layers", {}).items():
        share = stats["dormant_share"]
        severity = dormancy_severity(share)
        if severity == "ok":
            continue
        unit = "channels" if layer.startswith(("conv", "act")) else "units"
        dead = f" ({stats['dead']} never output anything at all)" if stats["dead"] else ""
        found.append(
            Finding(
                severity,
                "neuron_utilization",
                layer,
                f"{share:.0%} of {unit} are dormant{dead}",
                f"A dormant unit's average output is at most {d.DORMANCY_TAU:.1%} of its layer's average: it "
                "barely contributes, so the layer does the work of a smaller one while costing the full size. "
                "Common causes: a learning rate too high, ReLU units pushed negative (dying ReLU), poor "
                "initialization.",
                "lower the learning rate, add batch normalization, use LeakyReLU, GELU or swish, "
                "or make the layer smaller.",
            )
        )
    return found


def saturation_findings(result: MetricResult) -> list[Finding]:
    found = []
    for layer, stats in result.details.get("layers", {}).items():
        share = stats.get("saturated_share", 0.0)
        severity = saturation_severity(share)
        if severity == "ok":
            continue
        found.append(
            Finding(severity, "neuron_utilization", layer,
                    f"{share:.0%} of its outputs are saturated",
                    "A tanh or sigmoid output next to its bound (within 1% of its range) has almost no slope: "
                    "little gradient flows back through it, so the unit acts as an on/off switch and stops "
                    "learning from that input. Common causes: large initial weights, a learning rate too high, "
                    "inputs that are not scaled.",
                    "scale the inputs, use the default (Glorot) initialization, add batch normalization before "
                    "the activation, lower the learning rate, or use ReLU or GELU.")
        )  # fmt: skip
    return found


def gradient_findings(result: MetricResult) -> list[Finding]:
    found = []
    texts = {
        "nan": ("critical", "gradients are NaN or infinite",
                "The numbers overflowed, so the weights are now garbage.",
                "lower the learning rate, add gradient clipping (clipnorm=1.0), check the input for NaNs."),
        "exploding": ("critical", "gradients are exploding",
                      f"The gradient norm exceeds {d.EXPLODING_GRADIENT:g}; each step throws the weights far away.",
                      "lower the learning rate, add batch normalization or gradient clipping."),
        "vanishing": ("warning", "gradients are vanishing",
                      "This layer gets almost no gradient (below 1e-7, or its updates over "
                      f"{d.VANISHING_DEPTH_RATIO:g}x smaller than the output layer's), so it stops learning. "
                      "Typical in deep stacks of sigmoid or tanh layers, whose derivatives are at most 0.25 or 1 "
                      "and shrink the signal layer by layer.",
                      "use ReLU-family activations, batch normalization, fewer layers or residual connections."),
        "too_fast": ("warning", "weights change too fast",
                     f"Learning rate x gradient / weight norm is above {d.UPDATE_RATIO_HIGH:g}; "
                     "a healthy ratio is around 1e-3 (CS231n's rule of thumb).",
                     "lower the learning rate."),
        "too_slow": ("info", "weights barely change",
                     f"Learning rate x gradient / weight norm is below {d.UPDATE_RATIO_LOW:g}.",
                     "raise the learning rate or check that the layer is connected to the loss."),
    }  # fmt: skip
    for layer, states in result.details.get("layer_states", {}).items():
        bad = {state: count for state, count in states.items() if state != "ok"}
        if not bad:
            continue
        state = max(bad, key=lambda s: (SEVERITIES.index(texts[s][0]), bad[s]))
        severity, title, explanation, suggestion = texts[state]
        probes = sum(states.values())
        found.append(Finding(severity, "gradient_health", layer, f"{title} ({bad[state]} of {probes} probes)",
                             explanation, suggestion))  # fmt: skip
    ratio = result.details.get("max_min_ratio", 1.0)
    if ratio > d.GRADIENT_SPREAD:
        found.append(
            Finding("warning", "gradient_health", None, f"gradient norms differ {ratio:.1e}x across layers",
                    "Some layers learn ten thousand times slower than others, so the network trains unevenly.",
                    "add batch normalization, use ReLU-family activations, or a smaller network.")
        )  # fmt: skip
    return found


def stability_findings(result: MetricResult) -> list[Finding]:
    details = result.details
    if details.get("non_finite"):
        return [Finding("critical", "training_stability", None, "the training loss became NaN or infinite",
                        "Training diverged: the weights overflowed and the model stopped learning.",
                        "lower the learning rate, add gradient clipping or batch normalization.")]  # fmt: skip
    if details.get("diverged"):
        return [Finding("critical", "training_stability", None,
                        f"the training loss diverged (from {details['start_loss']:.3g} to "
                        f"{details['end_loss']:.3g})",
                        "The loss rose instead of falling and stayed up: every step overshoots, the outputs "
                        "saturate, and the model stops learning.",
                        "lower the learning rate (10x is a good first step), add gradient clipping or batch "
                        "normalization.")]  # fmt: skip
    found = []
    if details.get("stalled"):
        found.append(
            Finding("warning", "training_stability", None,
                    f"the training loss stalled (from {details['start_median']:.3g} to {details['end_loss']:.3g})",
                    f"A calm loss is only stable if it falls: this one ended less than {d.STALL_DROP:.0%} below "
                    f"{details['reference_loss']:.3g} (where it started, or the loss of guessing the class shares "
                    "if lower), so the optimizer is barely moving the model.",
                    "raise the learning rate (or use Adam), add batch normalization, or check that labels "
                    "match inputs.")
        )  # fmt: skip
    spike_share = details.get("spike_share", 0.0)
    if spike_share > d.SPIKE_SHARES["info"]:
        found.append(
            Finding("warning" if spike_share > d.SPIKE_SHARES["warning"] else "info", "training_stability", None,
                    f"{details['spikes']} loss spikes ({details['spike_share']:.0%} of batches)",
                    f"A spike is a batch whose loss is over {d.SPIKE_FACTOR:g}x the recent median: the optimizer "
                    "overshoots and has to recover.",
                    "lower the learning rate, use a larger batch, or a cosine learning-rate schedule.")
        )  # fmt: skip
    if result.score < 0.5 and details.get("log_loss_spread", 0) > d.STABILITY_SPREAD_SCALE * 0.7:
        found.append(
            Finding("warning", "training_stability", None, "the training loss is very noisy",
                    "The loss jumps around its trend from batch to batch, so progress is erratic.",
                    "lower the learning rate or raise the batch size.")
        )  # fmt: skip
    return found


def _rose_clearly(best: float | None, peak: float | None, chance_loss: float | None) -> bool:
    """`peak` is VAL_LOSS_RISE above `best`, and by VAL_LOSS_RISE_FLOOR of the chance loss (when known)."""
    if best is None or peak is None:
        return False
    floor = d.VAL_LOSS_RISE_FLOOR * chance_loss if chance_loss else 0.0
    return bool(peak > best * (1 + d.VAL_LOSS_RISE) and peak - best > floor)


def convergence_findings(result: MetricResult) -> list[Finding]:
    details = result.details
    found = []
    gap = details.get("train_val_gap", 0.0)
    best, final = details.get("best_val_loss"), details.get("final_val_loss")
    # the highest validation loss after the lowest, early stopping's patience epochs included (reports
    # made before peak_val_loss_after_best existed judge from their last epoch)
    peak = details.get("peak_val_loss_after_best", final)
    got_worse = _rose_clearly(best, peak, details.get("initial_loss"))
    if gap > d.OVERFITTING_CRITICAL_GAP or (gap > d.OVERFITTING_GAP and got_worse):
        found.append(
            Finding("critical" if gap > d.OVERFITTING_CRITICAL_GAP else "warning", "convergence_quality", None,
                    f"overfitting: train accuracy is {gap:.1%} above validation accuracy",
                    "The model memorizes the training examples instead of learning what generalizes.",
                    "add dropout or weight decay, use more data or augmentation, or stop earlier.")
        )  # fmt: skip
    elif gap > d.OVERFITTING_GAP:
        found.append(
            Finding("info", "convergence_quality", None,
                    f"generalization gap: train accuracy is {gap:.1%} above validation accuracy",
                    "The model fits its training examples better than unseen ones, but its validation loss never "
                    "rose far above its best: more epochs have not yet made it worse.",
                    "watch the gap as epochs grow; dropout, weight decay or augmentation narrow it.")
        )  # fmt: skip
    if details.get("gap_source") == "evaluated" and gap < d.UNDERFITTING_GAP:
        found.append(
            Finding("warning", "convergence_quality", None,
                    f"train accuracy is {-gap:.1%} below validation accuracy",
                    "The model gets its own training examples wrong more often than unseen ones: the training "
                    "labels disagree with the inputs (label noise) or regularization holds the model back.",
                    "check the training labels for mistakes, or lower dropout and weight decay.")
        )  # fmt: skip
    if got_worse and details.get("best_epoch") and best is not None and peak is not None:
        returned_rose = final is not None and final > best * (1 + d.VAL_LOSS_RISE)
        # a rise only in early stopping's extra epochs with a gap is the overfitting warning's; without a
        # gap nothing above explains it
        if returned_rose or gap <= d.OVERFITTING_GAP:
            found.append(_loss_rose(details["best_epoch"], best, peak, returned_rose=returned_rose, gap=gap))
    drop, chance = details.get("last_epoch_drop", 0.0), details.get("initial_loss") or 0.0
    if final and drop > d.STILL_FALLING * (final + drop) and drop > d.VAL_LOSS_RISE_FLOOR * chance:
        found.append(
            Finding("info", "convergence_quality", None,
                    f"still learning when training ended: the last epoch took {drop / (final + drop):.0%} off "
                    "the validation loss",
                    "The model had not converged: its validation loss was still falling fast, so its accuracy "
                    "and its other metrics describe a model part of the way there.",
                    "train more epochs, or raise the learning rate if every epoch gains little.")
        )  # fmt: skip
    if details.get("improvement", 1.0) < d.BARELY_FELL_IMPROVEMENT:
        found.append(
            Finding("warning", "convergence_quality", None,
                    f"the validation loss barely fell (from {details['initial_loss']:.3g}, a guess's, "
                    f"to {details['final_val_loss']:.3g})",
                    "The validation loss is close to that of random guessing.",
                    "check the learning rate (too low or far too high) and that labels match inputs.")
        )  # fmt: skip
    return found


def efficiency_findings(result: MetricResult) -> list[Finding]:
    """Info only: a big model costs training and serving time, but is not sick."""
    details = result.details
    if result.score >= d.METRIC_THRESHOLDS["parameter_efficiency"]:
        return []
    return [
        Finding("info", "parameter_efficiency", None,
                f"{details['params']:,} parameters for {details['accuracy']:.1%} accuracy",
                "Each tenfold increase in parameters above 10,000 halves this score unless it buys accuracy: "
                "a smaller model that does as well is cheaper to train, to serve and to understand.",
                "fewer or narrower layers, global average pooling instead of flattening.")
    ]  # fmt: skip


def consistency_findings(result: MetricResult) -> list[Finding]:
    details = result.details
    if result.score >= d.METRIC_THRESHOLDS["accuracy_consistency"]:
        return []
    return [
        Finding("warning", "accuracy_consistency", None,
                f"accuracy varies by {details.get('std', 0.0):.1%} (std) across validation folds, "
                f"{details.get('sampling_std', 0.0):.1%} of it explained by sampling",
                "The fold accuracies differ more than the fold size alone explains: the model's accuracy "
                "depends on which examples it sees.",
                "use a larger validation split, more data, or regularization.")
    ]  # fmt: skip


def learning_findings(gate: HealthGate, accuracy: float) -> list[Finding]:
    """Critical below NOT_LEARNED_GAIN, a warning below LEARNED_GAIN (where the learning gate scales health)."""
    if gate.gain >= d.LEARNED_GAIN:
        return []
    did_not = gate.gain < d.NOT_LEARNED_GAIN
    return [
        Finding("critical" if did_not else "warning", "learning", None,
                f"{'the model did not learn' if did_not else 'the model learned little'}: validation accuracy "
                f"{accuracy:.1%}, always guessing the most common class gets {gate.chance:.1%}",
                f"Health counts in full only once a model gets at least {d.LEARNED_GAIN:.0%} of what guessing "
                f"gets wrong right; this one gets {gate.gain:.0%}, so its health is scaled by "
                f"{gate.learning_factor:.2f}. Calm training of a model that learns nothing is not health.",
                "check the learning rate (too low or far too high), the labels, and that the network is "
                "not too deep for its activations.")
    ]  # fmt: skip


def calibration_findings(result: MetricResult) -> list[Finding]:
    """A warning below calibration's threshold; an info for an underconfident model whose calibration error
    is one an overconfident model would be warned for (its score counts that direction at 0.4)."""
    details = result.details
    if "calibration_error" not in details:
        return []
    confidence, accuracy, error = (
        details["mean_confidence"],
        details["accuracy"],
        details["calibration_error"],
    )
    under = details.get("underconfidence", error if confidence <= accuracy else 0.0)
    over = error - under >= under
    warned = result.score < d.METRIC_THRESHOLDS["calibration"]
    warned_if_over = 1 - error / d.CALIBRATION_ERROR_AT_ZERO < d.METRIC_THRESHOLDS["calibration"]
    if not warned and (over or not warned_if_over):
        return []
    return [
        Finding("warning" if warned else "info", "calibration", None,
                f"{'overconfident' if over else 'underconfident'}: {confidence:.0%} sure on average, right "
                f"{accuracy:.0%} of the time (calibration error {error:.3f}"
                + (f": {error - under:.3f} over, {under:.3f} under)" if min(under, error - under) > 0.01 else ")"),
                "A calibrated model is right 80% of the time when it says 80%. This one's probabilities "
                "cannot be read as chances, so thresholds built on them mislead"
                + (": it is right more often than it says, so a rule that waits for a high probability defers "
                   "answers that were right." if not over else "."),
                "fewer epochs, label smoothing or dropout; or calibrate its outputs afterwards (temperature "
                "scaling on the validation split)." if over else "more epochs or less regularization.")
    ]  # fmt: skip


def robustness_findings(result: MetricResult) -> list[Finding]:
    details = result.details
    if result.score >= d.METRIC_THRESHOLDS["robustness"] or not details.get("corruptions"):
        return []
    if details["clean_accuracy"] <= details["chance"]:
        return [
            Finding("warning", "robustness", None,
                    f"nothing to keep: {details['clean_accuracy']:.1%} on clean inputs is not above chance "
                    f"({details['chance']:.1%})",
                    "Robustness is the share of what the model learned that survives corrupted inputs; a model "
                    "that learned nothing has nothing to keep, so it scores 0.",
                    "make it learn first (see the learning finding).")
        ]  # fmt: skip
    worst = min(details["corruptions"], key=details["corruptions"].get)
    return [
        Finding("warning", "robustness", None,
                f"fragile: {details['corrupted_accuracy']:.1%} accuracy on corrupted inputs against "
                f"{details['clean_accuracy']:.1%} on clean ones (worst: {worst.replace('_', ' ')}, "
                f"{details['corruptions'][worst]:.1%})",
                f"Small, label-preserving changes to the validation inputs take away {1 - result.score:.0%} of "
                "what the model learned above chance: it leans on details that real inputs will not keep.",
                "data augmentation (the kind of change it fails on), dropout or batch normalization, a "
                "smaller model.")
    ]  # fmt: skip


def threshold_findings(metrics: dict[str, float], found: list[Finding]) -> list[Finding]:
    """A finding for every metric below its threshold that no other finding names yet."""
    named = {finding.metric for finding in found}
    return [
        Finding("warning", name, None, f"{name.replace('_', ' ')} is low ({value:.2f}, below {threshold:g})",
                METRIC_DESCRIPTIONS[name], "see the metric's explanation in the health breakdown.")
        for name, threshold in d.METRIC_THRESHOLDS.items()
        if (value := metrics[name]) < threshold and name not in named
    ]  # fmt: skip


def _loss_rose(best_epoch: int, best: float, peak: float, *, returned_rose: bool, gap: float) -> Finding:
    """The validation loss rose after its lowest: in the returned model's epochs or in early stopping's."""
    why = (
        "Training went on past the point where the model generalized best."
        if returned_rose
        else f"Early stopping returned epoch {best_epoch}'s weights, but the epochs after it made the model "
        "clearly worse on unseen examples: this configuration starts to memorize soon after its best epoch."
    )
    if gap <= d.OVERFITTING_GAP:
        why += (
            f" Its train accuracy is not above validation's (a gap of {gap:+.1%}), so what it memorizes is not "
            "a pattern of the inputs: typically training labels that disagree with their inputs (label noise), "
            "or steps that are too large late in training."
        )
    return Finding("warning", "convergence_quality", None,
                   f"validation loss rose after epoch {best_epoch} ({best:.3f} -> {peak:.3f})", why,
                   "check the training labels, lower or decay the learning rate, train fewer epochs, or "
                   "regularize more.")  # fmt: skip
