"""The learning gate and the critical cap: how the weighted health of the metrics becomes a model's health.

health = min(weighted x learning_factor, cap), learning_factor = min(1, gain / LEARNED_GAIN), and
cap = CRITICAL_HEALTH_CAP while a critical finding stands (else 1). The gate does not depend on the
scoring weights, so it is stored once per trial (metrics["health_gate"]) and re-weighing keeps it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from healthtune.health import defaults as d

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


def chance_level(num_classes: int, labels: np.ndarray | Sequence[int] | None = None) -> float:
    """The accuracy of the best constant guess: the majority class's share, at least 1 / classes.

    On imbalanced data (Reuters R8: 52% of one topic) 1 / classes would call a model that always
    answers the majority class a learner. Without labels (runs stored before they were kept), 1 / classes.
    """
    uniform = 1.0 / max(1, num_classes)
    if labels is None or len(labels) == 0:
        return uniform
    counts = np.bincount(np.asarray(labels, dtype=np.int64))
    return max(uniform, float(counts.max()) / float(counts.sum()))


def chance_loss(num_classes: int, labels: np.ndarray | Sequence[int] | None = None) -> float:
    """The cross-entropy of a model that knows nothing about the inputs: it predicts the class shares.

    That is the entropy of the labels (ln(classes) when they are balanced or unknown). A loss that only
    falls to it has learned which class is common, not how to tell classes apart.
    """
    if labels is None or len(labels) == 0:
        return math.log(max(2, num_classes))
    counts = np.bincount(np.asarray(labels, dtype=np.int64))
    shares = counts[counts > 0] / counts.sum()
    return float(max(-np.sum(shares * np.log(shares)), 1e-6))


def learning_gain(accuracy: float, chance: float) -> float:
    """(accuracy - chance) / (1 - chance), clipped to [0, 1]: 0 = guessing, 1 = perfect."""
    if not math.isfinite(accuracy) or chance >= 1:
        return 0.0
    return float(min(1.0, max(0.0, (accuracy - chance) / (1 - chance))))


@dataclass(frozen=True)
class HealthGate:
    """What turns the weighted metrics into health: the learning factor and the cap of the worst finding."""

    gain: float
    chance: float
    learning_factor: float
    cap: float
    worst_severity: str | None  # of the findings: critical, warning, info or None

    @property
    def learned(self) -> bool:
        """False when the model did not learn (gain below NOT_LEARNED_GAIN): off the Pareto front."""
        return self.gain >= d.NOT_LEARNED_GAIN

    def apply(self, weighted: float) -> float:
        return float(min(weighted * self.learning_factor, self.cap))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "learned": self.learned}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> HealthGate:
        return cls(
            gain=float(values["gain"]),
            chance=float(values["chance"]),
            learning_factor=float(values["learning_factor"]),
            cap=float(values["cap"]),
            worst_severity=values.get("worst_severity"),
        )


OPEN_GATE = HealthGate(gain=1.0, chance=0.0, learning_factor=1.0, cap=1.0, worst_severity=None)
"""For health measured without a gate (a trial without validation accuracy): the weighted metrics as they are."""


def make_gate(gain: float, chance: float, severities: Sequence[str]) -> HealthGate:
    """The gate for a model with this gain whose findings have these severities."""
    worst = max(severities, key=SEVERITY_RANK.__getitem__, default=None)
    return HealthGate(
        gain=gain,
        chance=chance,
        learning_factor=min(1.0, gain / d.LEARNED_GAIN),
        cap=d.CRITICAL_HEALTH_CAP if worst == "critical" else 1.0,
        worst_severity=worst,
    )


def as_gate(gate: HealthGate | Mapping[str, Any] | None) -> HealthGate:
    """A stored gate (trial metrics hold it as a dict); none for trials scored before gates existed."""
    if gate is None:
        return OPEN_GATE
    return gate if isinstance(gate, HealthGate) else HealthGate.from_dict(gate)


@dataclass(frozen=True)
class Answers:
    """How a model answers its validation inputs, which tells the causes of not learning apart."""

    top_class: int  # the class it answers most often
    top_share: float  # of the validation examples answered with it
    majority_class: int  # the most common class among the labels
    input_magnitude: float | None  # the largest |value| of float inputs; None for token ids or NaN inputs

    @property
    def one_answer(self) -> bool:
        return self.top_share >= d.ONE_ANSWER_SHARE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def answers_of(probabilities: np.ndarray, labels: np.ndarray, x: np.ndarray) -> Answers:
    """What `probabilities` (examples x classes) answer for inputs `x` whose true classes are `labels`."""
    answered = np.bincount(np.argmax(probabilities, axis=1), minlength=probabilities.shape[1])
    floats = np.issubdtype(x.dtype, np.floating) and x.size
    magnitude = max(abs(float(x.min())), abs(float(x.max()))) if floats else math.nan  # no copy of x
    return Answers(
        top_class=int(answered.argmax()),
        top_share=float(answered.max()) / max(1, int(answered.sum())),
        majority_class=int(np.bincount(np.asarray(labels, dtype=np.int64)).argmax()) if len(labels) else 0,
        input_magnitude=magnitude if math.isfinite(magnitude) else None,  # None: token ids, or NaN inputs
    )
