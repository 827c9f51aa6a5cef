"""The same model probed under TensorFlow and under JAX gives the same health measurements."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from healthtune.data import load_dataset

PROBE_SCRIPT = """
import json, sys
import keras, numpy as np
from healthtune.health.gradient_states import gradient_health
from healthtune.health.metrics import neuron_utilization
from healthtune.health.probes import Prober
model = keras.saving.load_model(sys.argv[1])
batch = np.load(sys.argv[2])
snapshot = Prober(model, batch["x"], batch["y"]).snapshot(1)
print(json.dumps({
    "backend": keras.backend.backend(),
    "snapshot": snapshot.to_dict(),
    "neuron_utilization": neuron_utilization(snapshot).score,
    "gradient_health": gradient_health([snapshot]).score,
}))
"""


def probe_under(backend: str, model_path: Path, batch_path: Path) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "KERAS_BACKEND": backend}
    done = subprocess.run(
        [sys.executable, "-c", PROBE_SCRIPT, str(model_path), str(batch_path)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    return result  # type: ignore[no-any-return]


def test_tensorflow_and_jax_probe_the_same_numbers(tmp_path: Path) -> None:
    pytest.importorskip("jax")
    pytest.importorskip("tensorflow")
    import keras

    from healthtune.models import ModelConfig, build_model

    keras.utils.set_random_seed(0)  # the same model on every run, so a failure can be replayed
    data = load_dataset("digits", validation_split=0.2, seed=0)
    model = build_model(ModelConfig(dense_units=32), data, total_steps=100)
    model.fit(data.x_train, data.y_train, epochs=1, batch_size=64, verbose=0)
    model_path = tmp_path / "model.keras"
    model.save(model_path)
    batch_path = tmp_path / "batch.npz"
    np.savez(batch_path, x=data.x_val[:128], y=data.y_val[:128])
    assert keras.saving.load_model(model_path) is not None

    # Float32 kernels differ between CPUs and backends (oneDNN under TensorFlow, XLA under JAX):
    # one CI machine put a gradient norm 0.3% apart. The mistakes this test guards against
    # (dropout left on, another loss, layers paired wrongly) move norms by 10-100%.
    tf_result = probe_under("tensorflow", model_path, batch_path)
    jax_result = probe_under("jax", model_path, batch_path)

    for tf_layer, jax_layer in zip(
        tf_result["snapshot"]["activity"], jax_result["snapshot"]["activity"], strict=True
    ):
        assert tf_layer["layer"] == jax_layer["layer"]
        np.testing.assert_allclose(tf_layer["mean_abs"], jax_layer["mean_abs"], rtol=1e-2, atol=1e-5)
        assert tf_layer["dormant"] == jax_layer["dormant"]
    for tf_grad, jax_grad in zip(
        tf_result["snapshot"]["gradients"], jax_result["snapshot"]["gradients"], strict=True
    ):
        assert tf_grad["layer"] == jax_grad["layer"]
        np.testing.assert_allclose(tf_grad["grad_norm"], jax_grad["grad_norm"], rtol=2e-2, atol=1e-7)
        np.testing.assert_allclose(tf_grad["update_ratio"], jax_grad["update_ratio"], rtol=2e-2, atol=1e-9)
    for metric in ("neuron_utilization", "gradient_health"):
        assert abs(tf_result[metric] - jax_result[metric]) <= 1e-2
