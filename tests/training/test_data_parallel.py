"""Data-parallel trials (target_gpus_per_worker > 1) for real, on virtual CPU devices in place of GPUs.

Each backend runs in its own process: the virtual devices must be set up before TensorFlow or JAX
starts. The trial then goes through the same `run_trial` as on a multi-GPU worker: MirroredStrategy
(TensorFlow) or keras DataParallel (JAX), health probes, evaluation, plots and the saved model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TRIAL_ON_DEVICES = """
import json, os, sys
backend, count, trial_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if backend == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    devices = [f"/cpu:{i}" for i in range(count)]
else:
    import jax
    devices = jax.devices("cpu")

from healthtune.core.config import Architecture
from healthtune.data import load_dataset
from healthtune.models import ModelConfig, build_model
from healthtune.training import trainer
from healthtune.training.distribution import distribution_scope, plan_distribution
from healthtune.training.spec import DataSpec, TrialSpec

plan = plan_distribution(backend, len(devices), count, 32)
model_config = ModelConfig(architecture=Architecture.CNN)
with distribution_scope(plan, devices):
    kernel = build_model(model_config, load_dataset("digits", validation_split=0.2, seed=0), total_steps=10).trainable_variables[0]
    if backend == "tensorflow":
        replicas = len(kernel.value.values)  # a MirroredVariable: one copy per device
    else:
        replicas = len(kernel.value.sharding.device_set)

trainer.gpu_devices = lambda _backend: devices  # the virtual devices stand in for GPUs
spec = TrialSpec("dp", 0, model_config.to_dict(), DataSpec("digits", 0.2, 0), 3, 32, 0, trial_dir, gpus=count, plots=True)
result = trainer.run_trial(spec)
print("RESULT " + json.dumps({"plan": plan.kind, "replicas": replicas, "state": result.state, **result.metrics}))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "devices", "strategy", "replicas"),
    [
        # 3 devices: a batch of 32 does not split evenly over 3, so 2 of them train it
        ("tensorflow", 3, "mirrored", 2),
        # 4 devices: the 270 validation examples end in a batch of 14, topped up to split over 4
        ("jax", 4, "data_parallel", 4),
    ],
)
def test_a_trial_trains_data_parallel_on_several_devices(
    backend: str, devices: int, strategy: str, replicas: int, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",  # JAX: that many CPU devices
        "CUDA_VISIBLE_DEVICES": "-1",
    }
    trial_dir = tmp_path / "trial_0"
    done = subprocess.run(
        [sys.executable, "-c", TRIAL_ON_DEVICES, backend, str(devices), str(trial_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))

    assert (result["plan"], result["replicas"]) == (strategy, replicas)
    assert (result["state"], result["distribution"], result["gpus"]) == ("complete", strategy, replicas)
    assert result["val_accuracy"] > 0.9  # digits: a single-device CNN reaches ~0.97 in 3 epochs
    assert set(result["health"]) >= {"gradient_health", "neuron_utilization", "training_stability"}
    assert 0 < result["health"]["gradient_health"] <= 1
    assert (trial_dir / "model.keras").is_file()
    assert (trial_dir / "plots" / "gradient_flow.png").is_file()
    assert json.loads((trial_dir / "health.json").read_text())["metrics"] == result["health"]
