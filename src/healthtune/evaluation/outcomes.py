"""Out-of-sample outcomes of a trained classifier: test accuracy, calibration error, corrupted-input accuracy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

CALIBRATION_BINS = 15
"""Equal-width confidence bins of the expected calibration error (Guo et al., 2017, use 15)."""
MAX_CORRUPTED_EXAMPLES = 2000
"""Test examples each corruption is applied to (a stratified-enough random subset beyond this)."""
IMAGE_CORRUPTIONS = ("gaussian_noise", "blur", "contrast", "shift", "rotation")
TEXT_CORRUPTIONS = ("word_dropout", "word_swaps")
NOISE_STD = 0.1  # pixels in [0, 1]
BLUR_SIGMA = 1.0  # pixels
CONTRAST_FACTOR = 0.4  # distance from each image's mean pixel kept
SHIFT_FRACTION = 0.1  # of the image's side
ROTATION_DEGREES = 15.0
WORD_DROPOUT = 0.15  # share of words removed
WORD_SWAPS = 0.15  # share of words swapped with their neighbour


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


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = CALIBRATION_BINS
) -> float:
    """sum over confidence bins of (share of examples) x |accuracy - mean confidence| in the bin.

    The confidence of an example is its largest predicted probability; bins split [0, 1] evenly,
    a confidence of exactly 1 falls in the last one.
    """
    if len(labels) == 0:
        return float("nan")
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(error)


def corrupt_images(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Images (n, height, width, channels) in [0, 1] after one corruption of fixed severity."""
    from scipy import ndimage

    x = x.astype(np.float32)
    height, width = x.shape[1], x.shape[2]
    if kind == "gaussian_noise":
        out = x + rng.normal(0.0, NOISE_STD, size=x.shape).astype(np.float32)
    elif kind == "blur":
        out = ndimage.gaussian_filter(x, sigma=(0, BLUR_SIGMA, BLUR_SIGMA, 0))
    elif kind == "contrast":
        mean = x.mean(axis=(1, 2, 3), keepdims=True)
        out = (x - mean) * CONTRAST_FACTOR + mean
    elif kind == "shift":
        dy, dx = max(1, round(SHIFT_FRACTION * height)), max(1, round(SHIFT_FRACTION * width))
        out = ndimage.shift(x, (0, dy, dx, 0), order=0, mode="constant", cval=0.0)
    elif kind == "rotation":
        out = ndimage.rotate(x, ROTATION_DEGREES, axes=(1, 2), reshape=False, order=1, mode="constant")
    else:
        raise ValueError(f"kind must be one of {IMAGE_CORRUPTIONS}, got {kind=}")
    clipped: np.ndarray = np.clip(out, 0.0, 1.0).astype(np.float32)
    return clipped


def corrupt_texts(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Token sequences (n, length), 0 = padding at the end, after word dropout or neighbour swaps."""
    out = np.zeros_like(x)
    for row, tokens in enumerate(x):
        words = tokens[tokens != 0]
        if kind == "word_dropout":
            words = words[rng.random(len(words)) >= WORD_DROPOUT]
        elif kind == "word_swaps":
            words = words.copy()
            for i in np.flatnonzero(rng.random(max(0, len(words) - 1)) < WORD_SWAPS):
                words[i], words[i + 1] = words[i + 1], words[i]
        else:
            raise ValueError(f"kind must be one of {TEXT_CORRUPTIONS}, got {kind=}")
        out[row, : len(words)] = words
    return out


def measure_outcomes(
    predict: Callable[[np.ndarray], np.ndarray], x_test: np.ndarray, y_test: np.ndarray, *, seed: int = 0
) -> Outcomes:
    """Outcomes of a model given as `predict` (inputs -> class probabilities) on a test split.

    Image inputs are 4-D (examples, height, width, channels), text inputs 2-D token ids. The same
    `seed` gives the same subset and the same corruptions, so models of a run are compared on
    identical inputs.
    """
    rng = np.random.default_rng(seed)
    probabilities = predict(x_test)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test)) if len(y_test) else float("nan")
    subset = np.arange(len(y_test))
    if len(subset) > MAX_CORRUPTED_EXAMPLES:
        subset = np.sort(rng.choice(subset, MAX_CORRUPTED_EXAMPLES, replace=False))
    images = x_test.ndim == 4
    corrupt = corrupt_images if images else corrupt_texts
    accuracies: dict[str, float] = {}
    for kind in IMAGE_CORRUPTIONS if images else TEXT_CORRUPTIONS:
        corrupted = corrupt(x_test[subset], kind, np.random.default_rng([seed, len(accuracies)]))
        accuracies[kind] = float(np.mean(predict(corrupted).argmax(axis=1) == y_test[subset]))
    return Outcomes(
        test_accuracy=accuracy,
        calibration_error=expected_calibration_error(probabilities, y_test),
        corrupted_accuracy=float(np.mean(list(accuracies.values()))) if accuracies else float("nan"),
        corruptions=accuracies,
        examples=len(y_test),
    )
