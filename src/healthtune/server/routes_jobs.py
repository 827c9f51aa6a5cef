"""Job routes: submit, list, status, cancel, resume, delete, trials and rescoring."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from healthtune.core.exceptions import ConfigError
from healthtune.evaluation.baselines import verdict
from healthtune.run.results import TrialRecord
from healthtune.run.service import delete_run, recorded_pareto_front, trial_files
from healthtune.server.errors import EVERY_ROUTE, error_responses, validation_detail, weights_error_location
from healthtune.server.health_schemas import HealthReportOut
from healthtune.server.jobs_store import RESCORABLE, RESUMABLE, TERMINAL, JobStatus
from healthtune.server.requests import OptimizationRequest, RescoreRequest, request_to_config
from healthtune.server.salvage import without_phantoms
from healthtune.server.schemas import (
    HealthBoughtOut,
    JobOut,
    JobPage,
    JobStatusOut,
    Progress,
    RescoreOut,
    TrialDetail,
    TrialOut,
    from_stored,
)
from healthtune.server.state import AppState, get_state

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["jobs"], responses=error_responses(*EVERY_ROUTE))
State = Annotated[AppState, Depends(get_state)]


@router.post("/optimize", status_code=202, response_model=JobOut, responses=error_responses(409, 413))
def submit(request: OptimizationRequest, state: State) -> JobOut:
    """Queue an optimization; returns its job at once. Progress: /status and the events WebSocket."""
    config = request_to_config(request, state.settings)
    if state.store.by_run_name(config.run_name) is not None or config.run_dir.exists():
        raise HTTPException(status_code=409, detail=f"run_name {config.run_name!r} is taken; choose another")
    job = state.store.create(config.run_name, request.model_dump(mode="json"), config.to_dict())
    logger.info("job %s (%s) queued: %s", job.id, job.run_name, config.dataset)
    state.supervisor.wake()
    return state.job_out(job)


@router.get("/jobs", response_model=JobPage)
def list_jobs(
    state: State,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    status: JobStatus | None = None,
) -> JobPage:
    """Newest first; runs made from the CLI or Python in the results root are listed too (origin external)."""
    state.external.sync()
    jobs, total = state.store.page(offset, limit, status)
    return JobPage(items=[state.job_out(job) for job in jobs], total=total, offset=offset, limit=limit)


@router.get("/jobs/{job_id}", response_model=JobOut, responses=error_responses(404))
def get_job(job_id: str, state: State) -> JobOut:
    return state.job_out(state.job(job_id))


@router.get("/jobs/{job_id}/status", response_model=JobStatusOut, responses=error_responses(404))
async def job_status(job_id: str, state: State) -> JobStatusOut:
    """Counts, running trials with their epoch, best so far and an ETA, from the run's events.

    Async on purpose: dashboards poll it, and its work (one indexed row, the new bytes of
    events.jsonl) is cheaper than a hop to the thread pool.
    """
    job = state.job(job_id)
    progress = state.progress.get(state.events_file(job))
    snapshot = progress.snapshot(
        int(job.config.get("concurrent_workers", 1)), alive=job.status is JobStatus.RUNNING
    )
    result = job.result or {}
    if job.status in TERMINAL and isinstance(result.get("best_trial"), int):
        # An ended run's answer is its result, which a rescore changes; the events only saw the run.
        best = result["best_trial"]
        snapshot.update(
            best_trial=best,
            best_score=result.get("best_score"),
            best_val_accuracy=progress.val_accuracy(best),
        )
    snapshot["baseline_verdict"] = verdict(snapshot["baselines"], snapshot.get("best_val_accuracy"))
    return JobStatusOut(
        id=job.id,
        status=job.status,
        terminal=job.status in TERMINAL,
        error=job.error,
        cancel_requested=job.cancel_requested,
        epochs_per_trial=int(job.config.get("max_epochs_per_trial", 0)),
        progress=Progress(**snapshot),
    )


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, responses=error_responses(404, 409))
def cancel(job_id: str, state: State) -> JobOut:
    """Stops the running trial within seconds; finished trials are kept and the best is assembled."""
    job = state.job(job_id)
    state.require_status(job, {JobStatus.QUEUED, JobStatus.RUNNING}, "cancel")
    return state.job_out(state.supervisor.cancel(job))


@router.post("/jobs/{job_id}/resume", response_model=JobOut, responses=error_responses(404, 409))
def resume(job_id: str, state: State) -> JobOut:
    """Continue the same study with the trials still to do; finished trials are neither lost nor redone."""
    job = state.job(job_id)
    state.require_status(job, RESUMABLE, "resume")
    job = state.store.update(
        job.id, status=JobStatus.QUEUED, error=None, finished_at=None, cancel_requested=False
    )
    state.supervisor.wake()
    return state.job_out(job)


@router.delete("/jobs/{job_id}", status_code=204, responses=error_responses(404, 409))
def delete(job_id: str, state: State) -> Response:
    """Removes the job, its run directory and its study; refused while the job runs."""
    job = state.job(job_id)
    state.require_status(job, TERMINAL | {JobStatus.QUEUED}, "delete")
    run_paths = state.run_paths(job)
    state.tensorboards.stop(job.id)
    state.progress.forget(run_paths.events_file)
    delete_run(run_paths, job.run_name, state.settings.storage_url)
    shutil.rmtree(state.settings.jobs_dir / job.id, ignore_errors=True)
    state.store.delete(job.id)
    logger.info("job %s (%s) deleted", job.id, job.run_name)
    return Response(status_code=204)


def _trials(state: AppState, job_id: str) -> list[dict[str, Any]]:
    """Trials from the study itself, so a running job shows them as they finish."""

    from healthtune.run.selection import pareto_numbers
    from healthtune.run.study_records import trial_records

    job = state.job(job_id)
    study = state.study(job)
    if study is None:
        return []  # queued, or failed before its study existed
    trials = with_pareto(trial_records(study, state.config(job)), pareto_numbers(study))
    return trials if job.status is JobStatus.RUNNING else without_phantoms(trials)


def with_pareto(records: Iterable[TrialRecord], front: Iterable[int]) -> list[dict[str, Any]]:
    """Trials as dicts, each flagged when it is on the Pareto front the server selects from."""
    numbers = set(front)
    return [{**record.to_dict(), "pareto": record.number in numbers} for record in records]


@router.get("/jobs/{job_id}/trials", response_model=list[TrialOut], responses=error_responses(404, 503))
def list_trials(job_id: str, state: State) -> list[TrialOut]:
    return [TrialOut(**trial) for trial in _trials(state, job_id)]


@router.get(
    "/jobs/{job_id}/trials.csv",
    response_class=Response,
    responses={
        **{200: {"content": {"text/csv": {}}, "description": "a header row, then one row per trial"}},
        **error_responses(404, 503),
    },
)
def trials_table(job_id: str, state: State) -> Response:
    """Every trial as a CSV row (params_*, health_* and metric columns), also while the job runs."""
    from healthtune.run.trials_table import trials_csv

    job = state.job(job_id)
    weights = state.config(job).weights
    return Response(
        trials_csv(_trials(state, job_id), weights),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{job.run_name}_trials.csv"'},
    )


@router.get("/jobs/{job_id}/trials/{number}", response_model=TrialDetail, responses=error_responses(404, 503))
def get_trial(job_id: str, number: int, state: State) -> TrialDetail:
    """Params, metrics, the health report with its findings, and which plots exist."""
    trial = next((t for t in _trials(state, job_id) if t["number"] == number), None)
    if trial is None:
        raise HTTPException(status_code=404, detail=f"job {job_id} has no trial {number}")
    files = asdict(trial_files(state.run_paths(state.job(job_id)).trial(number)))
    files["health"] = from_stored(HealthReportOut, files["health"])
    return TrialDetail(**trial, **files)


@router.post("/jobs/{job_id}/rescore", response_model=RescoreOut, responses=error_responses(404, 409, 413))
def rescore_job(job_id: str, weights: RescoreRequest, state: State) -> RescoreOut:
    """Score every finished trial again with new weights and assemble the new best; no training.

    A partial update: fields left out keep the job's current weights (`{}` rescores with them).
    """
    from healthtune.run.service import rescore_run

    job = state.job(job_id)
    state.require_status(job, RESCORABLE, "rescore")
    paths = state.run_paths(job)
    try:
        result = rescore_run(paths, weights.model_dump(exclude_none=True))
    except ConfigError as error:
        message = str(error)
        raise HTTPException(422, detail=validation_detail(message, weights_error_location(message))) from None
    best = result.best_trial
    summary = dict(job.result or {})
    summary.update(
        best_trial=best.number if best else None,
        best_score=result.best_score,
        best_model_file=result.best_model_path.name if result.best_model_path else None,
    )
    state.store.update(job.id, result=summary, config=result.config)  # trials now score with the new weights
    return RescoreOut(
        best_trial=best.number if best else None,
        best_score=result.best_score,
        health_bought=HealthBoughtOut(**result.health_bought) if result.health_bought else None,
        trials=[TrialOut(**t) for t in with_pareto(result.trials, recorded_pareto_front(paths))],
    )
