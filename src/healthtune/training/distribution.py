"""Data-parallel training of one trial over several GPUs: which strategy, and its scope."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

logger = logging.getLogger(__name__)

StrategyKind = Literal["single", "mirrored", "data_parallel"]


@dataclass(frozen=True)
class DistributionPlan:
    """How a trial uses the GPUs it sees: `devices` replicas of `kind`, and why."""

    kind: StrategyKind
    devices: int
    note: str = ""


def plan_distribution(backend: str, available_gpus: int, target_gpus: int) -> DistributionPlan:
    """The strategy for `target_gpus` (target_gpus_per_worker) given what exists on this worker.

    TensorFlow: `tf.distribute.MirroredStrategy`; JAX: `keras.distribution.DataParallel`. One GPU,
    no GPU, or another backend: plain single-device training (with a note when the target is not met).
    """
    if target_gpus < 0 or available_gpus < 0:
        raise ValueError(f"GPU counts must be >= 0, got {target_gpus=} and {available_gpus=}")
    if target_gpus <= 1:
        return DistributionPlan("single", min(available_gpus, 1))
    if available_gpus <= 1:
        return DistributionPlan(
            "single",
            available_gpus,
            f"target_gpus_per_worker={target_gpus} ignored: this worker has {available_gpus} GPU(s)",
        )
    devices = min(target_gpus, available_gpus)
    note = "" if devices == target_gpus else f"target_gpus_per_worker={target_gpus}: only {devices} GPUs here"
    if backend == "tensorflow":
        return DistributionPlan("mirrored", devices, note)
    if backend == "jax":
        return DistributionPlan("data_parallel", devices, note)
    return DistributionPlan(
        "single", 1, f"target_gpus_per_worker={target_gpus} ignored: no data-parallel strategy for {backend}"
    )


def gpu_devices(backend: str) -> list[Any]:
    """The GPUs the Keras backend can train on in this process: TensorFlow device names, JAX devices."""
    if backend == "tensorflow":
        import tensorflow as tf

        return [f"/gpu:{i}" for i in range(len(tf.config.list_physical_devices("GPU")))]
    if backend == "jax":
        import jax

        return [device for device in jax.devices() if device.platform == "gpu"]
    if backend == "torch":
        import torch

        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return []


@contextlib.contextmanager
def distribution_scope(plan: DistributionPlan, devices: list[Any]) -> Iterator[None]:
    """Build, compile and fit inside this scope to train on the first `plan.devices` of `devices`."""
    if plan.note:
        logger.info(plan.note)
    replicas = devices[: plan.devices]
    if plan.kind == "mirrored":
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy(devices=replicas)
        logger.info("training data-parallel on %d devices (MirroredStrategy)", strategy.num_replicas_in_sync)
        with strategy.scope():
            yield
    elif plan.kind == "data_parallel":
        import keras

        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=replicas))
        logger.info("training data-parallel on %d devices (keras DataParallel)", len(replicas))
        try:
            yield
        finally:
            keras.distribution.set_distribution(previous)
    else:
        yield
