"""Data-parallel training of one trial over several GPUs: which strategy, and its scope."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

logger = logging.getLogger(__name__)

StrategyKind = Literal["single", "mirrored", "data_parallel"]
STRATEGIES: dict[str, StrategyKind] = {"tensorflow": "mirrored", "jax": "data_parallel"}


@dataclass(frozen=True)
class DistributionPlan:
    """How a trial uses the GPUs it sees: `devices` replicas of `kind`, and why."""

    kind: StrategyKind
    devices: int
    note: str = ""


def plan_distribution(
    backend: str, available_gpus: int, target_gpus: int, batch_size: int
) -> DistributionPlan:
    """The strategy for `target_gpus` (target_gpus_per_worker) given what exists on this worker.

    TensorFlow: `tf.distribute.MirroredStrategy`; JAX: `keras.distribution.DataParallel`. Both
    split every batch evenly over the GPUs, so the plan uses the most GPUs (up to the target) that
    divide `batch_size`. One GPU, no GPU, or another backend: plain single-device training. The
    note says why when the target is not met.
    """
    if target_gpus < 0 or available_gpus < 0 or batch_size < 1:
        raise ValueError(
            f"GPU counts must be >= 0 and batch_size >= 1, got {target_gpus=}, {available_gpus=} and {batch_size=}"
        )
    if target_gpus <= 1:
        return DistributionPlan("single", min(available_gpus, 1))
    if available_gpus <= 1:
        return DistributionPlan(
            "single",
            available_gpus,
            f"target_gpus_per_worker={target_gpus} ignored: this worker has {available_gpus} GPU(s)",
        )
    if backend not in STRATEGIES:
        return DistributionPlan(
            "single",
            1,
            f"target_gpus_per_worker={target_gpus} ignored: no data-parallel strategy for {backend}",
        )
    usable = min(target_gpus, available_gpus)
    devices = max(count for count in range(1, usable + 1) if batch_size % count == 0)
    notes = [] if usable == target_gpus else [f"only {usable} GPUs here"]
    if devices < usable:
        notes.append(
            f"batch_size={batch_size} does not split evenly over {usable} GPUs, so {devices} train it "
            f"(a batch_size that is a multiple of {usable} uses all {usable})"
        )
    note = f"target_gpus_per_worker={target_gpus}: " + "; ".join(notes) if notes else ""
    return DistributionPlan(STRATEGIES[backend] if devices > 1 else "single", devices, note)


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
