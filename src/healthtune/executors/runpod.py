"""RunPodExecutor: each trial is a job on a RunPod serverless endpoint; bundles return through S3 or inline."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import BundleCorrupt, ExecutorError, TrialFailed
from healthtune.executors.base import Executor, Outcome
from healthtune.executors.payloads import ProgressRelay, inline_bundle, outcome_from_payload

if TYPE_CHECKING:
    from healthtune.core.config import OptimizationConfig
    from healthtune.executors.artifacts import ArtifactStore
    from healthtune.executors.runpod_client import RunPodClient
    from healthtune.training.callbacks import TrialReporter
    from healthtune.training.spec import TrialSpec

logger = logging.getLogger(__name__)

STATUS_POLL_SECONDS = 2.0
BUNDLE_ATTEMPTS = 2  # a corrupted bundle is retried once, then the trial fails
FAILED_STATES = {"FAILED": "worker_failed", "CANCELLED": "cancelled", "TIMED_OUT": "timed_out"}


@dataclass
class _Job:
    spec: TrialSpec
    reporter: TrialReporter
    relay: ProgressRelay = field(default_factory=ProgressRelay)
    job_id: str | None = None
    stopped: threading.Event = field(default_factory=threading.Event)


class RunPodExecutor(Executor):
    """Up to `workers` jobs in flight; a thread per job submits it, follows its status and fetches its bundle.

    Epoch progress (from the cloud's status updates) and outcomes reach `poll` through one queue, so
    reporters and Optuna are only touched on the orchestrator's thread.
    """

    name = "runpod"

    def __init__(
        self,
        client: RunPodClient,
        *,
        workers: int = 1,
        store: ArtifactStore | None = None,
        timeout_seconds: float = 7200.0,
        status_poll_seconds: float = STATUS_POLL_SECONDS,
    ) -> None:
        super().__init__(workers)
        if not timeout_seconds > 0:
            raise ValueError(f"timeout_seconds must be > 0, got {timeout_seconds=}")
        self.client = client
        self.store = store
        self.timeout_seconds = timeout_seconds
        self.status_poll_seconds = status_poll_seconds
        self._jobs: dict[int, _Job] = {}
        self._messages: queue.Queue[tuple[int, str, Any]] = queue.Queue()

    @classmethod
    def from_config(cls, config: OptimizationConfig) -> RunPodExecutor:
        """Connects now: an unreachable endpoint or S3 store raises ExecutorError (make_executor may fall back)."""
        from healthtune.executors.artifacts import ArtifactStore
        from healthtune.executors.runpod_client import RunPodClient
        from healthtune.executors.settings import check_executor_settings

        check_executor_settings(config)
        endpoint = config.runpod_endpoint or os.environ["RUNPOD_ENDPOINT_ID"]
        client = RunPodClient(endpoint, os.environ.get("RUNPOD_API_KEY"))
        client.check()
        store = ArtifactStore.from_env()
        if store is not None:
            store.check()
        logger.info(
            "trials run on %s; bundles return %s",
            client,
            f"through s3://{store.bucket}" if store else "inline (set HEALTHTUNE_S3_BUCKET for large models)",
        )
        return cls(
            client,
            workers=config.concurrent_workers,
            store=store,
            timeout_seconds=config.remote_trial_timeout_minutes * 60,
        )

    @property
    def in_flight(self) -> int:
        return len(self._jobs)

    def submit(self, spec: TrialSpec, reporter: TrialReporter) -> None:
        if self.free_slots == 0:
            raise RuntimeError(f"all {self.workers} workers are busy; poll before submitting more")
        job = _Job(spec, reporter)
        self._jobs[spec.trial_number] = job
        threading.Thread(
            target=self._drive, args=(job,), name=f"runpod-trial-{spec.trial_number}", daemon=True
        ).start()

    def poll(self, timeout: float) -> list[Outcome]:
        outcomes: list[Outcome] = []
        deadline = time.monotonic() + timeout
        while not outcomes:
            try:
                number, kind, value = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            job = self._jobs.get(number)
            if job is None or job.stopped.is_set():
                continue  # a pruned or cancelled trial's late news
            if kind == "progress" and job.relay.relay(job.reporter, value):
                self._stop(job)
                outcomes.append(job.relay.pruned(number, Path(job.spec.trial_dir)))
            elif kind == "outcome":
                if value.result is not None:
                    job.relay.replay(job.reporter, value.result)
                del self._jobs[number]
                outcomes.append(value)
        for outcome in outcomes:
            self._jobs.pop(outcome.number, None)
        return outcomes

    def _stop(self, job: _Job) -> None:
        job.stopped.set()
        if job.job_id is not None:
            threading.Thread(target=self.client.cancel, args=(job.job_id,), daemon=True).start()

    def cancel(self) -> list[int]:
        numbers = list(self._jobs)
        for job in self._jobs.values():
            self._stop(job)
        self._jobs.clear()
        if numbers:
            logger.info("cancelled RunPod trials %s", numbers)
        return numbers

    # -- one thread per job --------------------------------------------------------------------

    def _drive(self, job: _Job) -> None:
        number = job.spec.trial_number
        try:
            for attempt in range(1, BUNDLE_ATTEMPTS + 1):
                try:
                    outcome = self._attempt(job)
                    break
                except BundleCorrupt as corrupt:
                    if attempt == BUNDLE_ATTEMPTS:
                        outcome = Outcome(number, failure=corrupt)
                        break
                    logger.warning("trial %d: %s; running it again", number, corrupt)
        except TrialFailed as failure:
            outcome = Outcome(number, failure=failure)
        except Exception as error:  # network and storage errors fail this trial, not the run
            logger.debug("trial %d: RunPod job failed", number, exc_info=True)
            outcome = Outcome(
                number, failure=TrialFailed(f"{type(error).__name__}: {error}", reason="worker_failed")
            )
        if outcome is not None:
            self._messages.put((number, "outcome", outcome))

    def _attempt(self, job: _Job) -> Outcome | None:
        spec = job.spec
        job_input: dict[str, Any] = {"spec": spec.to_dict(), "transport": "inline"}
        key = None
        if self.store is not None:
            key = self.store.bundle_key(spec.run_name, spec.trial_number)
            job_input.update(transport="s3", bundle_key=key, upload_url=self.store.upload_url(key))
        job.job_id = self.client.submit(job_input, self.timeout_seconds)
        logger.info("trial %d is RunPod job %s", spec.trial_number, job.job_id)
        record = self._wait(job)
        if record is None:
            return None  # stopped: pruned or cancelled
        state = str(record.get("status"))
        if state != "COMPLETED":
            reason = FAILED_STATES.get(state, "worker_failed")
            raise TrialFailed(
                f"RunPod job {job.job_id} ended {state}: {record.get('error', '')}", reason=reason
            )
        try:
            return outcome_from_payload(
                spec.trial_number, record.get("output"), Path(spec.trial_dir), self._fetch
            )
        finally:
            if key is not None and self.store is not None:
                self.store.delete(key)

    def _wait(self, job: _Job) -> dict[str, Any] | None:
        assert job.job_id is not None
        if self.client.local:
            try:
                record = self.client.status(job.job_id, wait_seconds=self.timeout_seconds)
            except ExecutorError as error:
                raise TrialFailed(
                    f"RunPod job {job.job_id}: {error}",
                    reason="timed_out" if "timed out" in str(error) else "worker_failed",
                ) from error
            return None if job.stopped.is_set() else record
        deadline = time.monotonic() + self.timeout_seconds
        while not job.stopped.is_set():
            record = self.client.status(job.job_id)
            if record.get("status") in ("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"):
                return record
            progress = record.get("output")
            if isinstance(progress, dict) and isinstance(progress.get("epochs"), list):
                self._messages.put((job.spec.trial_number, "progress", progress["epochs"]))
            if time.monotonic() > deadline:
                self.client.cancel(job.job_id)
                raise TrialFailed(
                    f"RunPod job {job.job_id} still ran after {self.timeout_seconds / 60:.0f} min "
                    "(remote_trial_timeout_minutes); cancelled",
                    reason="timed_out",
                )
            job.stopped.wait(self.status_poll_seconds)
        return None

    def _fetch(self, bundle: dict[str, Any]) -> bytes:
        if "key" in bundle:
            if self.store is None:
                raise TrialFailed(
                    "the worker uploaded to S3 but no store is configured here", reason="bundle_missing"
                )
            return self.store.download(str(bundle["key"]))
        return inline_bundle(bundle)
