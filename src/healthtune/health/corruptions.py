"""Corrupted copies of validation or test inputs (images, token sequences, other arrays) and the calibration
error: what the robustness and calibration metrics and "What health bought you" measure a model on."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

CALIBRATION_BINS = 15
"""Equal-width confidence bins of the expected calibration error (Guo et al., 2017, use 15)."""
MAX_CORRUPTED_EXAMPLES = 2000
"""Test examples each corruption is applied to (a stratified-enough random subset beyond this)."""
IMAGE_CORRUPTIONS = ("gaussian_noise", "blur", "contrast", "shift", "rotation")
TEXT_CORRUPTIONS = ("word_dropout", "word_swaps")
FEATURE_CORRUPTIONS = ("feature_noise", "feature_dropout")
NOISE_STD = 0.1  # of the pixel range ([0, 1] for built-in images)
# Blur and shift are relative to the image's size, so 8x8 digits get the blur MNIST gets (1 pixel on 28x28)
# rather than one that smears a stroke over half the image.
BLUR_SIGMA = 1.0 / 28  # of the image's shorter side
CONTRAST_FACTOR = 0.4  # distance from each image's mean pixel kept
SHIFT_FRACTION = 0.1  # of the image's side
ROTATION_DEGREES = 15.0
WORD_DROPOUT = 0.15  # share of words removed
WORD_SWAPS = 0.15  # share of words swapped with their neighbour


FEATURE_NOISE = 0.1  # of each feature's standard deviation
FEATURE_DROPOUT = 0.15  # share of values replaced by their feature's mean


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = CALIBRATION_BINS
) -> float:
    """sum over confidence bins of (share of examples) x |accuracy - mean confidence| in the bin.

    The confidence of an example is its largest predicted probability; bins split [0, 1] evenly,
    a confidence of exactly 1 falls in the last one.
    """
    over, under = calibration_gaps(probabilities, labels, bins)
    return over + under


def calibration_gaps(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = CALIBRATION_BINS
) -> tuple[float, float]:
    """The expected calibration error split by direction: (overconfidence, underconfidence), the sums over
    the bins whose mean confidence is above (below) their accuracy. They add up to the calibration error."""
    if len(labels) == 0:
        return float("nan"), float("nan")
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    over = under = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap = members.mean() * (confidence[members].mean() - correct[members].mean())
            over, under = (over + gap, under) if gap > 0 else (over, under - gap)
    return float(over), float(under)


def corrupt_images(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Images (n, height, width, channels) after one corruption of fixed severity, in their pixel range:
    [0, 1] unless they hold values outside it (then from their smallest to their largest value)."""
    from scipy import ndimage

    x = x.astype(np.float32)
    low, high = min(0.0, float(x.min(initial=0.0))), max(1.0, float(x.max(initial=1.0)))
    height, width = x.shape[1], x.shape[2]
    if kind == "gaussian_noise":
        out = x + rng.normal(0.0, NOISE_STD * (high - low), size=x.shape).astype(np.float32)
    elif kind == "blur":
        sigma = BLUR_SIGMA * min(height, width)
        out = ndimage.gaussian_filter(x, sigma=(0, sigma, sigma, 0))
    elif kind == "contrast":
        mean = x.mean(axis=(1, 2, 3), keepdims=True)
        out = (x - mean) * CONTRAST_FACTOR + mean
    elif kind == "shift":
        dy, dx = max(1, round(SHIFT_FRACTION * height)), max(1, round(SHIFT_FRACTION * width))
        out = ndimage.shift(x, (0, dy, dx, 0), order=0, mode="constant", cval=low)
    elif kind == "rotation":
        out = ndimage.rotate(
            x, ROTATION_DEGREES, axes=(1, 2), reshape=False, order=1, mode="constant", cval=low
        )
    else:
        raise ValueError(f"kind must be one of {IMAGE_CORRUPTIONS}, got {kind=}")
    clipped: np.ndarray = np.clip(out, low, high).astype(np.float32)
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


def corrupt_features(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Other numeric arrays (tabular rows, signals): noise scaled to each feature's spread, or a share
    of values replaced by their feature's mean (a missing measurement)."""
    x = x.astype(np.float32)
    mean, spread = x.mean(axis=0, keepdims=True), x.std(axis=0, keepdims=True)
    if kind == "feature_noise":
        noise = rng.normal(0.0, 1.0, size=x.shape).astype(np.float32)
        out: np.ndarray = x + FEATURE_NOISE * spread * noise
        return out
    if kind == "feature_dropout":
        return np.where(rng.random(x.shape) < FEATURE_DROPOUT, np.broadcast_to(mean, x.shape), x).astype(
            np.float32
        )
    raise ValueError(f"kind must be one of {FEATURE_CORRUPTIONS}, got {kind=}")


def corruptions_for(
    x: np.ndarray,
) -> tuple[tuple[str, ...], Callable[[np.ndarray, str, np.random.Generator], np.ndarray]]:
    """The corruptions that suit these inputs: images are 4-D, token sequences 2-D integers, anything else
    is corrupted feature by feature."""
    if x.ndim == 4:
        return IMAGE_CORRUPTIONS, corrupt_images
    if x.ndim == 2 and np.issubdtype(x.dtype, np.integer):
        return TEXT_CORRUPTIONS, corrupt_texts
    return FEATURE_CORRUPTIONS, corrupt_features


def corrupted_accuracies(
    predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, labels: np.ndarray, *, seed: int = 0,
    limit: int = MAX_CORRUPTED_EXAMPLES,
) -> dict[str, float]:  # fmt: skip
    """Accuracy under each corruption that suits `x`, on at most `limit` of its examples.

    The same `seed` gives the same subset and the same corruptions, so the models of a run are compared
    on identical inputs."""
    rng = np.random.default_rng(seed)
    subset = np.arange(len(labels))
    if len(subset) > limit:
        subset = np.sort(rng.choice(subset, limit, replace=False))
    kinds, corrupt = corruptions_for(x)
    accuracies: dict[str, float] = {}
    for kind in kinds:
        corrupted = corrupt(x[subset], kind, np.random.default_rng([seed, len(accuracies)]))
        accuracies[kind] = float(np.mean(predict(corrupted).argmax(axis=1) == labels[subset]))
    return accuracies
