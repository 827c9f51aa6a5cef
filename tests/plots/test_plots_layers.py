"""Which layer the activation maps show, for healthtune's CNNs and for hand-built Keras models (no training)."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from healthtune.data import Dataset
from healthtune.models import ModelConfig, build_model
from healthtune.plots.activations import feature_layer, hidden_states, recurrent_layer


def test_the_first_block_activation_of_a_healthtune_cnn(digits: Dataset) -> None:
    assert feature_layer(build_model(ModelConfig(filters=4), digits, total_steps=1)).name == "act_1"
    stacked = build_model(ModelConfig(filters=4, convs_per_block=2), digits, total_steps=1)
    assert feature_layer(stacked).name == "act_1"


def test_a_conv_with_its_own_activation_or_a_separate_one() -> None:
    own = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu", name="c"),
            layers.Flatten(),
            layers.Dense(3),
        ]
    )
    assert feature_layer(own).name == "c"
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(4, 3, name="linear_conv")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU(name="relu")(x)
    separate = keras.Model(inputs, layers.Dense(3)(layers.Flatten()(x)))
    assert feature_layer(separate).name == "relu"


def test_no_feature_layer_in_a_dense_network_and_the_last_recurrent_layer() -> None:
    dense = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    assert feature_layer(dense) is None and recurrent_layer(dense) is None
    stacked = keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            layers.Embedding(10, 4),
            layers.LSTM(3, return_sequences=True, name="one"),
            layers.GRU(3, name="two"),
            layers.Dense(2),
        ]
    )
    assert recurrent_layer(stacked).name == "two"


def test_hidden_states_end_where_the_recurrent_layer_does() -> None:
    for masked in (True, False):
        for rnn in (layers.LSTM(3), layers.GRU(3), layers.Bidirectional(layers.GRU(2))):
            inputs = keras.Input((6,), dtype="int32")
            sequence = layers.Embedding(10, 4, mask_zero=masked)(inputs)
            model = keras.Model(inputs, layers.Dense(2)(rnn(sequence)))
            for padded in ([3, 4, 5, 2, 0, 0], [0, 0, 3, 4, 5, 2]):  # padding after or before the words
                states, difference = hidden_states(model, rnn, np.array([padded]))
                width = 4 if isinstance(rnn, layers.Bidirectional) else 3
                assert states.shape == (6, width)
                assert difference is not None and difference < 1e-6, (rnn, masked, padded)
