"""RayExecutor: each trial is a Ray task (GPUs, retries of dead workers), its epochs relayed as they end."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import TrialFailed
from healthtune.executors.base import Executor, Outcome
from healthtune.executors.payloads import ProgressRelay
from healthtune.executors.ray_cluster import connect, remote_functions, trial_resources

if TYPE_CHECKING:
    from healthtune.core.config import OptimizationConfig
    from healthtune.training.callbacks import TrialReporter
    from healthtune.training.spec import TrialSpec

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # the longest poll waits for a result before it looks at the progress again
# ray.exceptions.<name>Error: the worker process (or its node) died; Ray retried it max_retries times
DEATHS = ("WorkerCrashed", "NodeDied", "LocalRayletDied", "ObjectLost", "OutOfMemory")
FORWARDED_ENVIRONMENT = ("KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL")  # same backend on the workers


@dataclass
class _Running:
    spec: TrialSpec
    reporter: TrialReporter
    ref: Any
    started: float
    resubmitted: bool = False
    relay: ProgressRelay = field(default_factory=ProgressRelay)  # a retried task's epochs go out once


class RayExecutor(Executor):
    """Each trial is a Ray task in a fresh worker process; the orchestrator relays its epochs and prunes.

    A task whose worker process dies is retried `max_retries` times by Ray, then failed
    (`worker_died`); a corrupt bundle is retried once; a trial over `timeout_seconds` is cancelled.
    """

    name = "ray"

    def __init__(
        self,
        workers: int = 1,
        *,
        address: str = "",
        gpus_per_trial: int = 1,
        max_retries: int = 1,
        timeout_seconds: float = 7200.0,
        num_cpus: int | None = None,
    ) -> None:
        super().__init__(workers)
        for label, value, low in (("gpus_per_trial", gpus_per_trial, 0), ("max_retries", max_retries, 0),
                                  ("num_cpus", 1 if num_cpus is None else num_cpus, 1)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{label} must be an integer >= {low}, got {label}={value!r}")
        if not timeout_seconds > 0:
            raise ValueError(f"timeout_seconds must be > 0, got {timeout_seconds=}")
        self.max_retries = max_retries
        self.timeout_seconds = float(timeout_seconds)
        self._owns_ray = connect(address, num_cpus)
        self.cpus_per_trial, self.gpus_per_trial = trial_resources(workers, gpus_per_trial)
        self._running: dict[int, _Running] = {}
        self._progress: Any = None
        self._version = 0

    @classmethod
    def from_config(cls, config: OptimizationConfig) -> RayExecutor:
        return cls(
            config.concurrent_workers,
            address=config.ray_address,
            gpus_per_trial=config.target_gpus_per_worker,
            max_retries=config.max_trial_retries,
            timeout_seconds=config.remote_trial_timeout_minutes * 60,
        )

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def _environment(self) -> dict[str, str]:
        threads = str(self.cpus_per_trial)
        env = {"OMP_NUM_THREADS": threads, "TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": "1"}
        env.update({name: os.environ[name] for name in FORWARDED_ENVIRONMENT if name in os.environ})
        if self.gpus_per_trial == 0:
            env["CUDA_VISIBLE_DEVICES"] = "-1"  # Ray hands out GPUs; a task without any trains on the CPU
        return env

    def _launch(self, spec: TrialSpec) -> Any:
        task, progress_actor = remote_functions()
        if self._progress is None:
            self._progress = progress_actor.remote()
        return task.options(
            name=f"healthtune {spec.run_name} trial {spec.trial_number}",
            num_cpus=self.cpus_per_trial,
            num_gpus=self.gpus_per_trial,
            max_retries=self.max_retries,
            retry_exceptions=False,
        ).remote(spec.to_dict(), self._progress, self._environment())

    def submit(self, spec: TrialSpec, reporter: TrialReporter) -> None:
        if self.free_slots == 0:
            raise RuntimeError(f"all {self.workers} workers are busy; poll before submitting more")
        self._running[spec.trial_number] = _Running(spec, reporter, self._launch(spec), time.monotonic())

    def poll(self, timeout: float) -> list[Outcome]:
        import ray

        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            refs = {running.ref: number for number, running in self._running.items()}
            wait = min(PROGRESS_SECONDS, max(0.0, deadline - time.monotonic()))
            ready: list[Any] = []
            if refs:
                ready, _ = ray.wait(list(refs), num_returns=1, timeout=wait)
                if ready:
                    ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0)
            else:
                time.sleep(wait)
            outcomes = self._relay_progress()  # first: a finished task published all its epochs
            for ref in ready:
                if refs[ref] in self._running:  # not pruned just now
                    outcome = self._collect(refs[ref])
                    outcomes.extend([outcome] if outcome else [])
            outcomes.extend(self._timed_out())
            if outcomes or time.monotonic() >= deadline:
                return outcomes

    def _relay_progress(self) -> list[Outcome]:
        import ray

        if self._progress is None or not self._running:
            return []
        try:
            self._version, changes = ray.get(self._progress.changes.remote(self._version), timeout=30)
        except Exception:  # progress is best effort; the results carry everything again
            logger.debug("could not read trial progress from Ray", exc_info=True)
            return []
        outcomes = []
        for number, epochs in changes.items():
            running = self._running.get(number)
            if running is not None and running.relay.relay(running.reporter, epochs):
                outcomes.append(self._pruned(number))
        return outcomes

    def _pruned(self, number: int) -> Outcome:
        running = self._running.pop(number)
        self._stop(number, running.ref)
        logger.info("trial %d pruned at epoch %d; its Ray task is cancelled", number, running.relay.judged)
        return running.relay.pruned(number, Path(running.spec.trial_dir))

    def _collect(self, number: int) -> Outcome | None:
        """The finished task's outcome; None when a corrupt bundle was sent to train once more."""
        import ray

        from healthtune.executors.payloads import outcome_from_payload

        running = self._running[number]
        try:
            payload = ray.get(running.ref)
            outcome = outcome_from_payload(number, payload, Path(running.spec.trial_dir))
            if outcome.result is not None:  # epochs the progress actor did not deliver
                running.relay.replay(running.reporter, outcome.result)
        except ray.exceptions.RayError as error:
            outcome = Outcome(number, failure=self._failure(number, error))
        except TrialFailed as failure:
            if failure.reason == "bundle_corrupt" and not running.resubmitted:
                logger.warning("trial %d: %s; running it once more", number, failure)
                running.resubmitted, running.started = True, time.monotonic()
                running.ref = self._launch(running.spec)
                return None
            outcome = Outcome(number, failure=failure)
        del self._running[number]
        return outcome

    def _failure(self, number: int, error: Exception) -> TrialFailed:
        import ray

        detail = f"{type(error).__name__}: {str(error).strip()[:500]}"
        if isinstance(error, tuple(getattr(ray.exceptions, f"{name}Error") for name in DEATHS)):
            return TrialFailed(
                f"the Ray worker of trial {number} died, retries used up "
                f"(max_trial_retries={self.max_retries}): {detail}",
                reason="worker_died",
            )
        return TrialFailed(f"the Ray task of trial {number} failed: {detail}", reason="error")

    def _timed_out(self) -> list[Outcome]:
        now = time.monotonic()
        late = [n for n, running in self._running.items() if now - running.started > self.timeout_seconds]
        outcomes = []
        for number in late:
            self._stop(number, self._running.pop(number).ref)
            minutes = self.timeout_seconds / 60
            message = f"trial {number} ran longer than remote_trial_timeout_minutes={minutes:g}; cancelled"
            outcomes.append(Outcome(number, failure=TrialFailed(message, reason="timed_out")))
        return outcomes

    def _stop(self, number: int, ref: Any) -> None:
        import ray

        try:
            ray.cancel(ref, force=True)  # kills the worker process; a cancelled task is not retried
        except Exception:
            logger.debug("could not cancel the Ray task of trial %d", number, exc_info=True)

    def cancel(self) -> list[int]:
        numbers = list(self._running)
        for number in numbers:
            self._stop(number, self._running.pop(number).ref)
        if numbers:
            logger.info("cancelled Ray trials %s", numbers)
        return numbers

    def shutdown(self) -> None:
        import ray

        self.cancel()
        progress, self._progress = self._progress, None
        if progress is not None and ray.is_initialized():
            ray.kill(progress)
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()  # only the Ray this executor started
        self._owns_ray = False
