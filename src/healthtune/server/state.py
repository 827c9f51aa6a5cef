"""AppState: what every route needs (settings, jobs, supervisor, progress), and job lookups that 404/409."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request, WebSocket

from healthtune.core.choices import Mode
from healthtune.core.exceptions import StorageError
from healthtune.core.paths import SUMMARY_FILE, RunPaths
from healthtune.server.data_access import current_config
from healthtune.server.external_runs import ExternalRuns, is_external
from healthtune.server.jobs_store import RESCORABLE, RESUMABLE, TERMINAL, Job, JobStatus, JobStore
from healthtune.server.lock import ServerLock
from healthtune.server.progress import ProgressCache
from healthtune.server.requests import OptimizationRequest
from healthtune.server.schemas import JobOut, JobResult, from_stored
from healthtune.server.settings import ServerSettings
from healthtune.server.supervisor import JobSupervisor
from healthtune.server.tensorboards import TensorBoards

if TYPE_CHECKING:
    import optuna

    from healthtune.core.config import OptimizationConfig


@dataclass
class AppState:
    settings: ServerSettings
    store: JobStore
    supervisor: JobSupervisor
    progress: ProgressCache
    tensorboards: TensorBoards
    lock: ServerLock
    external: ExternalRuns

    def job(self, job_id: str) -> Job:
        """The job or 404; ids are looked up, never used as paths."""
        job = self.store.get(job_id)
        if job is None:
            raise HTTPException(status_code=404, detail=f"no job with id {job_id!r}")
        return job

    def config(self, job: Job) -> OptimizationConfig:
        """The job's config with this server's own places (see data_access.current_config)."""
        from healthtune.core.config import OptimizationConfig

        return OptimizationConfig.from_dict(current_config(job.config, self.settings))

    def run_paths(self, job: Job) -> RunPaths:
        return RunPaths(self.settings.results_root / job.run_name)

    def events_file(self, job: Job) -> Path:
        return self.run_paths(job).events_file

    def study(self, job: Job) -> optuna.Study | None:
        """The job's Optuna study, or None while it has none (queued, or failed before it started).

        The storage is not touched before the run's first event: the worker creates the study (and,
        in a new SQLite file, its tables) before it emits run_started, and two processes creating
        the same tables at once would fail one of them. A busy storage is retried, then a 503.
        """
        from sqlalchemy.exc import OperationalError

        from healthtune.search.storage import load_study

        if self.progress.get(self.events_file(job)).last_seq == 0:
            return None
        for attempt in range(3):
            try:
                return load_study(job.run_name, self.settings.storage_url)
            except KeyError:
                return None
            except OperationalError as error:
                if attempt == 2:
                    raise StorageError(f"the study storage is busy, try again: {error.orig}") from None
                time.sleep(0.2 * (attempt + 1))
        return None

    def job_out(self, job: Job) -> JobOut:
        config: dict[str, Any] = job.config
        mode = Mode(config["mode"]) if config.get("mode") in set(Mode) else None
        external = is_external(job)
        return JobOut(
            id=job.id,
            run_name=job.run_name,
            status=job.status,
            dataset=str(config.get("dataset", "")),
            mode=mode,
            trials=int(config.get("trials", 0)),
            weights=effective_weights(config),
            has_model=(self.run_paths(job).optimized_dir / SUMMARY_FILE).is_file(),
            created_at=job.created_at,
            started_at=job.started_at,
            first_started_at=job.first_started_at,
            finished_at=job.finished_at,
            run_seconds=round(job.seconds_running(time.time()), 3),
            error=job.error,
            result=from_stored(JobResult, job.result),
            cancel_requested=job.cancel_requested,
            attempts=job.attempts,
            request=from_stored(OptimizationRequest, job.request),
            terminal=job.status in TERMINAL,
            can_resume=job.status in RESUMABLE and not external,
            can_rescore=job.status in RESCORABLE and mode in (Mode.HEALTH, Mode.PARETO) and not external,
            origin="external" if external else "server",
        )

    @staticmethod
    def require_status(job: Job, allowed: frozenset[JobStatus] | set[JobStatus], action: str) -> None:
        if is_external(job):
            raise HTTPException(
                status_code=409,
                detail=f"cannot {action} run {job.run_name!r}: it was made outside this server (CLI or Python) "
                "and is read-only here; run healthtune where it was made to change it",
            )
        if job.status not in allowed:
            names = ", ".join(sorted(s.value for s in allowed))
            raise HTTPException(
                status_code=409,
                detail=f"cannot {action} job {job.id} while it is {job.status.value}; allowed when: {names}",
            )


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.healthtune
    return state


def get_ws_state(websocket: WebSocket) -> AppState:
    state: AppState = websocket.app.state.healthtune
    return state


def effective_weights(config: dict[str, Any]) -> dict[str, Any]:
    """The weights a job's trials are scored with now (after any rescore); accuracy only in simple mode."""
    from healthtune.core.config import Mode
    from healthtune.core.scoring import ScoringWeights

    if config.get("mode") == Mode.SIMPLE.value:
        return ScoringWeights.accuracy_only().to_dict()
    return ScoringWeights.resolve(
        config.get("accuracy_weight"),
        config.get("health_overall_weight"),
        config.get("health_component_proportions"),
    ).to_dict()
