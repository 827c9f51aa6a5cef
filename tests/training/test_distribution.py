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
    plan = plan_distribution(backend, available, target)
    assert (plan.kind, plan.devices) == (kind, devices)
    assert note in plan.note and (plan.note == "") == (note == "")


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="GPU counts must be >= 0"):
        plan_distribution("jax", 1, -1)


def test_the_single_scope_changes_nothing() -> None:
    with distribution_scope(DistributionPlan("single", 0), []):
        pass
