"""The API's response models: what every route answers (requests are in requests.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from healthtune.core.choices import Mode
from healthtune.run.events import (
    EpochEndedData,
    RunCancelledData,
    RunFailedData,
    RunFinishedData,
    RunStartedData,
    TrialFailedData,
    TrialFinishedData,
    TrialPrunedData,
    TrialStartedData,
)
from healthtune.server.health_schemas import HealthReportOut
from healthtune.server.jobs_store import JobStatus
from healthtune.server.requests import OptimizationRequest

logger = logging.getLogger(__name__)
Stored = TypeVar("Stored", bound=BaseModel)


def from_stored(model: type[Stored], data: object) -> Stored | None:
    """`data` (a JSON object the jobs table kept) as `model`; a field an older version stored that no
    longer validates is left out (logged) rather than failing the listing. None without its required fields."""
    if not isinstance(data, Mapping):
        return None
    values = {name: value for name, value in data.items() if name in model.model_fields}
    while True:
        try:
            return model.model_validate(values)
        except ValidationError as error:
            bad = {str(e["loc"][0]) for e in error.errors() if e["loc"]} & values.keys()
            if not bad:
                return None
            logger.warning("stored %s fields %s no longer validate; left out", model.__name__, sorted(bad))
            values = {name: value for name, value in values.items() if name not in bad}


class JobResult(BaseModel):
    """A job's outcome, summed up by its job process (run.json keeps the whole run); a rescore updates it."""

    best_trial: int | None = Field(None, description="the number of the best trial")
    best_score: float | None = Field(None, description="its score with the weights in force")
    best_val_accuracy: float | None = None
    best_test_accuracy: float | None = None
    best_model_file: str | None = Field(
        None, description="the optimized .keras file's name, once it is saved"
    )
    trials: int | None = Field(None, description="trials the run recorded")
    elapsed_seconds: float | None = None


class JobOut(BaseModel):
    id: str
    run_name: str
    status: JobStatus
    dataset: str
    mode: Mode | None = Field(None, description="simple, health or pareto (None: a job stored without one)")
    trials: int
    weights: dict[str, Any] = Field(
        default_factory=dict, description="the scoring weights in force (updated by rescore)"
    )
    has_model: bool = Field(False, description="the optimized model exists and can be downloaded")
    created_at: float
    started_at: float | None = Field(
        None, description="when the latest attempt started (a resume starts one)"
    )
    first_started_at: float | None = Field(None, description="when the job first started")
    finished_at: float | None = None
    run_seconds: float = Field(
        0.0, description="time spent running over all attempts, the one in progress included"
    )
    error: str | None = None
    result: JobResult | None = None
    cancel_requested: bool = False
    attempts: int = Field(0, description="how many times the job was started (1 + resumes)")
    request: OptimizationRequest | None = Field(
        None,
        description="what was asked for when the job was submitted (for a run found on disk: its config)",
    )
    terminal: bool = Field(False, description="the job has ended (completed, failed, cancelled, interrupted)")
    can_resume: bool = Field(
        False, description="resume would continue its study (failed, cancelled, interrupted)"
    )
    can_rescore: bool = Field(
        False, description="rescore would re-rank its trials (completed or cancelled, health or pareto mode)"
    )
    origin: Literal["server", "external"] = Field(
        "server",
        description="server: queued here; external: a run made from the CLI or Python found in the results "
        "root, read-only here (no cancel, resume, rescore or delete)",
    )


class JobPage(BaseModel):
    items: list[JobOut]
    total: int
    offset: int
    limit: int


class RunningTrial(BaseModel):
    trial: int
    epoch: int
    metrics: dict[str, float | None]
    started_at: float


class BaselineOut(BaseModel):
    """A reference model fitted on the run's training split (evaluation/baselines.py), scored like the trials."""

    name: str = Field(description="majority or linear")
    description: str
    val_accuracy: float
    test_accuracy: float | None = None
    train_examples: int
    subsampled: bool = Field(description="the linear model saw a stratified sample of the training split")
    seconds: float


class BaselineVerdict(BaseModel):
    beats_linear: bool
    linear_val_accuracy: float
    message: str = Field(description="what the comparison means, and what to try when the network loses")


class Progress(BaseModel):
    target_trials: int | None = None
    finished: int = 0
    complete: int = 0
    pruned: int = 0
    failed: int = 0
    rejected: int = Field(0, description="networks over max_model_mflops, skipped before training")
    cut_short: int = Field(
        0,
        description="trials a cancel, Ctrl-C or crash stopped (listed as failed with that reason); not "
        "counted as finished: a resume trains them again as new trials",
    )
    running: int = 0
    running_trials: list[RunningTrial] = Field(default_factory=list)
    best_trial: int | None = None
    best_score: float | None = None
    best_val_accuracy: float | None = None
    mean_trial_seconds: float | None = None
    eta_seconds: float | None = None
    last_seq: int = 0
    baselines: list[BaselineOut] = Field(
        default_factory=list, description="majority class and linear model, fitted when the run started"
    )
    baseline_verdict: BaselineVerdict | None = Field(
        None, description="whether the best trial so far beats the linear baseline on validation"
    )


class JobStatusOut(BaseModel):
    id: str
    status: JobStatus
    terminal: bool = Field(False, description="the job has ended: its status no longer changes by itself")
    error: str | None = None
    cancel_requested: bool = False
    epochs_per_trial: int
    progress: Progress


class TrialOut(BaseModel):
    number: int
    state: str
    params: dict[str, Any]
    score: float | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    failure_reason: str | None = None
    prune_reason: str | None = None
    error: str | None = None
    pareto: bool = Field(
        False, description="on the Pareto front the final model is picked from (pareto mode)"
    )


class TrialDetail(TrialOut):
    health: HealthReportOut | None = Field(
        None, description="health report: metrics, gate, findings, per-layer data"
    )
    plots: list[str] = Field(default_factory=list, description="plot names available for this trial")
    has_model: bool = False
    has_architecture: bool = False


class PlotList(BaseModel):
    trial: int
    plots: list[str]


class BestModel(BaseModel):
    job_id: str
    run_name: str
    summary: dict[str, Any]
    architecture: dict[str, Any] | None = None
    model_file: str | None = None


class MeasuredTrial(BaseModel):
    """One trial measured on the test split at the end of its run (run/health_bought.py)."""

    trial: int
    score: float | None = None
    val_accuracy: float | None = None
    health: float | None = Field(None, description="weighted health with the weights in force")
    measured: bool = Field(description="false: the trial was not among those measured when the run ended")
    test_accuracy: float | None = None
    calibration_error: float | None = Field(
        None, description="expected calibration error over 15 confidence bins; 0 = confidences match accuracy"
    )
    corrupted_accuracy: float | None = Field(None, description="mean accuracy over the corruptions")
    corruptions: dict[str, float] = Field(default_factory=dict, description="accuracy under each corruption")
    examples: int | None = None


class HealthBoughtOut(BaseModel):
    """The picked trial beside the one validation accuracy alone would pick, on the test split."""

    chosen: MeasuredTrial
    accuracy_only: MeasuredTrial
    others: list[MeasuredTrial] = Field(default_factory=list, description="other top trials measured")
    same_trial: bool
    differences: dict[str, float] | None = Field(
        None, description="chosen minus accuracy-only: test_accuracy, calibration_error, corrupted_accuracy"
    )
    summary: str


class RescoreOut(BaseModel):
    best_trial: int | None
    best_score: float | None
    trials: list[TrialOut]
    health_bought: HealthBoughtOut | None = Field(
        None, description="the new pick beside the accuracy-only pick (runs that measured outcomes)"
    )


class DatasetOut(BaseModel):
    name: str
    kind: str
    architecture: str
    input_shape: list[int] | None
    num_classes: int | None
    class_names: list[str]
    description: str
    download_size_mb: float | None
    cached: bool


class DatasetCheck(BaseModel):
    """Whether a dataset name would be accepted: a registry name or the user's own images: / texts: / csv: / npz:PATH."""

    name: str
    valid: bool
    message: str | None = Field(
        default=None, description="why POST /api/optimize would refuse it (the same words)"
    )
    source: str | None = Field(
        default=None,
        description="registry, images (a folder per class), csv (label,text) or npz (numpy arrays)",
    )
    kind: str | None = Field(default=None, description="image or text")
    architecture: str | None = Field(
        default=None, description="what is searched for it: cnn (images) or lstm (text)"
    )


class DefaultWeights(BaseModel):
    accuracy_weight: float
    health_overall_weight: float
    health_component_proportions: dict[str, float]
    descriptions: dict[str, str] = Field(default_factory=dict, description="what each health metric measures")
    near_tie_standard_errors: float = Field(
        description="with health in the score, the best trial is the highest score among trials whose validation "
        "objective is within this many standard errors of the best one"
    )
    near_tie_loss_tolerance: float = Field(
        description="before health decides, near ties whose validation loss is more than this share above the "
        "lowest of them drop out"
    )


class SearchParam(BaseModel):
    name: str
    kind: str
    description: str
    architectures: list[str]
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: list[Any] = Field(default_factory=list)
    condition: list[Any] | None = None
    default: Any = None
    allowed_low: float | None = Field(None, description="the smallest value an override may use (numbers)")
    allowed_high: float | None = Field(None, description="the largest value an override may use (numbers)")
    allowed_choices: list[Any] = Field(
        default_factory=list,
        description="every value an override may pick (named choices); empty for numbers",
    )


class _EventFields(BaseModel):
    """What every progress event has, as events.jsonl and the WebSocket carry it."""

    run_name: str
    seq: int = Field(description="numbers every event of the run from 1, also across resumes")
    time: float
    trial: int | None = None


class RunStartedEvent(_EventFields):
    type: Literal["run_started"]
    data: RunStartedData = Field(default_factory=lambda: RunStartedData())


class TrialStartedEvent(_EventFields):
    type: Literal["trial_started"]
    data: TrialStartedData = Field(default_factory=lambda: TrialStartedData())


class EpochEndedEvent(_EventFields):
    type: Literal["epoch_ended"]
    data: EpochEndedData = Field(default_factory=lambda: EpochEndedData())


class TrialFinishedEvent(_EventFields):
    type: Literal["trial_finished"]
    data: TrialFinishedData = Field(default_factory=lambda: TrialFinishedData())


class TrialPrunedEvent(_EventFields):
    type: Literal["trial_pruned"]
    data: TrialPrunedData = Field(default_factory=lambda: TrialPrunedData())


class TrialFailedEvent(_EventFields):
    type: Literal["trial_failed"]
    data: TrialFailedData = Field(default_factory=lambda: TrialFailedData())


class RunFinishedEvent(_EventFields):
    type: Literal["run_finished"]
    data: RunFinishedData = Field(default_factory=lambda: RunFinishedData())


class RunFailedEvent(_EventFields):
    type: Literal["run_failed"]
    data: RunFailedData = Field(default_factory=lambda: RunFailedData())


class RunCancelledEvent(_EventFields):
    type: Literal["run_cancelled"]
    data: RunCancelledData = Field(default_factory=lambda: RunCancelledData())


EventOut = Annotated[
    RunStartedEvent
    | TrialStartedEvent
    | EpochEndedEvent
    | TrialFinishedEvent
    | TrialPrunedEvent
    | TrialFailedEvent
    | RunFinishedEvent
    | RunFailedEvent
    | RunCancelledEvent,
    Field(discriminator="type"),
]
"""One progress event; `type` says which, and with it what `data` holds."""


class HealthOut(BaseModel):
    status: str
    version: str
    jobs_running: int
    jobs_queued: int
    max_upload_mb: int = Field(description="largest dataset file POST /api/datasets/uploads takes")
