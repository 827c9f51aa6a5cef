"""JobSupervisor: the queue; starts each job in its own worker process, watches it, cancels it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from healthtune.results import write_json
from healthtune.server.jobs_store import Job, JobStatus, JobStore
from healthtune.server.settings import ServerSettings
from healthtune.server.worker import EXIT_CANCELLED, EXIT_COMPLETED

logger = logging.getLogger(__name__)


class JobSupervisor:
    """Runs up to `max_concurrent_jobs` workers; the rest wait as `queued`.

    Workers are started from the event loop's thread: on Linux a worker is killed when the
    thread that started it ends (PR_SET_PDEATHSIG), and the loop's thread lives as long as the server.
    """

    def __init__(self, settings: ServerSettings, store: JobStore) -> None:
        self.settings = settings
        self.store = store
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._cancel_deadlines: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def recover(self) -> None:
        """Jobs a previous server process left running were cut off: mark them interrupted."""
        for job in self.store.with_status(JobStatus.RUNNING):
            logger.warning(
                "job %s (%s) was running when the server stopped: interrupted", job.id, job.run_name
            )
            self.store.update(
                job.id,
                status=JobStatus.INTERRUPTED,
                finished_at=time.time(),
                error="the server stopped while this job was running; resume it to continue",
                pid=None,
            )

    async def start(self) -> None:
        self.recover()
        self._task = asyncio.create_task(self._loop(), name="healthtune-job-supervisor")

    async def stop(self) -> None:
        """Server shutdown: workers are killed; their jobs become interrupted on the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for job_id, process in list(self.processes.items()):
            if process.poll() is None:
                process.kill()
                process.wait()
            self.store.update(job_id, status=JobStatus.INTERRUPTED, finished_at=time.time(), pid=None,
                              error="the server stopped while this job was running; resume it to continue")  # fmt: skip
        self.processes.clear()

    def wake(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # the supervisor must outlive any single job's trouble
                logger.exception("job supervisor tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_seconds)
            self._wake.clear()

    # -- one round: reap finished workers, enforce cancel deadlines, start queued jobs -------

    def tick(self) -> None:
        for job_id, process in list(self.processes.items()):
            code = process.poll()
            if code is not None:
                del self.processes[job_id]
                self._cancel_deadlines.pop(job_id, None)
                self._finish(job_id, code)
            elif time.time() > self._cancel_deadlines.get(job_id, float("inf")):
                logger.warning("job %s did not stop within %.0f s of its cancel: killed", job_id,
                               self.settings.cancel_grace_seconds)  # fmt: skip
                process.kill()
        free = self.settings.max_concurrent_jobs - len(self.processes)
        for job in self.store.with_status(JobStatus.QUEUED)[: max(0, free)]:
            self._spawn(job)

    def _spawn(self, job: Job) -> None:
        job_dir = self.settings.jobs_dir / job.id
        job_dir.mkdir(parents=True, exist_ok=True)
        config_file, outcome_file = job_dir / "config.json", job_dir / "outcome.json"
        write_json(config_file, job.config)
        outcome_file.unlink(missing_ok=True)
        log_dir = self.settings.log_dir / "jobs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / f"{job.id}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "healthtune.server.worker", str(config_file), str(outcome_file)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={
                    **os.environ,
                    "PYTHONUNBUFFERED": "1",
                    "HEALTHTUNE_WORKER_NICENESS": str(self.settings.worker_niceness),
                },
            )
        self.processes[job.id] = process
        self.store.update(
            job.id,
            status=JobStatus.RUNNING,
            started_at=time.time(),
            finished_at=None,
            error=None,
            pid=process.pid,
            cancel_requested=False,
            attempts=job.attempts + 1,
        )
        logger.info("job %s (%s) started in process %d", job.id, job.run_name, process.pid)

    def _finish(self, job_id: str, code: int) -> None:
        job = self.store.get(job_id)
        if job is None:
            return
        outcome = _read_outcome(self.settings.jobs_dir / job_id / "outcome.json")
        if code == EXIT_COMPLETED and outcome.get("status") == "completed":
            status, error = JobStatus.COMPLETED, None
        elif code == EXIT_CANCELLED or (job.cancel_requested and outcome.get("status") != "failed"):
            status, error = JobStatus.CANCELLED, None if code == EXIT_CANCELLED else _exit_reason(code)
        else:
            status = JobStatus.FAILED
            error = outcome.get("error") or _exit_reason(code)
        values: dict[str, Any] = {"status": status, "finished_at": time.time(), "error": error, "pid": None}
        if outcome.get("result"):
            values["result"] = outcome["result"]
        self.store.update(job_id, **values)
        log = logger.info if status is not JobStatus.FAILED else logger.error
        log("job %s (%s) %s%s", job_id, job.run_name, status.value, f": {error}" if error else "")

    # -- requests from the API ----------------------------------------------------------------

    def cancel(self, job: Job) -> Job:
        """Queued: cancelled at once. Running: SIGTERM, the worker saves what it has and exits."""
        if job.status is JobStatus.QUEUED:
            return self.store.update(job.id, status=JobStatus.CANCELLED, finished_at=time.time())
        process = self.processes.get(job.id)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            self._cancel_deadlines[job.id] = time.time() + self.settings.cancel_grace_seconds
        self.wake()
        return self.store.update(job.id, cancel_requested=True)


def _read_outcome(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _exit_reason(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process was killed by {name}"
    return f"the worker process exited with code {code} without reporting a result"
