"""Corruptions and the calibration error on known inputs: images (any pixel range), token ids, other arrays."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.health.corruptions import (
    FEATURE_CORRUPTIONS,
    IMAGE_CORRUPTIONS,
    TEXT_CORRUPTIONS,
    corrupt_features,
    corrupt_images,
    corrupt_texts,
    corrupted_accuracies,
    corruptions_for,
    expected_calibration_error,
)


def test_calibration_error_of_known_predictions() -> None:
    labels = np.array([0, 1, 0, 0])
    overconfident = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    # 0.9-confident half is right half the time, 0.6-confident half always: 0.5*0.4 + 0.5*0.4
    assert expected_calibration_error(overconfident, labels) == pytest.approx(0.4)
    honest = np.array([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0]])  # 50% sure, right 1 in 2
    assert expected_calibration_error(honest, np.array([0, 1, 0, 0])) == pytest.approx(0.0)


def test_image_corruptions_change_the_picture_as_named() -> None:
    rng = np.random.default_rng(0)
    x = np.zeros((2, 20, 20, 1), np.float32)
    x[:, 5:10, 5:10, :] = 1.0
    shifted = corrupt_images(x, "shift", rng)
    assert shifted[0, 7:12, 7:12, 0].min() == 1.0 and shifted[0, 5, 5, 0] == 0.0  # moved by 2 pixels
    flat = corrupt_images(x, "contrast", rng)
    assert flat.max() - flat.min() == pytest.approx(0.4, abs=1e-6)
    blurred = corrupt_images(x, "blur", rng)
    assert 0 < blurred[0, 4, 7, 0] < 1 and blurred.sum() == pytest.approx(x.sum(), rel=0.01)
    grey = np.full_like(x, 0.5)
    noisy = corrupt_images(grey, "gaussian_noise", rng)  # E|N(0, 0.1)| = 0.08
    assert 0.07 < np.abs(noisy - grey).mean() < 0.09 and noisy.min() >= 0 and noisy.max() <= 1
    rotated = corrupt_images(x, "rotation", rng)
    assert not np.array_equal(rotated, x) and rotated.shape == x.shape
    with pytest.raises(ValueError, match="kind must be one of"):
        corrupt_images(x, "snow", rng)


def test_text_corruptions_drop_or_swap_words_and_keep_padding_at_the_end() -> None:
    tokens = np.zeros((50, 40), np.int32)
    tokens[:, :30] = np.arange(2, 32)
    dropped = corrupt_texts(tokens, "word_dropout", np.random.default_rng(1))
    kept = (dropped != 0).sum(axis=1)
    assert 0.75 * 30 < kept.mean() < 0.95 * 30
    for row in dropped:  # the words left keep their order, padding follows them
        words = row[row != 0]
        assert np.all(np.diff(words) > 0) and np.all(row[len(words) :] == 0)
    swapped = corrupt_texts(tokens, "word_swaps", np.random.default_rng(1))
    assert all(sorted(row[:30]) == list(range(2, 32)) for row in swapped)
    assert (swapped[:, :30] != tokens[:, :30]).mean() > 0.1 and np.all(swapped[:, 30:] == 0)


def test_images_outside_the_unit_range_stay_in_their_own_range() -> None:
    rng = np.random.default_rng(0)
    x = np.zeros((4, 28, 28, 1), np.float32)
    x[:, 10:18, 10:18, :] = 255.0
    grey = np.full_like(x, 127.5)
    grey[0, 0, 0, 0], grey[0, 0, 1, 0] = 0.0, 255.0  # the range is 0-255
    noisy = corrupt_images(grey, "gaussian_noise", rng)  # std 0.1 of the range: E|N(0, 25.5)| = 20.3
    assert 18 < np.abs(noisy - grey).mean() < 22 and noisy.min() >= 0 and noisy.max() <= 255
    blurred = corrupt_images(x, "blur", rng)  # 1 pixel on a 28-pixel side
    assert 0 < blurred[0, 9, 14, 0] < 255


def test_other_arrays_are_corrupted_feature_by_feature() -> None:
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(100.0, 10.0, 500), rng.normal(0.0, 0.01, 500)]).astype(np.float32)
    noisy = corrupt_features(x, "feature_noise", rng)
    change = np.abs(noisy - x).mean(axis=0) / x.std(axis=0)  # E|N(0, 0.1)| = 0.08 of each spread
    assert np.allclose(change, 0.08, atol=0.015)
    dropped = corrupt_features(x, "feature_dropout", rng)
    replaced = ~np.isclose(dropped, x)
    assert 0.1 < replaced.mean() < 0.2
    assert np.allclose(dropped[replaced[:, 0], 0], x[:, 0].mean())
    with pytest.raises(ValueError, match="kind must be one of"):
        corrupt_features(x, "snow", rng)


def test_the_corruptions_suit_the_inputs() -> None:
    assert corruptions_for(np.zeros((2, 8, 8, 1)))[0] == IMAGE_CORRUPTIONS
    assert corruptions_for(np.zeros((2, 30), np.int32))[0] == TEXT_CORRUPTIONS
    assert corruptions_for(np.zeros((2, 30), np.float32))[0] == FEATURE_CORRUPTIONS
    assert corruptions_for(np.zeros((2, 10, 3), np.float32))[0] == FEATURE_CORRUPTIONS
    x = np.random.default_rng(0).random((3000, 4)).astype(np.float32)
    y = np.zeros(3000, np.int64)

    def always_zero(batch: np.ndarray) -> np.ndarray:
        assert len(batch) == 2000  # at most MAX_CORRUPTED_EXAMPLES
        return np.tile([1.0, 0.0], (len(batch), 1))

    assert corrupted_accuracies(always_zero, x, y) == dict.fromkeys(FEATURE_CORRUPTIONS, 1.0)
