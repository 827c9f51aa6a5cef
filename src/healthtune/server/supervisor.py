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

from healthtune.core.exceptions import ConfigError
from healthtune.run.results import write_json
from healthtune.server.data_access import confine_dataset, current_config
from healthtune.server.job_process import EXIT_CANCELLED, EXIT_COMPLETED
from healthtune.server.jobs_store import Job, JobStatus, JobStore
from healthtune.server.salvage import salvage_run
from healthtune.server.settings import ServerSettings

logger = logging.getLogger(__name__)
TOKEN_VARIABLE = "HEALTHTUNE_API_TOKEN"  # the API's secret; a job's process has no use for it


class JobSupervisor:
    """Runs up to `max_concurrent_jobs` workers; the rest wait as `queued`.

    Workers are started from the event loop's thread: on Linux a worker is killed when the
    thread that started it ends (PR_SET_PDEATHSIG), and the loop's thread lives as long as the server.
    """

    def __init__(self, settings: ServerSettings, store: JobStore) -> None:
        self.settings = settings
        self.store = store
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.adopted: dict[str, int] = {}  # job id -> pid of a live worker a previous server started
        self._cancel_deadlines: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def recover(self) -> None:
        """Jobs a previous server process left running: followed on while their worker still
        trains, else (the worker died with that server) marked interrupted.

        Only the server holding the results root's lock calls this, so no live server owns them.
        """
        for job in self.store.with_status(JobStatus.RUNNING):
            if job.pid is not None and is_worker(job.pid, self.config_file(job.id)):
                logger.warning("job %s (%s) is still training in worker process %d: following it",
                               job.id, job.run_name, job.pid)  # fmt: skip
                self.adopted[job.id] = job.pid
                continue
            logger.warning(
                "job %s (%s) was running when the server stopped: interrupted", job.id, job.run_name
            )
            self._interrupt(job.id)

    async def start(self) -> None:
        self.recover()
        self._task = asyncio.create_task(self._loop(), name="healthtune-job-supervisor")

    async def stop(self) -> None:
        """Server shutdown: its workers (followed ones too) are killed and their jobs interrupted."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for job_id, process in list(self.processes.items()):
            if process.poll() is None:
                process.kill()
                process.wait()
            self._interrupt(job_id)
        for job_id, pid in list(self.adopted.items()):
            if is_worker(pid, self.config_file(job_id)):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self._interrupt(job_id)
        self.processes.clear()
        self.adopted.clear()

    def _interrupt(self, job_id: str) -> None:
        error = "the server stopped while this job was running; resume it to continue"
        job = self.store.update(
            job_id, status=JobStatus.INTERRUPTED, finished_at=time.time(), error=error, pid=None
        )
        salvage_run(job, self.settings, "interrupted", error)

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

    def _cancel_overdue(self, job_id: str) -> bool:
        """True (and logged) once a cancelled job's worker outlived its grace period: kill it."""
        if time.time() <= self._cancel_deadlines.get(job_id, float("inf")):
            return False
        logger.warning("job %s did not stop within %.0f s of its cancel: killed", job_id,
                       self.settings.cancel_grace_seconds)  # fmt: skip
        return True

    def tick(self) -> None:
        for job_id, process in list(self.processes.items()):
            code = process.poll()
            if code is not None:
                del self.processes[job_id]
                self._cancel_deadlines.pop(job_id, None)
                self._finish(job_id, code)
            elif self._cancel_overdue(job_id):
                process.kill()
        for job_id, pid in list(self.adopted.items()):
            if not is_worker(pid, self.config_file(job_id)):
                del self.adopted[job_id]
                self._cancel_deadlines.pop(job_id, None)
                self._finish(job_id, None)
            elif self._cancel_overdue(job_id):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if not self.settings.run_jobs:  # queue-only: jobs wait for a server that runs them
            return
        free = self.settings.max_concurrent_jobs - len(self.processes) - len(self.adopted)
        for job in self.store.with_status(JobStatus.QUEUED)[: max(0, free)]:
            self._spawn(job)

    def config_file(self, job_id: str) -> Path:
        """The worker's config file: absolute, as its command line names it (see is_worker)."""
        return (self.settings.jobs_dir / job_id).resolve() / "config.json"

    def _spawn(self, job: Job) -> None:
        config = current_config(job.config, self.settings)
        try:  # checked again: the job may come from an older server, or the data roots have changed
            config["dataset"] = confine_dataset(str(config.get("dataset", "")), self.settings.readable_roots)
        except ConfigError as error:
            self.store.update(job.id, status=JobStatus.FAILED, finished_at=time.time(), error=str(error))
            logger.error("job %s (%s) refused: %s", job.id, job.run_name, error)
            return
        if config != job.config:
            job = self.store.update(job.id, config=config)
        config_file = self.config_file(job.id)
        config_file.parent.mkdir(parents=True, exist_ok=True)
        outcome_file = config_file.parent / "outcome.json"
        write_json(config_file, job.config)
        outcome_file.unlink(missing_ok=True)
        log_dir = self.settings.log_dir / "jobs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / f"{job.id}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "healthtune.server.job_process", str(config_file), str(outcome_file)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={
                    **{name: value for name, value in os.environ.items() if name != TOKEN_VARIABLE},
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

    def _finish(self, job_id: str, code: int | None) -> None:
        """Mark a job whose worker ended; `code` None: an adopted worker (not our child, no status)."""
        job = self.store.get(job_id)
        if job is None:
            return
        outcome = _read_outcome(self.settings.jobs_dir / job_id / "outcome.json")
        if code is None:
            code = {"completed": EXIT_COMPLETED, "cancelled": EXIT_CANCELLED}.get(str(outcome.get("status")))
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
        job = self.store.update(job_id, **values)
        if not outcome:  # killed or crashed: the run could not record how it ended
            salvage_run(job, self.settings, status.value, error)
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
        elif job.id in self.adopted and is_worker(self.adopted[job.id], self.config_file(job.id)):
            with contextlib.suppress(OSError):
                os.kill(self.adopted[job.id], signal.SIGTERM)
            self._cancel_deadlines[job.id] = time.time() + self.settings.cancel_grace_seconds
        self.wake()
        return self.store.update(job.id, cancel_requested=True)


def _read_outcome(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def is_worker(pid: int, config_file: Path) -> bool:
    """Whether `pid` is alive and is the worker started for `config_file`, not a reused pid.

    Linux: from /proc (a zombie has no command line). Elsewhere False, so a job whose server
    stopped is marked interrupted, as workers there cannot be recognised.
    """
    proc = Path("/proc") / str(pid)
    try:
        argv = (proc / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    module = b"healthtune.server.job_process"
    if module not in argv:
        return False
    arguments = argv[argv.index(module) + 1 :]
    return bool(arguments) and arguments[0] == os.fsencode(config_file)


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "the worker process (followed after a server restart) ended without reporting a result"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process was killed by {name}"
    return f"the worker process exited with code {code} without reporting a result"
