"""Findings: every health problem detected, explained in plain words with a suggested fix.

These texts teach; keep them concrete (what was measured, what it means, what to try).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from healthtune.health import defaults as d
from healthtune.health.learning import Answers, HealthGate
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


def collapse_layer_findings(found: list[Finding], shown: int = d.LAYER_FINDINGS_SHOWN) -> list[Finding]:
    """The first `shown` layers with the same problem (severity, metric and explanation) keep their findings;
    the others become one finding naming them, so a 100-layer backbone does not bury the rest."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in found:
        if finding.layer is not None:
            groups.setdefault((finding.severity, finding.metric, finding.explanation), []).append(finding)
    result = []
    for finding in found:
        group = (
            groups.get((finding.severity, finding.metric, finding.explanation), []) if finding.layer else []
        )
        if len(group) <= shown + 1 or group.index(finding) < shown:
            result.append(finding)
        elif group.index(finding) == shown:
            rest = [str(other.layer) for other in group[shown:]]
            named = ", ".join(rest[:shown]) + (", ..." if len(rest) > shown else "")
            result.append(Finding(finding.severity, finding.metric, None,
                                  f"the same in {len(rest)} more layers: {named}",
                                  finding.explanation, finding.suggestion))  # fmt: skip
    return result


def _severity(share: float, least_shares: dict[str, float]) -> str:
    passed = [severity for severity, least in least_shares.items() if share >= least]
    return max(passed, key=SEVERITIES.index, default="ok")


def dormancy_severity(share: float) -> str:
    """ok, info, warning or critical for a layer with this share of dormant units (DORMANT_SHARES)."""
    return _severity(share, d.DORMANT_SHARES)


def saturation_severity(share: float) -> str:
    """ok, info or warning for a layer with this saturated share of its live outputs (SATURATED_SHARES)."""
    return _severity(share, d.SATURATED_SHARES)


def dormancy_findings(result: MetricResult) -> list[Finding]:
    found = []
    for layer, stats in result.details.get("layers", {}).items():
        if stats.get("non_finite"):
            found.append(
                Finding("critical", "neuron_utilization", layer,
                        f"outputs are NaN or infinite ({stats['non_finite']} of {stats['units']} units)",
                        "The layer's outputs overflowed: its weights (or those before it) blew up, so it computes "
                        "nothing and every unit counts as unused.",
                        "lower the learning rate, add gradient clipping (clipnorm=1.0) or batch normalization, "
                        "check the input for NaNs.")
            )  # fmt: skip
            continue
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
                    "A tanh or sigmoid output next to its bound (within 0.5% of its range) has almost no slope: "
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


def learning_findings(
    gate: HealthGate,
    accuracy: float,
    answers: Answers | None = None,
    train_accuracies: tuple[float, float] | None = None,
) -> list[Finding]:
    """Critical below NOT_LEARNED_GAIN, a warning below LEARNED_GAIN (where the learning gate scales health).
    With `answers`, the causes they point to come first (unscaled inputs, one answer for every input);
    `train_accuracies` = (while training, at prediction) tells a model that learned but predicts as if it
    had not (batch normalization's statistics) from one that did not learn."""
    if gate.gain >= d.LEARNED_GAIN:
        return []
    did_not = gate.gain < d.NOT_LEARNED_GAIN
    title = "the model did not learn" if did_not else "the model learned little"
    explanation = (
        f"Health counts in full only once a model gets at least {d.LEARNED_GAIN:.0%} of what guessing gets "
        f"wrong right; this one gets {gate.gain:.0%}, so its health is scaled by {gate.learning_factor:.2f}. "
        "Calm training of a model that learns nothing is not health."
    )
    first: list[str] = []
    last: list[str] = []
    if train_accuracies is not None and train_accuracies[0] - train_accuracies[1] >= d.PREDICTION_MODE_DROP:
        while_training, at_prediction = train_accuracies
        explanation += (f" Yet it got {while_training:.0%} of its training batches right while training and "
                        f"{at_prediction:.0%} of the training examples at prediction: it learned, and something "
                        "acts differently at prediction.")  # fmt: skip
        first.append("if it has batch normalization, its moving statistics (which prediction uses) had too few "
                     "steps to settle: train more epochs or use a smaller batch")  # fmt: skip
    if answers is not None:
        if answers.input_magnitude is not None and answers.input_magnitude >= d.UNSCALED_INPUT_MAGNITUDE:
            first.append(f"scale the inputs: they reach {answers.input_magnitude:.4g}, where networks expect "
                         "values near 0-1 (divide pixels by 255, standardize features)")  # fmt: skip
        if answers.one_answer:
            explanation += (f" It answers class {answers.top_class} for {answers.top_share:.0%} of the "
                            "validation examples: its output hardly depends on its input.")  # fmt: skip
            if gate.chance >= d.IMBALANCED_MAJORITY_SHARE and answers.top_class == answers.majority_class:
                first.append(f"weigh the classes (class_weight=balanced) or resample: {gate.chance:.0%} of the "
                             "examples are one class, so answering it always is a cheap minimum of the loss")  # fmt: skip
            last.append("weaken regularization if it is strong: weight decay or dropout above 0.5 can pin a "
                        "network to one answer")  # fmt: skip
    usual = ("check the learning rate (too low or far too high), the labels, and that the network is not too "
             "deep for its activations")  # fmt: skip
    return [
        Finding("critical" if did_not else "warning", "learning", None,
                f"{title}: validation accuracy {accuracy:.1%}, always guessing the most common class gets "
                f"{gate.chance:.1%}",
                explanation, "; ".join([*first, usual, *last]) + ".")
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
