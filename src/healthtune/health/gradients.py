"""Per-weight gradients of the loss on one batch: the one backend-specific piece of the health probes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

GradientFn = Callable[[Any, np.ndarray, np.ndarray], list[np.ndarray]]


def _tensorflow_gradients(model: Any, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    import tensorflow as tf

    loss_fn = _loss(model)
    with tf.GradientTape() as tape:
        predictions = model(x, training=False)
        loss = loss_fn(y, predictions)
    grads = tape.gradient(loss, model.trainable_weights)
    return [_dense_numpy(g, w) for g, w in zip(grads, model.trainable_weights, strict=True)]


def _jax_gradients(model: Any, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    import jax

    loss_fn = _loss(model)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]  # includes RNG seeds

    def loss_of(values: list[Any]) -> Any:
        predictions, _ = model.stateless_call(values, non_trainable, x, training=False)
        return loss_fn(y, predictions)

    return [np.asarray(g) for g in jax.grad(loss_of)(trainable)]


def _torch_gradients(model: Any, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    import torch

    loss_fn = _loss(model)
    model.zero_grad()
    loss = loss_fn(torch.as_tensor(y), model(torch.as_tensor(x), training=False))
    loss.backward()
    return [
        np.zeros(tuple(w.shape)) if w.value.grad is None else w.value.grad.detach().cpu().numpy()
        for w in model.trainable_weights
    ]


def _loss(model: Any) -> Callable[[Any, Any], Any]:
    """The model's compiled loss, reduced to its batch mean (jax.grad needs a scalar)."""
    import keras

    compiled = getattr(model, "loss", None) or "sparse_categorical_crossentropy"
    per_sample = keras.losses.get(compiled) if isinstance(compiled, str) else compiled
    return lambda y, predictions: keras.ops.mean(per_sample(y, predictions))


def _dense_numpy(gradient: Any, weight: Any) -> np.ndarray:
    if gradient is None:  # the weight does not influence the loss on this batch
        return np.zeros(tuple(weight.shape))
    import tensorflow as tf

    if isinstance(gradient, tf.IndexedSlices):  # embeddings give sparse gradients
        gradient = tf.convert_to_tensor(gradient)
    return np.asarray(gradient)


ADAPTERS: dict[str, GradientFn] = {
    "tensorflow": _tensorflow_gradients,
    "jax": _jax_gradients,
    "torch": _torch_gradients,
}


def gradient_fn() -> GradientFn:
    """The adapter for the active Keras backend (`keras.backend.backend()`)."""
    import keras

    backend = keras.backend.backend()
    if backend not in ADAPTERS:
        raise NotImplementedError(f"health probes support backends {sorted(ADAPTERS)}, not {backend!r}")
    return ADAPTERS[backend]
