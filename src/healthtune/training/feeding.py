"""Feeding arrays to Keras: on TensorFlow, tf.data pipelines with autotuning off; elsewhere the arrays.

Keras turns NumPy arrays into a tf.data pipeline with `AUTOTUNE` parallelism. Its autotuning
thread is joined whenever an iterator is freed, and with two trials sharing the cores that join
stalled for ~20 s per iterator (train, validation, predict), which cost two concurrent workers a
third of their speed. A plain pipeline (shuffled indices, gathered batches, one batch prefetched)
trains at the same speed alone and side by side, and is just as deterministic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

PREFETCH_BATCHES = 1
PREDICT_BATCH_SIZE = 512


def _tensorflow() -> Any | None:
    import keras

    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    return tf


def _pipeline_options(tf: Any) -> Any:
    options = tf.data.Options()
    options.autotune.enabled = False
    options.deterministic = True
    return options


def _batches(tf: Any, arrays: tuple[np.ndarray, ...], batch_size: int, shuffle_seed: int | None) -> Any:
    """Batches of `arrays` gathered by index; reshuffled every epoch when `shuffle_seed` is set."""
    tensors = tuple(tf.convert_to_tensor(array) for array in arrays)
    indices = tf.data.Dataset.range(len(arrays[0]))
    if shuffle_seed is not None:
        indices = indices.shuffle(len(arrays[0]), seed=shuffle_seed, reshuffle_each_iteration=True)

    def gather(batch_indices: Any) -> Any:
        picked = tuple(tf.gather(tensor, batch_indices) for tensor in tensors)
        return picked if len(picked) > 1 else picked[0]

    pipeline = indices.batch(batch_size).map(gather).prefetch(PREFETCH_BATCHES)
    return pipeline.with_options(_pipeline_options(tf))


def fit_inputs(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    batch_size: int,
    seed: int,
) -> dict[str, Any]:
    """Keyword arguments for `model.fit`: training data (shuffled every epoch) and validation data."""
    tf = _tensorflow()
    if tf is None:
        return {"x": x_train, "y": y_train, "validation_data": (x_val, y_val), "batch_size": batch_size}
    return {
        "x": _batches(tf, (x_train, y_train), batch_size, shuffle_seed=seed),
        "validation_data": _batches(tf, (x_val, y_val), batch_size, shuffle_seed=None),
        "shuffle": False,  # the pipeline shuffles; Keras would only warn that it cannot
    }


def predict(model: Any, x: np.ndarray, batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
    """`model.predict` over `x` in order, as float64."""
    tf = _tensorflow()
    if tf is None:
        probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    else:
        probabilities = model.predict(_batches(tf, (x,), batch_size, shuffle_seed=None), verbose=0)
    return np.asarray(probabilities, dtype=np.float64)
