"""Findings about how training went: the loss's stability and convergence on validation.

Texts teach, as in findings.py: what was measured, what it means, what to try.
"""

from __future__ import annotations

from typing import Any

from healthtune.health import defaults as d
from healthtune.health.findings import Finding
from healthtune.health.metrics import MetricResult


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
        slow = _learned_slowly(details)
        found.append(
            Finding("warning", "training_stability", None,
                    _slow_title(details) if slow else _stalled_title(details),
                    f"A calm loss is only stable if it falls: this one ended less than {d.STALL_DROP:.0%} below "
                    f"{details['reference_loss']:.3g} (where it started, or the loss of guessing the class shares "
                    "if lower), so "
                    + ("the model learns, but slowly." if slow else "the optimizer is barely moving the model."),
                    ("raise the learning rate (or use Adam), train for more epochs, add batch normalization."
                     if slow else "raise the learning rate (or use Adam), add batch normalization, or check that "
                     "labels match inputs."))
        )  # fmt: skip
    spike_share = details.get("spike_share", 0.0)
    if spike_share > d.SPIKE_SHARES["info"]:
        found.append(
            Finding("warning" if spike_share > d.SPIKE_SHARES["warning"] else "info", "training_stability", None,
                    f"{details['spikes']} loss spikes ({details['spike_share']:.0%} of batches)",
                    f"A spike is a batch whose loss is over {d.SPIKE_FACTOR:g}x the recent median: the optimizer "
                    "overshoots and has to recover, or the batch is unlike the ones before it.",
                    "lower the learning rate, use a larger batch, or a cosine learning-rate schedule; shuffle "
                    "the training data if it is ordered (by class, by source).")
        )  # fmt: skip
    if result.score < 0.5 and details.get("log_loss_spread", 0) > d.STABILITY_SPREAD_SCALE * 0.7:
        found.append(
            Finding("warning", "training_stability", None, "the training loss is very noisy",
                    "The loss jumps around its trend from batch to batch, so progress is erratic.",
                    "lower the learning rate or raise the batch size.")
        )  # fmt: skip
    return found


def _learned_slowly(details: dict[str, Any]) -> bool:
    """A loss that fell clearly, from about where a guess's is, but less than STALL_DROP: slow, not stalled."""
    start, reference = details["start_median"], details.get("reference_loss", details["start_median"])
    return bool(
        details.get("loss_drop", 0.0) >= d.SLOW_LEARNING_DROP and start <= reference * (1 + d.STALL_DROP)
    )


def _slow_title(details: dict[str, Any]) -> str:
    return (
        f"the training loss fell only {details['loss_drop']:.0%} "
        f"(from {details['start_median']:.3g} to {details['end_loss']:.3g})"
    )


def _stalled_title(details: dict[str, Any]) -> str:
    """From where the loss started, or, when it started far above a guess's (a blow-up in the first steps),
    against the guess's loss: "stalled (from 75.9 to 1.49)" would read as progress."""
    start, end = details["start_median"], details["end_loss"]
    reference = details.get("reference_loss", start)
    if start <= reference * (1 + d.STALL_DROP):
        if f"{start:.3g}" == f"{end:.3g}":
            return f"the training loss stalled at {end:.3g}, where it started"
        return f"the training loss stalled (from {start:.3g} to {end:.3g})"
    return f"the training loss stalled at {end:.3g}, not clearly below a guess's {reference:.3g} (from {start:.3g})"


def _barely_fell_title(guess: float, final: float) -> str:
    """What the validation loss did against a guess's, in numbers that differ when printed."""
    if f"{final:.3g}" == f"{guess:.3g}":
        return f"the validation loss stayed at a guess's ({guess:.3g})"
    if final < guess:
        return f"the validation loss barely fell (from {guess:.3g}, a guess's, to {final:.3g})"
    return f"the validation loss never fell below a guess's ({final:.3g} against {guess:.3g})"


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
                    _barely_fell_title(details["initial_loss"], details["final_val_loss"]),
                    "The validation loss is close to that of guessing the class shares, or worse.",
                    "check the learning rate (too low or far too high) and that labels match inputs.")
        )  # fmt: skip
    return found


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
