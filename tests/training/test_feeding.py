"""The input pipelines: every sample once per epoch, a seeded reshuffle per epoch, ordered predictions."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from healthtune.data import Dataset
from healthtune.training.feeding import fit_inputs, predict


def epochs_of(pipeline: object, epochs: int) -> list[np.ndarray]:
    """The sample ids each epoch yields, in order (x holds the ids)."""
    return [np.concatenate([np.asarray(x) for x, _ in pipeline]) for _ in range(epochs)]  # type: ignore[attr-defined]


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the pipelines are TensorFlow's")
def test_training_batches_cover_every_sample_reshuffled_each_epoch_in_a_seeded_order() -> None:
    ids = np.arange(103, dtype=np.float32)
    labels = np.arange(103) % 3
    first = fit_inputs(ids, labels, ids[:10], labels[:10], batch_size=16, seed=5)
    again = fit_inputs(ids, labels, ids[:10], labels[:10], batch_size=16, seed=5)
    other = fit_inputs(ids, labels, ids[:10], labels[:10], batch_size=16, seed=6)

    orders = epochs_of(first["x"], 3)
    assert all(sorted(order.tolist()) == ids.tolist() for order in orders)
    assert not np.array_equal(orders[0], orders[1]), "each epoch is reshuffled"
    assert all(np.array_equal(a, b) for a, b in zip(orders, epochs_of(again["x"], 3), strict=True))
    assert not np.array_equal(orders[0], epochs_of(other["x"], 1)[0])
    batch_sizes = [len(x) for x, _ in first["x"]]
    assert batch_sizes == [16] * 6 + [7]
    for x, y in first["x"]:
        assert np.array_equal(np.asarray(y), np.asarray(x).astype(int) % 3), "labels stay with their samples"
    assert np.array_equal(epochs_of(first["validation_data"], 1)[0], ids[:10]), "validation is not shuffled"
    assert first["shuffle"] is False


def test_predict_returns_every_row_in_order(digits: Dataset) -> None:
    model = keras.Sequential(
        [keras.Input(digits.x_val.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    probabilities = predict(model, digits.x_val, batch_size=64)
    expected = np.asarray(model(digits.x_val, training=False))
    assert probabilities.dtype == np.float64 and probabilities.shape == (len(digits.x_val), 10)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)
