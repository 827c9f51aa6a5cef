"""The backend-specific pieces of the health probes: per-weight gradients and a forward pass.

Each is bound to one model and built once: on JAX both are compiled with `jax.jit` on the first
probe and reused at every later one. Run op by op instead, a probe compiled dozens of small
kernels and took ~3 s per epoch on a CPU (~11 s the first time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

GradientFn = Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
ForwardFn = Callable[[np.ndarray], list[np.ndarray]]


def _tensorflow_gradients(model: Any) -> GradientFn:
    import tensorflow as tf

    loss_fn = _loss(model)

    def gradients(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        with tf.GradientTape() as tape:
            predictions = model(x, training=False)
            loss = loss_fn(y, predictions)
        grads = tape.gradient(loss, model.trainable_weights)
        return [_dense_numpy(g, w) for g, w in zip(grads, model.trainable_weights, strict=True)]

    return gradients


def _jax_gradients(model: Any) -> GradientFn:
    import jax

    loss_fn = _loss(model)

    def loss_of(trainable: list[Any], non_trainable: list[Any], x: Any, y: Any) -> Any:
        predictions, _ = model.stateless_call(trainable, non_trainable, x, training=False)
        return loss_fn(y, predictions)

    compiled = jax.jit(jax.grad(loss_of))

    def gradients(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        return [np.asarray(g) for g in compiled(*_jax_state(model), x, y)]

    return gradients


def _torch_gradients(model: Any) -> GradientFn:
    import torch

    loss_fn = _loss(model)

    def gradients(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        model.zero_grad()
        loss = loss_fn(torch.as_tensor(y), model(torch.as_tensor(x), training=False))
        loss.backward()
        return [
            np.zeros(tuple(w.shape)) if w.value.grad is None else w.value.grad.detach().cpu().numpy()
            for w in model.trainable_weights
        ]

    return gradients


def forward_fn(model: Any) -> ForwardFn:
    """`model(x, training=False)` as a list of NumPy arrays (one per output), compiled on JAX."""
    import keras

    if keras.backend.backend() != "jax":
        return lambda x: _as_list(model(x, training=False))
    import jax

    def outputs_of(trainable: list[Any], non_trainable: list[Any], x: Any) -> Any:
        return model.stateless_call(trainable, non_trainable, x, training=False)[0]

    compiled = jax.jit(outputs_of)

    def forward(x: np.ndarray) -> list[np.ndarray]:
        return _as_list(compiled(*_jax_state(model), x))

    return forward


def _jax_state(model: Any) -> tuple[list[Any], list[Any]]:
    """The model's current (trainable, non-trainable) values, for `stateless_call`; the second
    includes the RNG seeds."""
    return [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables]


def _as_list(outputs: Any) -> list[np.ndarray]:
    import keras

    outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
    return [np.asarray(keras.ops.convert_to_numpy(output)) for output in outputs]


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


ADAPTERS: dict[str, Callable[[Any], GradientFn]] = {
    "tensorflow": _tensorflow_gradients,
    "jax": _jax_gradients,
    "torch": _torch_gradients,
}


def gradient_fn(model: Any) -> GradientFn:
    """Gradients of `model`'s loss for the active Keras backend (`keras.backend.backend()`)."""
    import keras

    backend = keras.backend.backend()
    if backend not in ADAPTERS:
        raise NotImplementedError(f"health probes support backends {sorted(ADAPTERS)}, not {backend!r}")
    return ADAPTERS[backend](model)
