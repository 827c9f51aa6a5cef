"""build_model's networks train without false alarms from TensorFlow's graph optimizer or oneDNN."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from healthtune.core.config import Architecture
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


# A fresh process: TensorFlow logs oneDNN's data-type notice only once per process, so this one
# must not have trained an LSTM before.
LSTM_SCRIPT = """
import sys
import keras
from healthtune.data import load_dataset
from healthtune.models import ModelConfig, architecture_for, build_model

data = load_dataset("csv:" + sys.argv[1], validation_split=0.2, seed=0, max_samples=200,
                    vocab_size=500, sequence_length=20)
model = build_model(ModelConfig(architecture=architecture_for(data), text_encoder="lstm"), data, total_steps=4)
model.fit(data.x_train[:64], data.y_train[:64], batch_size=32, epochs=1, verbose=0)
print("trained", flush=True)
"""


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's oneDNN kernels only")
def test_a_masked_lstm_trains_without_onednn_s_bool_notice(shared_datasets: Path) -> None:
    # Every masked LSTM transposes its bool mask, and TensorFlow's oneDNN CPU kernels logged
    # "E... oneDNN supports DT_BOOL only on platforms with AVX-512. Falling back to ..." for it.
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": ""}
    done = subprocess.run(
        [sys.executable, "-c", LSTM_SCRIPT, str(shared_datasets / "reuters-r8")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "trained\n"
    assert "oneDNN supports" not in done.stderr, done.stderr
    assert "E0000" not in done.stderr, done.stderr
