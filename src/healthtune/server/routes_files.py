"""File routes: plots, architecture, the best model and downloads. Names come from fixed lists only."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask

from healthtune.core.paths import RunPaths, TrialPaths
from healthtune.server.errors import EVERY_ROUTE, error_responses
from healthtune.server.jobs_store import TERMINAL, Job
from healthtune.server.schemas import BestModel, HealthBoughtOut, PlotList
from healthtune.server.state import AppState, get_state

router = APIRouter(prefix="/api", tags=["files"], responses=error_responses(*EVERY_ROUTE))
State = Annotated[AppState, Depends(get_state)]
MEDIA_TYPES = {"png": "image/png", "json": "application/json"}


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{what} not found")


def _inside(base: Path, path: Path) -> Path:
    """Defense in depth: even a name from the fixed list must resolve inside the run directory."""
    resolved = path.resolve()
    if not resolved.is_relative_to(base.resolve()) or not resolved.is_file():
        raise _not_found(path.name)
    return resolved


def _stored_json(path: Path) -> Any:
    """A JSON file the run wrote: NaN or Infinity (a hand-edited or older file) read as null, which JSON
    can send; a damaged file is not found rather than a 500."""
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda _: None)
    except (OSError, ValueError):
        raise _not_found(path.name) from None


def _split_name(name: str, allowed: list[str]) -> tuple[str, str]:
    """'confusion_matrix', 'confusion_matrix.png' or 'confusion_matrix.json' -> (name, extension)."""
    stem, _, extension = name.partition(".")
    extension = extension or "png"
    if stem not in allowed or extension not in MEDIA_TYPES:
        raise _not_found(f"plot {name!r}")
    return stem, extension


def _trial_dir(state: AppState, job: Job, number: int) -> Path:
    trial_dir = state.run_paths(job).trial_dir(number)
    if number < 0 or not trial_dir.is_dir():
        raise _not_found(f"trial {number} of job {job.id}")
    return trial_dir


@router.get("/jobs/{job_id}/trials/{number}/plots", response_model=PlotList, responses=error_responses(404))
def list_plots(job_id: str, number: int, state: State) -> PlotList:
    from healthtune.run.service import existing_plots

    trial_dir = _trial_dir(state, state.job(job_id), number)
    return PlotList(trial=number, plots=existing_plots(TrialPaths(trial_dir)))


@router.get(
    "/jobs/{job_id}/trials/{number}/plots/{plot_name}",
    responses={200: {"content": {"image/png": {}, "application/json": {}}}, **error_responses(404)},
)
def get_plot(job_id: str, number: int, plot_name: str, state: State) -> FileResponse:
    """`name` or `name.png` for the picture, `name.json` for its data."""
    from healthtune.plots import plot_names

    job = state.job(job_id)
    stem, extension = _split_name(plot_name, plot_names())
    trial_dir = _trial_dir(state, job, number)
    path = _inside(state.run_paths(job).run_dir, TrialPaths(trial_dir).plot(stem, extension))
    return FileResponse(path, media_type=MEDIA_TYPES[extension])


@router.get("/jobs/{job_id}/trials/{number}/architecture", responses=error_responses(404))
def get_architecture(job_id: str, number: int, state: State) -> JSONResponse:
    """The trial's architecture.json: layers, edges, shapes, health overlay (docs/architecture-json.md)."""
    job = state.job(job_id)
    trial_dir = _trial_dir(state, job, number)
    path = _inside(state.run_paths(job).run_dir, TrialPaths(trial_dir).architecture)
    return JSONResponse(_stored_json(path))


@router.get(
    "/jobs/{job_id}/study-plots/{name}",
    responses={200: {"content": {"image/png": {}}}, **error_responses(404)},
)
def get_study_plot(job_id: str, name: str, state: State) -> FileResponse:
    """Optuna's study plots (optimization_history, param_importances, ...): `.png` or `.json`."""
    from healthtune.plots.study_plots import STUDY_PLOTS, STUDY_PLOTS_DIR

    job = state.job(job_id)
    stem, extension = _split_name(name, list(STUDY_PLOTS))
    run_dir = state.run_paths(job).run_dir
    path = _inside(run_dir, run_dir / STUDY_PLOTS_DIR / f"{stem}.{extension}")
    return FileResponse(path, media_type=MEDIA_TYPES[extension])


def optimized_summary(paths: RunPaths, job: Job) -> dict[str, Any]:
    """The best model's summary; 409 while the job runs, 404 when it ended without one."""
    from healthtune.run.service import best_model_summary

    summary = best_model_summary(paths)
    if summary is None:
        _require_ended(job, "its optimized model is saved when the job completes")
        raise HTTPException(
            status_code=404,
            detail=f"job {job.id} ({job.status.value}) has no optimized model: none of its trials finished",
        )
    return summary


def _require_ended(job: Job, what: str) -> None:
    if job.status not in TERMINAL:
        raise HTTPException(status_code=409, detail=f"job {job.id} is {job.status.value}: {what}")


def _best_model(state: AppState, job: Job) -> BestModel:
    paths = state.run_paths(job)
    summary = optimized_summary(paths, job)
    architecture_file = TrialPaths(paths.optimized_dir).architecture
    try:
        architecture = _stored_json(architecture_file)
    except HTTPException:
        architecture = None  # the summary is still worth sending
    return BestModel(
        job_id=job.id, run_name=job.run_name, summary=summary, architecture=architecture,
        model_file=summary.get("model_file"),
    )  # fmt: skip


@router.get("/jobs/{job_id}/best-model", response_model=BestModel, responses=error_responses(404, 409))
def best_model(job_id: str, state: State) -> BestModel:
    """The best trial's summary (params, metrics, score) and its visualization data."""
    return _best_model(state, state.job(job_id))


@router.get(
    "/jobs/{job_id}/best-model/download", response_model=BestModel, responses=error_responses(404, 409)
)
def best_model_download(job_id: str, state: State) -> JSONResponse:
    job = state.job(job_id)
    data = _best_model(state, job).model_dump(mode="json")
    return JSONResponse(
        data, headers={"Content-Disposition": f'attachment; filename="{job.run_name}_best_model.json"'}
    )


@router.get(
    "/jobs/{job_id}/health-bought", response_model=HealthBoughtOut, responses=error_responses(404, 409)
)
def health_bought(job_id: str, state: State) -> HealthBoughtOut:
    """The picked model beside the one validation accuracy alone would pick: test accuracy,
    calibration error and accuracy on corrupted inputs, measured once when the run ended (and
    re-paired by a rescore)."""
    from healthtune.run.service import recorded_health_bought

    job = state.job(job_id)
    _require_ended(job, "the comparison is made when it ends")
    found = recorded_health_bought(state.run_paths(job))
    if found is None:
        raise HTTPException(
            404,
            f"job {job.id} has no comparison: no trial finished, the run had no test split, or it was "
            "made before healthtune measured outcomes",
        )
    return HealthBoughtOut(**found)


@router.get(
    "/download/{job_id}",
    responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(404, 409)},
)
def download_model(job_id: str, state: State) -> FileResponse:
    """The optimized `.keras` file; load it with `keras.saving.load_model`."""
    from healthtune.run.service import best_model_file

    job = state.job(job_id)
    paths = state.run_paths(job)
    optimized_summary(paths, job)
    path = best_model_file(paths)
    if path is None:
        raise _not_found("model file")
    return FileResponse(path, media_type="application/octet-stream", filename=path.name)


@router.get(
    "/jobs/{job_id}/download",
    responses={200: {"content": {"application/zip": {}}}, **error_responses(404, 409)},
)
def download_zip(job_id: str, state: State) -> FileResponse:
    """A zip of optimized_model/ (model, summary, metrics, plots), the study plots and trials.csv."""
    from healthtune.run.service import write_archive

    job = state.job(job_id)
    paths = state.run_paths(job)
    optimized_summary(paths, job)
    handle = tempfile.NamedTemporaryFile(prefix="healthtune-", suffix=".zip", delete=False)  # noqa: SIM115
    handle.close()
    try:
        archive = write_archive(paths, Path(handle.name))
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=f"{job.run_name}.zip",
        background=BackgroundTask(archive.unlink, missing_ok=True),
    )
