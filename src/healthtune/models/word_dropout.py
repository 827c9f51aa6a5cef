"""WordDropout, the text networks' training-time regularizer, and the plain-Keras model saved in its place."""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="healthtune")
class WordDropout(keras.layers.Layer):  # type: ignore[misc]
    """Hides a random share of a text's words at each training step by turning their tokens into padding.

    Padding is masked out of the encoders (a bag of embeddings averages only the words left), so the
    network cannot lean on a few telling words and learns from all of them, as the word dropout of
    deep averaging networks (Iyyer et al., 2015). It is the identity at inference. At 0.1 it raised the
    default bag of embeddings' Reuters R8 test accuracy from 0.9694 to 0.9711 (7 seeds) and from 0.9127
    to 0.9226 on 400-document draws (5 seeds; docs/quality.md).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"rate must be in [0, 1), got {rate=}")
        self.rate, self.seed = float(rate), seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, tokens: Any, training: bool | None = None) -> Any:
        if not training or self.rate == 0:
            return tokens
        keep = keras.random.uniform(keras.ops.shape(tokens), seed=self.seed_generator) >= self.rate
        dropped = keras.ops.where(keep, tokens, keras.ops.zeros_like(tokens))
        # a text left without a word would average nothing (0 / 0: a NaN loss): it keeps all of its words
        left = keras.ops.any(keras.ops.not_equal(dropped, 0), axis=-1, keepdims=True)
        return keras.ops.where(left, dropped, tokens)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


def for_saving(model: keras.Model) -> keras.Model:
    """The model to save: each WordDropout (the identity at inference) becomes Keras' own Identity, so the
    file loads in plain Keras without healthtune; a model without one is returned as it is."""
    if not any(isinstance(layer, WordDropout) for layer in model.layers):
        return model

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        if isinstance(layer, WordDropout):
            return keras.layers.Identity(name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    saved = keras.models.clone_model(model, clone_function=clone)
    for layer in saved.layers:
        layer.set_weights(model.get_layer(layer.name).get_weights())
    # compiled as the original (a fresh optimizer, built so that loading finds every variable it expects)
    optimizer = model.optimizer.__class__.from_config(model.optimizer.get_config())
    saved.compile(optimizer=optimizer, loss=model.loss, metrics=["accuracy"])
    optimizer.build(saved.trainable_variables)
    return saved
