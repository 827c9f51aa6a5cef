"""Data-parallel trials (target_gpus_per_worker=2) for real, on two virtual CPU devices in place of GPUs.

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

TWO_DEVICE_TRIAL = """
import json, os, sys
backend, trial_dir = sys.argv[1], sys.argv[2]
if backend == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    devices = ["/cpu:0", "/cpu:1"]
else:
    import jax
    devices = jax.devices("cpu")[:2]

from healthtune.config import Architecture
from healthtune.data import load_dataset
from healthtune.models import ModelConfig, build_model
from healthtune.training import trainer
from healthtune.training.distribution import distribution_scope, plan_distribution
from healthtune.training.spec import DataSpec, TrialSpec

plan = plan_distribution(backend, len(devices), 2)
model_config = ModelConfig(architecture=Architecture.CNN)
with distribution_scope(plan, devices):
    kernel = build_model(model_config, load_dataset("digits", validation_split=0.2, seed=0), total_steps=10).trainable_variables[0]
    if backend == "tensorflow":
        replicas = len(kernel.value.values)  # a MirroredVariable: one copy per device
    else:
        replicas = len(kernel.value.sharding.device_set)

trainer.gpu_devices = lambda _backend: devices  # the virtual devices stand in for GPUs
spec = TrialSpec("dp", 0, model_config.to_dict(), DataSpec("digits", 0.2, 0), 3, 32, 0, trial_dir, gpus=2, plots=True)
result = trainer.run_trial(spec)
print("RESULT " + json.dumps({"plan": plan.kind, "replicas": replicas, "state": result.state, **result.metrics}))
"""


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "strategy"), [("tensorflow", "mirrored"), ("jax", "data_parallel")])
def test_a_trial_trains_data_parallel_on_two_devices(backend: str, strategy: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",  # JAX: two CPU devices
        "CUDA_VISIBLE_DEVICES": "-1",
    }
    trial_dir = tmp_path / "trial_0"
    done = subprocess.run(
        [sys.executable, "-c", TWO_DEVICE_TRIAL, backend, str(trial_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))

    assert (result["plan"], result["replicas"]) == (strategy, 2)
    assert (result["state"], result["distribution"], result["gpus"]) == ("complete", strategy, 2)
    assert result["val_accuracy"] > 0.9  # digits: a single-device CNN reaches ~0.97 in 3 epochs
    assert set(result["health"]) >= {"gradient_health", "neuron_utilization", "training_stability"}
    assert 0 < result["health"]["gradient_health"] <= 1
    assert (trial_dir / "model.keras").is_file()
    assert (trial_dir / "plots" / "gradient_flow.png").is_file()
    assert json.loads((trial_dir / "health.json").read_text())["metrics"] == result["health"]
