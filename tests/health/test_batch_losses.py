"""Each batch's own loss from the running mean Keras reports, with and without known batch sizes."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

import healthtune
from healthtune.data.base import Dataset
from healthtune.health.batch_losses import BatchLosses


def running_means(losses: list[float], sizes: list[int]) -> list[float]:
    weights = np.cumsum(sizes)
    return list(np.cumsum(np.multiply(losses, sizes)) / weights)


def test_known_batch_sizes_recover_every_batch_the_smaller_last_one_included() -> None:
    losses, sizes = [2.0, 1.0, 4.0, 0.5], [32, 32, 32, 4]  # 100 examples in batches of 32
    recorder = BatchLosses(samples=100, batch_size=32)
    recorder.start_epoch()
    for batch, mean in enumerate(running_means(losses, sizes)):
        recorder.add(batch, mean)
    recorder.end_epoch()
    assert np.allclose(recorder.losses, losses)


def test_unknown_sizes_take_batches_as_equal_and_drop_each_epoch_s_last_one() -> None:
    recorder = BatchLosses()
    for epoch_losses in ([2.0, 1.0, 4.0, 0.5], [0.3]):
        recorder.start_epoch()
        sizes = [32] * (len(epoch_losses) - 1) + [4]
        for batch, mean in enumerate(running_means(epoch_losses, sizes[: len(epoch_losses)])):
            recorder.add(batch, mean)
        recorder.end_epoch()
    # the first three of epoch 1 exactly, its smaller last batch dropped; an epoch of one batch kept
    assert np.allclose(recorder.losses, [2.0, 1.0, 4.0, 0.3])


def test_health_callback_records_each_batch_s_own_loss_not_keras_s_running_mean(digits: Dataset) -> None:
    logged: list[float] = []
    keep_log = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: logged.append(logs["loss"])
    )
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    health = healthtune.HealthCallback((digits.x_val, digits.y_val), plots=False)
    model.fit(
        digits.x_train, digits.y_train, epochs=2, batch_size=32, verbose=0, callbacks=[health, keep_log]
    )
    batches = -(-len(digits.y_train) // 32)
    own = health.history["batch_loss"]
    assert len(own) == 2 * (batches - 1)  # each epoch's smaller last batch is dropped
    # the mean of an epoch's own losses is Keras's running mean at that batch; the two series differ
    assert np.isclose(np.mean(own[: batches - 1]), logged[batches - 2], rtol=1e-4)
    assert not np.allclose(own[: batches - 1], logged[: batches - 1])
