"""The input pipelines: every sample once per epoch, a seeded reshuffle per epoch, ordered predictions."""

from __future__ import annotations

import logging
from typing import Any

import keras
import numpy as np
import pytest

from healthtune.data import Dataset
from healthtune.training.feeding import _split_evenly, examples_per_epoch, fit_inputs, predict


def epochs_of(pipeline: object, epochs: int) -> list[np.ndarray]:
    """The sample ids each epoch yields, in order (x holds the ids)."""
    return [np.concatenate([np.asarray(x) for x, _ in pipeline]) for _ in range(epochs)]  # type: ignore[attr-defined]


IDS = np.arange(103, dtype=np.float32)  # x holds each sample's id; 103 = 6 batches of 16 and 7 left
LABELS = np.arange(103) % 3


def feed_ids(seed: int) -> dict[str, Any]:
    """`fit_inputs` over the ids, batches of 16, the first 10 ids as validation."""
    return fit_inputs(IDS, LABELS, IDS[:10], LABELS[:10], batch_size=16, seed=seed)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the pipelines are TensorFlow's")
def test_training_batches_cover_every_sample_reshuffled_each_epoch_in_a_seeded_order() -> None:
    ids = IDS
    first, again, other = feed_ids(5), feed_ids(5), feed_ids(6)

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


@pytest.mark.jax_core
def test_predict_returns_every_row_in_order(digits: Dataset) -> None:
    model = keras.Sequential(
        [keras.Input(digits.x_val.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    probabilities = predict(model, digits.x_val, batch_size=64)
    expected = np.asarray(model(digits.x_val, training=False))
    assert probabilities.dtype == np.float64 and probabilities.shape == (len(digits.x_val), 10)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.jax_core
@pytest.mark.skipif(keras.backend.backend() != "jax", reason="whole batches are fed on JAX only")
def test_jax_batches_are_whole_reshuffled_each_epoch_and_cover_every_sample() -> None:
    ids, labels = IDS, LABELS
    first, again = feed_ids(5), feed_ids(5)

    def epoch_order(batches: keras.utils.PyDataset) -> np.ndarray:
        order = [batches[i] for i in range(len(batches))]
        assert [len(x) for x, _ in order] == [16] * 7, "the last batch is topped up to full size"
        for x, y in order:
            assert np.array_equal(y, x.astype(int) % 3), "labels stay with their samples"
        batches.on_epoch_end()
        return np.concatenate([x for x, _ in order])

    orders = [epoch_order(first["x"]) for _ in range(3)]
    assert all(set(order.tolist()) == set(ids.tolist()) for order in orders), "every sample, every epoch"
    assert all(len(order) == 112 for order in orders)
    assert not np.array_equal(orders[0], orders[1]), "each epoch is reshuffled"
    assert all(np.array_equal(a, epoch_order(again["x"])) for a in orders), "the order is seeded"
    assert first["validation_batch_size"] == 16 and first["shuffle"] is False
    assert examples_per_epoch(103, 16) == 112
    tiny = fit_inputs(ids[:10], labels[:10], ids[:2], labels[:2], batch_size=16, seed=5)["x"]
    assert len(tiny) == 1 and sorted(tiny[0][0].tolist()) == ids[:10].tolist(), (
        "fewer than a batch: each once"
    )
    assert examples_per_epoch(10, 16) == 10


@pytest.mark.jax_core
@pytest.mark.skipif(keras.backend.backend() != "jax", reason="compiles are counted on JAX")
def test_jax_compiles_the_training_step_once_when_the_last_batch_is_short(
    digits: Dataset, caplog: pytest.LogCaptureFixture
) -> None:
    import jax

    model = keras.Sequential(
        [keras.Input(digits.x_train.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(digits.y_train) % 64, "the test needs a short last batch"
    inputs = fit_inputs(digits.x_train, digits.y_train, digits.x_val, digits.y_val, batch_size=64, seed=0)
    with caplog.at_level(logging.DEBUG), jax.log_compiles():
        model.fit(**inputs, epochs=2, verbose=0)
        predict(model, digits.x_val, batch_size=64)
    compiled = [
        r.getMessage() for r in caplog.records if "Finished XLA compilation of jit(" in r.getMessage()
    ]
    assert sum("jit(train_step)" in m for m in compiled) == 1, compiled
    assert sum("jit(predict_step)" in m for m in compiled) == 1, compiled


def test_validation_is_topped_up_to_split_evenly_over_data_parallel_devices() -> None:
    x, y = IDS[:14], LABELS[:14]
    topped_x, topped_y = _split_evenly(x, y, 4)
    assert topped_x.tolist() == [*x.tolist(), 0.0, 1.0], "the first examples count twice"
    assert np.array_equal(topped_y, topped_x.astype(int) % 3), "labels stay with their examples"
    assert len(_split_evenly(x[:1], y[:1], 4)[0]) == 4, "one example fills every device"
    assert _split_evenly(x, y, 1)[0] is x and _split_evenly(x, y, 7)[0] is x, "nothing to top up"
