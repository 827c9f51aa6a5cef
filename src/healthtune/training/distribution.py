"""Data-parallel training of one trial over several GPUs: which strategy, and its scope."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

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


def available_gpus(backend: str) -> int:
    """GPUs the Keras backend can use in this process."""
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return sum(1 for device in jax.devices() if device.platform == "gpu")
    if backend == "torch":
        import torch

        return int(torch.cuda.device_count())
    return 0


@contextlib.contextmanager
def distribution_scope(plan: DistributionPlan) -> Iterator[None]:
    """Build, compile and fit inside this scope to train on the plan's devices."""
    if plan.note:
        logger.info(plan.note)
    if plan.kind == "mirrored":
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy(devices=[f"/gpu:{i}" for i in range(plan.devices)])
        logger.info("training data-parallel on %d GPUs (MirroredStrategy)", plan.devices)
        with strategy.scope():
            yield
    elif plan.kind == "data_parallel":
        import jax
        import keras

        gpus = [device for device in jax.devices() if device.platform == "gpu"][: plan.devices]
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=gpus))
        logger.info("training data-parallel on %d GPUs (keras DataParallel)", plan.devices)
        try:
            yield
        finally:
            keras.distribution.set_distribution(previous)
    else:
        yield
