"""The backend-specific pieces of the health probes: per-weight gradients and the probed layers' outputs.

Each is bound to one model and built once: on JAX both are compiled with `jax.jit` on the first
probe and reused at every later one. Run op by op instead, a probe compiled dozens of small
kernels and took ~3 s per epoch on a CPU (~11 s the first time).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

GradientFn = Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
ForwardFn = Callable[[np.ndarray], list[np.ndarray]]


def _tensorflow_gradients(model: Any) -> GradientFn:
    import tensorflow as tf

    loss_fn = _loss(model)

    def tape_gradients(x: np.ndarray, y: np.ndarray) -> list[Any]:
        with tf.GradientTape() as tape:
            predictions = model(x, training=False)
            loss = loss_fn(y, predictions)
        return list(tape.gradient(loss, model.trainable_weights))

    @functools.cache
    def replicated(strategy: Any) -> Any:
        # Traced once per strategy: run eagerly, MirroredStrategy logs an overhead warning at every probe.
        return tf.function(lambda x, y: strategy.run(tape_gradients, args=(x, y)))

    def gradients(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        if tf.distribute.has_strategy() and tf.distribute.in_cross_replica_context():
            # Data-parallel (MirroredStrategy): a mirrored variable is differentiable only inside a
            # replica. Every replica holds the same weights, so one replica's gradients on the whole
            # probe batch are the model's gradients.
            strategy = tf.distribute.get_strategy()
            per_replica = replicated(strategy)(x, y)
            grads = [None if g is None else strategy.experimental_local_results(g)[0] for g in per_replica]
        else:
            grads = tape_gradients(x, y)
        return [_dense_numpy(g, w) for g, w in zip(grads, model.trainable_weights, strict=True)]

    return gradients


def _jax_gradients(model: Any) -> GradientFn:
    import jax

    loss_fn = _loss(model)

    mode = _inference(model)

    def loss_of(trainable: list[Any], non_trainable: list[Any], x: Any, y: Any) -> Any:
        predictions, _ = model.stateless_call(trainable, non_trainable, x, **mode)
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


def layer_outputs_fn(model: Any, layers: Sequence[Any]) -> ForwardFn:
    """What each of `layers` (at any depth of `model`) outputs when `model(x, training=False)` runs,
    as NumPy arrays; compiled on JAX. A layer the pass never called gives an empty array.

    The outputs are recorded as the layers are called, not read from a graph, so nested models
    (a `keras.applications` backbone used as a layer) and subclassed models are probed as well.
    """
    import keras

    def outputs_of(run: Callable[[], Any]) -> list[Any]:
        with _recording(layers) as recorded:
            run()
        return [recorded.get(index) for index in range(len(layers))]

    if keras.backend.backend() != "jax":
        return lambda x: _as_list(outputs_of(lambda: model(x, training=False)))
    import jax

    mode = _inference(model)

    def traced(trainable: list[Any], non_trainable: list[Any], x: Any) -> list[Any]:
        # The layers are wrapped only while jax traces; the compiled function runs without them.
        return outputs_of(lambda: model.stateless_call(trainable, non_trainable, x, **mode))

    compiled = jax.jit(traced)
    return lambda x: _as_list(compiled(*_jax_state(model), x))


@contextlib.contextmanager
def _recording(layers: Sequence[Any]) -> Iterator[dict[int, Any]]:
    """Within the block, each layer's first output (of a layer returning several, the first) by position."""
    recorded: dict[int, Any] = {}
    wrapped = []
    for index, layer in enumerate(layers):
        own = vars(layer).get("call")  # normally None: `call` is the class's method

        def call(*args: Any, _index: int = index, _call: Any = layer.call, **kwargs: Any) -> Any:
            output = _call(*args, **kwargs)
            recorded.setdefault(_index, output[0] if isinstance(output, list | tuple) else output)
            return output

        layer.call = call
        wrapped.append((layer, own))
    try:
        yield recorded
    finally:
        for layer, own in wrapped:
            if own is None:
                del layer.call
            else:
                layer.call = own


def _inference(model: Any) -> dict[str, bool]:
    """`training=False` for `stateless_call`, unless the model's own `call` takes no `training` (a
    subclassed model may not): Keras' `__call__` drops it then, `stateless_call` passes it on."""
    import inspect

    parameters = inspect.signature(model.call).parameters
    takes = "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    return {"training": False} if takes else {}


def _jax_state(model: Any) -> tuple[list[Any], list[Any]]:
    """The model's current (trainable, non-trainable) values, for `stateless_call`; the second
    includes the RNG seeds."""
    return [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables]


def _as_list(outputs: list[Any]) -> list[np.ndarray]:
    import keras

    return [
        np.zeros(0) if output is None else np.asarray(keras.ops.convert_to_numpy(output))
        for output in outputs
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
