"""TensorBoardLogger writes scalars and weight/gradient histograms under TensorFlow and JAX; TensorBoard serves them."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from healthtune.data import Dataset, load_dataset
from healthtune.plots.tensorboard_server import TensorBoardError, launch_tensorboard

SMALL_CNN = {"filters": 4, "conv_blocks": 1, "dense_units": 8, "lr_schedule": "constant"}

TRAIN_SCRIPT = """
import json, sys
import keras
from healthtune.data import load_dataset
from healthtune.models import ModelConfig, build_model
from healthtune.training.tensorboard import TensorBoardLogger
from healthtune.training.trainer import seed_everything

seed_everything(0)
data = load_dataset("digits", validation_split=0.2, seed=0)
model = build_model(ModelConfig(**json.loads(sys.argv[2])), data, total_steps=100)
logger = TensorBoardLogger(sys.argv[1], data.x_val[:64], data.y_val[:64])
model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val), epochs=2, batch_size=64,
          callbacks=[logger], verbose=0)
print(json.dumps({"backend": keras.backend.backend(), "weights": [w.path for w in model.trainable_weights]}))
"""


def read_events(log_dir: Path) -> dict[str, object]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "histograms": 0})
    accumulator.Reload()
    scalars = {
        tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]
    }
    histograms = {
        tag: [e.step for e in accumulator.Histograms(tag)] for tag in accumulator.Tags()["histograms"]
    }
    return {"scalars": scalars, "histograms": histograms}


def check_events(log_dir: Path, weight_paths: list[str]) -> None:
    events = read_events(log_dir)
    scalars, histograms = events["scalars"], events["histograms"]
    assert isinstance(scalars, dict) and isinstance(histograms, dict)
    for tag in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        assert [step for step, _ in scalars[tag]] == [1, 2], tag
    assert scalars["learning_rate"][0][1] == pytest.approx(1e-3)
    assert 0.0 <= scalars["val_accuracy"][-1][1] <= 1.0
    for path in weight_paths:
        assert histograms[f"weights/{path}"] == [1, 2]
        assert histograms[f"gradients/{path}"] == [1, 2]
    assert "weights/conv_1/kernel" in histograms and "gradients/predictions/bias" in histograms


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load_dataset("digits", validation_split=0.2, seed=0)


def test_logger_writes_scalars_and_histograms(digits: Dataset, tmp_path: Path) -> None:
    from healthtune.models import ModelConfig, build_model
    from healthtune.training.tensorboard import TensorBoardLogger
    from healthtune.training.trainer import seed_everything

    seed_everything(0)
    model = build_model(ModelConfig(**SMALL_CNN), digits, total_steps=100)  # type: ignore[arg-type]
    logger = TensorBoardLogger(tmp_path / "tb", digits.x_val[:64], digits.y_val[:64])
    model.fit(digits.x_train, digits.y_train, validation_data=(digits.x_val, digits.y_val), epochs=2,
              batch_size=64, callbacks=[logger], verbose=0)  # fmt: skip
    check_events(tmp_path / "tb", [w.path for w in model.trainable_weights])


def test_logger_writes_under_jax(tmp_path: Path) -> None:
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run(
        [sys.executable, "-c", TRAIN_SCRIPT, str(tmp_path / "tb"), json.dumps(SMALL_CNN)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == "jax"
    check_events(tmp_path / "tb", result["weights"])


def test_a_failing_writer_does_not_stop_training(
    digits: Dataset, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import keras

    from healthtune.training.tensorboard import TensorBoardLogger

    blocked = tmp_path / "not_a_directory"
    blocked.write_text("a file where the log directory should be", encoding="utf-8")
    model = keras.Sequential(
        [keras.Input(digits.input_shape), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    logger = TensorBoardLogger(blocked / "tb", digits.x_val[:32], digits.y_val[:32])
    with caplog.at_level(logging.WARNING, logger="healthtune.training.tensorboard"):
        history = model.fit(
            digits.x_train, digits.y_train, epochs=2, batch_size=128, callbacks=[logger], verbose=0
        )
    assert len(history.history["loss"]) == 2
    assert "TensorBoard logging" in caplog.text and "training goes on" in caplog.text


def test_launch_tensorboard_serves_the_runs(tmp_path: Path) -> None:
    from tensorboardX import SummaryWriter

    with pytest.raises(TensorBoardError, match="no TensorBoard event files"):
        launch_tensorboard(tmp_path)
    with pytest.raises(TensorBoardError, match="does not exist"):
        launch_tensorboard(tmp_path / "missing")
    writer = SummaryWriter(logdir=str(tmp_path / "trial_0"))
    writer.add_scalar("val_accuracy", 0.5, 1)
    writer.close()

    url = launch_tensorboard(tmp_path, port=0)
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url + "data/runs", timeout=30) as response:
        assert json.loads(response.read()) == ["trial_0"]
