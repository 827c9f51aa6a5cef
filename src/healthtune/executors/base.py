"""Executor: where trials run. The orchestrator submits TrialSpecs and polls for their outcomes."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from healthtune.core.exceptions import TrialFailed

if TYPE_CHECKING:
    from healthtune.training.callbacks import TrialReporter
    from healthtune.training.spec import TrialResult, TrialSpec


@dataclass
class Outcome:
    """A trial that left the executor: its result, or why it failed."""

    number: int
    result: TrialResult | None = None
    failure: TrialFailed | None = None


class Executor(abc.ABC):
    """Runs up to `workers` trials at once.

    `poll` is called from the orchestrator's thread, and every reporter call (epoch ended, should
    this trial be pruned?) happens inside it, so Optuna is only ever touched from that thread.
    """

    name = "executor"

    def __init__(self, workers: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an integer >= 1, got {workers=}")
        self.workers = workers

    @property
    @abc.abstractmethod
    def in_flight(self) -> int:
        """Trials submitted and not yet returned by `poll`."""

    @property
    def free_slots(self) -> int:
        return max(0, self.workers - self.in_flight)

    @abc.abstractmethod
    def submit(self, spec: TrialSpec, reporter: TrialReporter) -> None:
        """Start the trial (or queue it); never blocks for its training."""

    @abc.abstractmethod
    def poll(self, timeout: float) -> list[Outcome]:
        """Relay progress to the reporters and return the trials that ended, waiting up to `timeout` s."""

    @abc.abstractmethod
    def cancel(self) -> list[int]:
        """Stop every in-flight trial promptly; returns their numbers (they are not returned by poll)."""

    def start(self) -> None:
        """Get the workers ready ahead of the first submit (called on entering `with`); optional."""
        return None

    def shutdown(self) -> None:
        """Release workers; the default cancels what still runs."""
        self.cancel()

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
