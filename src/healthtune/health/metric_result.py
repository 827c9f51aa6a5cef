"""MetricResult: one health metric's score in [0, 1] with the raw diagnostics behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MetricResult:
    score: float
    details: dict[str, Any] = field(default_factory=dict)


def clip(value: float) -> float:
    """value clipped to [0, 1]; NaN or infinite -> 0."""
    return float(min(1.0, max(0.0, value))) if math.isfinite(value) else 0.0
