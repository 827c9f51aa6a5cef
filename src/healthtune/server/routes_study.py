"""Live views of a run's study: parameter importances while it trains, and its TensorBoard."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from healthtune.server.errors import EVERY_ROUTE, error_responses
from healthtune.server.jobs_store import JobStatus
from healthtune.server.state import AppState, get_state
from healthtune.server.tensorboards import TensorBoardUnavailable

if TYPE_CHECKING:
    import optuna

    from healthtune.core.config import OptimizationConfig

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["study"], responses=error_responses(*EVERY_ROUTE))
State = Annotated[AppState, Depends(get_state)]
MIN_IMPORTANCE_TRIALS = 2


class ImportancesOut(BaseModel):
    """Optuna's parameter importances over the finished trials so far (empty, with a reason, below 2)."""

    importances: dict[str, float] = Field(
        default_factory=dict,
        description="parameter -> share of the score's variation it explains (sum 1), most important first",
    )
    target: str = Field(description="what the importances explain: the trials' score (pareto mode: weighted)")
    complete_trials: int = Field(description="finished trials the importances are computed from")
    min_trials: int = MIN_IMPORTANCE_TRIALS
    reason: str | None = Field(default=None, description="why there are no importances (yet)")


class TensorBoardOut(BaseModel):
    url: str | None = Field(
        default=None, description="TensorBoard for this run on 127.0.0.1 (this machine only)"
    )
    reason: str | None = Field(default=None, description="why there is no TensorBoard (yet)")


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, str], dict[str, float]]] = {}  # job id -> (its key, importances)


def _score_target(config: OptimizationConfig) -> Callable[[optuna.trial.FrozenTrial], float]:
    """Minus the trial's score: with a target, Optuna's evaluator explains reaching *low* values."""
    from healthtune.core import scoring

    def target(trial: optuna.trial.FrozenTrial) -> float:
        metrics = trial.user_attrs.get("metrics") or {}
        if metrics.get("val_accuracy") is None:
            return -float(trial.values[0])
        return -scoring.score(config.mode, config.weights, metrics)

    return target


@router.get("/jobs/{job_id}/importances", response_model=ImportancesOut, responses=error_responses(404, 503))
def importances(job_id: str, state: State) -> ImportancesOut:
    """Computed from the study as it is now, so it works while the run trains (from 2 finished trials).

    The target is the score the run ranks trials by, with the weights in force (after any rescore).
    """
    import optuna

    job = state.job(job_id)
    config = state.config(job)
    target_name = "accuracy" if config.mode.value == "simple" else "weighted score (accuracy + health)"
    study = state.study(job)
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)) if study else []
    out = ImportancesOut(target=target_name, complete_trials=len(complete))
    if len(complete) < MIN_IMPORTANCE_TRIALS:
        out.reason = (
            f"importances need at least {MIN_IMPORTANCE_TRIALS} finished trials; {len(complete)} so far"
        )
        return out
    assert study is not None
    key = (len(complete), repr(sorted(config.weights.to_dict().items())))
    with _cache_lock:
        entry = _cache.get(job.id)
    cached = entry[1] if entry is not None and entry[0] == key else None
    if cached is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = optuna.importance.get_param_importances(study, target=_score_target(config))
        except (ValueError, RuntimeError) as error:
            out.reason = f"importances cannot be computed yet: {error}"
            return out
        cached = {name: float(value) for name, value in found.items()}
        with _cache_lock:
            _cache[job.id] = (key, cached)
    out.importances = cached
    if not cached:
        out.reason = "no parameter varied between the finished trials"
    return out


@router.get("/jobs/{job_id}/tensorboard", response_model=TensorBoardOut, responses=error_responses(404))
def tensorboard(job_id: str, state: State) -> TensorBoardOut:
    """Starts (or reuses) TensorBoard on the run's trial logs, bound to 127.0.0.1 on a free port.

    `url` is null with a `reason` when the run has no event files (yet, or TensorBoard logging is off).
    The URL works from the machine the server runs on (or through an SSH tunnel to it).
    """
    job = state.job(job_id)
    logdir = state.run_paths(job).run_dir / "trials"
    if not job.config.get("tensorboard", True):
        return TensorBoardOut(reason="this run was started with TensorBoard logging off (tensorboard=false)")
    from healthtune.plots.tensorboard_server import event_files

    if not event_files(logdir):
        why = (
            "no TensorBoard logs yet: a trial writes them after its first epoch"
            if job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
            else "this run has no TensorBoard logs (no trial trained an epoch)"
        )
        return TensorBoardOut(reason=why)
    try:
        url = state.tensorboards.url(job.id, logdir)
    except TensorBoardUnavailable as error:
        logger.warning("TensorBoard for job %s: %s", job.id, error)
        return TensorBoardOut(reason=str(error))
    return TensorBoardOut(url=url)
