"""Strategy selection for target_gpus_per_worker: mirrored on TensorFlow, DataParallel on JAX, else single."""

from __future__ import annotations

import pytest

from healthtune.training.distribution import DistributionPlan, distribution_scope, plan_distribution


@pytest.mark.parametrize(
    ("backend", "available", "target", "kind", "devices", "note"),
    [
        ("tensorflow", 0, 1, "single", 0, ""),
        ("tensorflow", 1, 1, "single", 1, ""),
        ("tensorflow", 8, 1, "single", 1, ""),
        ("tensorflow", 0, 4, "single", 0, "ignored: this worker has 0 GPU(s)"),
        ("jax", 1, 2, "single", 1, "ignored: this worker has 1 GPU(s)"),
        ("tensorflow", 4, 2, "mirrored", 2, ""),
        ("tensorflow", 2, 4, "mirrored", 2, "only 2 GPUs here"),
        ("jax", 8, 8, "data_parallel", 8, ""),
        ("torch", 4, 2, "single", 1, "no data-parallel strategy for torch"),
    ],
)
def test_the_strategy_follows_backend_and_gpus(
    backend: str, available: int, target: int, kind: str, devices: int, note: str
) -> None:
    plan = plan_distribution(backend, available, target, batch_size=64)
    assert (plan.kind, plan.devices) == (kind, devices)
    assert note in plan.note and (plan.note == "") == (note == "")


@pytest.mark.parametrize(
    ("available", "target", "batch_size", "kind", "devices"),
    [
        (3, 3, 64, "mirrored", 2),  # 64 does not split over 3 GPUs: 2 of them train it
        (3, 3, 96, "mirrored", 3),
        (8, 8, 12, "mirrored", 6),
        (4, 4, 7, "single", 1),  # a prime batch size splits over no GPU count
        (8, 6, 64, "mirrored", 4),
    ],
)
def test_every_batch_splits_evenly_over_the_gpus(
    available: int, target: int, batch_size: int, kind: str, devices: int
) -> None:
    plan = plan_distribution("tensorflow", available, target, batch_size)
    assert (plan.kind, plan.devices) == (kind, devices)
    assert batch_size % plan.devices == 0
    if devices < min(available, target):
        assert (
            f"batch_size={batch_size} does not split evenly over {min(available, target)} GPUs" in plan.note
        )


def test_negative_counts_and_empty_batches_are_refused() -> None:
    with pytest.raises(ValueError, match="GPU counts must be >= 0"):
        plan_distribution("jax", 1, -1, 64)
    with pytest.raises(ValueError, match="batch_size >= 1"):
        plan_distribution("jax", 2, 2, 0)


def test_the_single_scope_changes_nothing() -> None:
    with distribution_scope(DistributionPlan("single", 0), []):
        pass
