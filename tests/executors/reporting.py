"""Test helpers for executors: a reporter that records what is relayed, and waiting for one outcome."""

from __future__ import annotations

import time

from healthtune.executors import Executor, Outcome
from healthtune.training.spec import TrialSpec


class Recorder:
    """The orchestrator's side of a trial: records epochs and values, prunes from epoch `prune_at` on."""

    def __init__(self, prune_at: int | None = None) -> None:
        self.prune_at = prune_at
        self.epochs: list[int] = []
        self.values: dict[int, float] = {}

    def epoch_ended(self, epoch: int, metrics: dict[str, float]) -> None:
        self.epochs.append(epoch)

    def should_prune(self, epoch: int, value: float) -> bool:
        self.values[epoch] = value
        return self.prune_at is not None and epoch >= self.prune_at

    def stop_requested(self) -> bool:
        return False


def first_outcome(
    executor: Executor, spec: TrialSpec, reporter: Recorder | None = None, timeout: float = 300
) -> Outcome:
    """Submit `spec` and poll until its outcome arrives."""
    executor.submit(spec, reporter or Recorder())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outcomes = executor.poll(0.5)
        if outcomes:
            return outcomes[0]
    raise AssertionError(f"trial {spec.trial_number} gave no outcome within {timeout:.0f} s")
