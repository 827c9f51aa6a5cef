"""Feeding arrays to Keras: tf.data pipelines on TensorFlow, batches of one shape on JAX.

TensorFlow: Keras turns NumPy arrays into a tf.data pipeline with `AUTOTUNE` parallelism. Its
autotuning thread is joined whenever an iterator is freed, and with two trials sharing the cores
that join stalled for ~20 s per iterator (train, validation, predict), which cost two concurrent
workers a third of their speed. A plain pipeline (shuffled indices, gathered batches, one batch
prefetched) trains at the same speed alone and side by side, and is just as deterministic.

JAX compiles a step for every new batch shape, so a smaller last batch meant a second compile of
the training step in every trial (seconds each, most of a short trial on a GPU). There the last
training batch is topped up with the first examples of that epoch's order, and predictions pad
their input to whole batches; every batch has one shape and each step compiles once.
"""

from __future__ import annotations

import math
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


def _backend() -> str:
    import keras

    return str(keras.backend.backend())


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


def _even_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> Any:
    """A `keras.utils.PyDataset` of full batches, reshuffled every epoch in an order fixed by `seed`."""
    import keras

    class EvenBatches(keras.utils.PyDataset):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.order = self._order()

        def _order(self) -> np.ndarray:
            order = np.random.default_rng([seed, self.epoch]).permutation(len(y))
            return np.resize(order, examples_per_epoch(len(y), batch_size))  # tops the last batch up

        def __len__(self) -> int:
            return math.ceil(len(y) / batch_size)

        def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
            picked = self.order[index * batch_size : (index + 1) * batch_size]
            return x[picked], y[picked]

        def on_epoch_end(self) -> None:
            self.epoch += 1
            self.order = self._order()

    return EvenBatches()


def _data_parallel_devices() -> int:
    """How many devices a JAX fit splits each batch over: those of keras's DataParallel, or 1."""
    import keras

    distribution = keras.distribution.distribution()
    return 1 if distribution is None else int(distribution.device_mesh.devices.size)


def _split_evenly(x: np.ndarray, y: np.ndarray, devices: int) -> tuple[np.ndarray, np.ndarray]:
    """`x, y` topped up with their first examples to a multiple of `devices`.

    Data-parallel JAX splits every batch evenly over the devices, the last validation batch too.
    At most `devices - 1` examples count twice in the per-epoch validation figures; the trial's
    final validation metrics are computed afterwards on the examples as they are.
    """
    if devices <= 1 or len(y) % devices == 0 or len(y) == 0:
        return x, y
    picked = np.resize(np.arange(len(y)), _round_up(len(y), devices))
    return x[picked], y[picked]


def _round_up(count: int, multiple: int) -> int:
    return math.ceil(count / multiple) * multiple


def examples_per_epoch(samples: int, batch_size: int) -> int:
    """Examples one training epoch feeds: `samples`, or whole batches of them on JAX.

    With fewer samples than one batch, the one batch holds each sample once (topped up to split
    evenly over the devices of a data-parallel fit).
    """
    if _backend() != "jax":
        return samples
    return _round_up(samples, batch_size if samples > batch_size else _data_parallel_devices())


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
    if tf is None and _backend() == "jax" and len(y_train) > 0:
        return {
            "x": _even_batches(x_train, y_train, batch_size, seed),
            "validation_data": _split_evenly(x_val, y_val, _data_parallel_devices()),
            "validation_batch_size": batch_size,
            "shuffle": False,  # the batches shuffle themselves, in a seeded order
        }
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
    if tf is None and _backend() == "jax" and len(x) % batch_size:
        padding = np.zeros((batch_size - len(x) % batch_size, *x.shape[1:]), dtype=x.dtype)
        probabilities = model.predict(np.concatenate([x, padding]), batch_size=batch_size, verbose=0)[
            : len(x)
        ]
    elif tf is None:
        probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    else:
        probabilities = model.predict(_batches(tf, (x,), batch_size, shuffle_seed=None), verbose=0)
    return np.asarray(probabilities, dtype=np.float64)
