"""build_model's networks train without false alarms from TensorFlow's graph optimizer."""

from __future__ import annotations

import keras
import pytest

from healthtune.config import Architecture
from healthtune.data import Dataset
from healthtune.models import ModelConfig, build_model


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's grappler only")
def test_a_leaky_relu_cnn_trains_without_a_remapper_error(
    digits: Dataset, capfd: pytest.CaptureFixture[str]
) -> None:
    # This network made grappler's remapper log "E... remapper failed: INVALID_ARGUMENT ...
    # LeakyReluGrad" straight to descriptor 2 at its first training step.
    config = ModelConfig(
        architecture=Architecture.CNN, activation="leaky_relu", conv_blocks=4, convs_per_block=2,
        filters=16, kernel_size=5, batch_norm=False, pooling="avg", global_pooling=True,
        dense_layers=2, dense_units=32,
    )  # fmt: skip
    model = build_model(config, digits, total_steps=8)
    model.fit(digits.x_train[:256], digits.y_train[:256], batch_size=32, epochs=1, verbose=0)

    assert "remapper failed" not in capfd.readouterr().err
    import tensorflow as tf

    build_model(ModelConfig(architecture=Architecture.CNN), digits, total_steps=8)  # relu
    assert tf.config.optimizer.get_experimental_options().get("remapping", True), (
        "other networks keep the fusion pass"
    )
