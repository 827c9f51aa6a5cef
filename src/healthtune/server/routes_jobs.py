"""Job routes: submit, list, status, cancel, resume, delete, trials and rescoring."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from healthtune.baselines import verdict
from healthtune.exceptions import ConfigError
from healthtune.results import TrialRecord
from healthtune.run_service import delete_run, trial_files
from healthtune.server.errors import EVERY_ROUTE, error_responses, validation_detail, weights_error_location
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
)
from healthtune.server.state import AppState, effective_weights, get_state

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

    from healthtune.selection import pareto_numbers
    from healthtune.study_records import trial_records

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
    from healthtune.trials_table import trials_csv

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
    files = trial_files(state.run_paths(state.job(job_id)).trial(number))
    return TrialDetail(**trial, **asdict(files))


@router.post("/jobs/{job_id}/rescore", response_model=RescoreOut, responses=error_responses(404, 409, 413))
def rescore_job(job_id: str, weights: RescoreRequest, state: State) -> RescoreOut:
    """Score every finished trial again with new weights and assemble the new best; no training.

    A partial update: fields left out keep the job's current weights (`{}` rescores with them).
    """
    from healthtune.config import Mode
    from healthtune.rescoring import rescore

    job = state.job(job_id)
    state.require_status(job, RESCORABLE, "rescore")
    if job.config.get("mode") == Mode.SIMPLE.value:
        detail = (
            f"job {job.id} ran in mode 'simple', which stores accuracy only; rescore needs health or pareto"
        )
        raise HTTPException(status_code=409, detail=detail)
    run_dir = state.run_paths(job).run_dir
    if not (run_dir / "run.json").is_file():
        raise HTTPException(status_code=409, detail=f"job {job.id} has no finished run to rescore")
    try:
        result = rescore(run_dir, merged_weights(effective_weights(job.config), weights))
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
        trials=[TrialOut(**t) for t in with_pareto(result.trials, _pareto_front(run_dir))],
    )


def merged_weights(current: dict[str, Any], given: RescoreRequest) -> dict[str, Any]:
    """The weights a rescore uses: `given`, with the job's `current` ones for the fields left out.

    accuracy_weight and health_overall_weight sum to 1, so they move together: naming either one
    replaces the pair (the other becomes its complement), naming neither keeps the current pair.
    """
    merged = given.model_dump(exclude_none=True)
    if "accuracy_weight" not in merged and "health_overall_weight" not in merged:
        merged["accuracy_weight"] = current["accuracy_weight"]
        merged["health_overall_weight"] = current["health_overall_weight"]
    merged.setdefault("health_component_proportions", current["health_component_proportions"])
    return merged


def _pareto_front(run_dir: Path) -> list[int]:
    """The Pareto set the run recorded (pareto mode); rescoring re-ranks it, never changes it."""
    try:
        data = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    front = data.get("pareto_front") if isinstance(data, dict) else None
    return [int(n) for n in front] if isinstance(front, list) else []
