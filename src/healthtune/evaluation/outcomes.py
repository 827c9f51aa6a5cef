"""Out-of-sample outcomes of a trained classifier: test accuracy, calibration error, corrupted-input accuracy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from healthtune.health.corruptions import corrupted_accuracies, expected_calibration_error


@dataclass(frozen=True)
class Outcomes:
    """How a model does on data it was not picked on (all on the test split)."""

    test_accuracy: float
    calibration_error: float  # expected calibration error, 0 = confidences match accuracies
    corrupted_accuracy: float  # mean accuracy over the corruptions below
    corruptions: dict[str, float]  # accuracy under each corruption
    examples: int  # test examples; corruptions use at most MAX_CORRUPTED_EXAMPLES of them

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def measure_outcomes(
    predict: Callable[[np.ndarray], np.ndarray], x_test: np.ndarray, y_test: np.ndarray, *, seed: int = 0
) -> Outcomes:
    """Outcomes of a model given as `predict` (inputs -> class probabilities) on a test split.

    The corruptions suit the inputs (health.corruptions): images are 4-D, token ids 2-D integers. The
    same `seed` gives the same subset and the same corruptions, so models of a run are compared on
    identical inputs.
    """
    probabilities = predict(x_test)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test)) if len(y_test) else float("nan")
    accuracies = corrupted_accuracies(predict, x_test, y_test, seed=seed)
    return Outcomes(
        test_accuracy=accuracy,
        calibration_error=expected_calibration_error(probabilities, y_test),
        corrupted_accuracy=float(np.mean(list(accuracies.values()))) if accuracies else float("nan"),
        corruptions=accuracies,
        examples=len(y_test),
    )
