"""The API's request and response models, and the one function that turns a request into a config."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from healthtune.config import ExecutorKind, Mode, OptimizationConfig, PlotMode, PrunerKind, SamplerKind
from healthtune.data.registry import validate_dataset_name
from healthtune.executors import check_executor_settings
from healthtune.server.data_access import confine_dataset
from healthtune.server.settings import ServerSettings

_FIELDS = {f.name: f for f in dataclasses.fields(OptimizationConfig)}
RUN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"


def _default(name: str) -> Any:
    """Defaults come from OptimizationConfig, the one place that owns them."""
    spec = _FIELDS[name]
    return spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()  # type: ignore[operator]


def _doc(name: str) -> str:
    return str(_FIELDS[name].metadata.get("help", ""))


def _field(name: str, **limits: Any) -> Any:
    """A request field with the config's default and help. Numbers and booleans are strict: "3",
    true or 1 are refused where a number or a boolean is expected, as the docs promise."""
    return Field(default=_default(name), description=_doc(name), strict=True, **limits)


def _choice(name: str) -> Any:
    """A field with a fixed set of values (an enum, sent as its string value)."""
    return Field(default=_default(name), description=_doc(name))


class WeightsIn(BaseModel):
    """Scoring weights; missing parts are filled (accuracy 0.8 alone means health 0.2)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    accuracy_weight: float | None = Field(
        default=None, ge=0, le=1, strict=True, description=_doc("accuracy_weight")
    )
    health_overall_weight: float | None = Field(
        default=None, ge=0, le=1, strict=True, description=_doc("health_overall_weight")
    )
    health_component_proportions: dict[str, Annotated[float, Field(strict=True)]] | None = Field(
        default=None, max_length=32, description=_doc("health_component_proportions")
    )


class OptimizationRequest(BaseModel):
    """POST /api/optimize: what a user chooses for one optimization. Unset fields take the defaults."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    dataset_name: str = Field(
        default=_default("dataset"), min_length=1, max_length=1024, description=_doc("dataset")
    )
    run_name: str | None = Field(
        default=None, pattern=RUN_NAME_PATTERN, description="name of the run; default: dataset + timestamp"
    )
    trials: int = _field("trials", ge=1, le=10000)
    max_epochs_per_trial: int = _field("max_epochs_per_trial", ge=1, le=1000)
    batch_size: int = _field("batch_size", ge=1, le=8192)
    validation_split: float = _field("validation_split", gt=0, lt=1)
    mode: Mode = _choice("mode")
    weights: WeightsIn | None = Field(default=None, description="scoring weights (health and pareto modes)")
    concurrent_workers: int = _field("concurrent_workers", ge=1, le=64)
    executor: ExecutorKind = _choice("executor")
    # Where remote executors connect (runpod_endpoint, ray_address, S3) is the server's own setting.
    executor_fallback: bool = _field("executor_fallback")
    remote_trial_timeout_minutes: float = _field("remote_trial_timeout_minutes", gt=0, le=7 * 24 * 60)
    max_trial_retries: int = _field("max_trial_retries", ge=0, le=10)
    target_gpus_per_worker: int = _field("target_gpus_per_worker", ge=0, le=64)
    plot_mode: PlotMode = _choice("plot_mode")
    pruner: PrunerKind = _choice("pruner")
    sampler: SamplerKind = _choice("sampler")
    seed: int = _field("seed", ge=0, le=2**31 - 1)
    timeout_hours: float | None = _field("timeout_hours", gt=0, le=24 * 365)
    max_samples: int | None = _field("max_samples", ge=10)
    vocab_size: int = _field("vocab_size", ge=3, le=1_000_000)
    sequence_length: int = _field("sequence_length", ge=1, le=100_000)
    health_monitoring_frequency: int = _field("health_monitoring_frequency", ge=0, le=1000)
    health_pruning: bool | None = _field("health_pruning")
    health_prune_dormant_share: float = _field("health_prune_dormant_share", gt=0, le=1)
    health_prune_after_epoch: int = _field("health_prune_after_epoch", ge=1, le=1000)
    tensorboard: bool = _field("tensorboard")
    max_model_mflops: float = _field("max_model_mflops", ge=0, le=1e9)
    max_consecutive_failures: int = _field("max_consecutive_failures", ge=1, le=10000)
    search_space_overrides: dict[str, Any] = Field(
        default_factory=dict, description=_doc("search_space_overrides")
    )


# Request fields whose config field has another name; everything else maps one to one.
RENAMED = {"dataset_name": "dataset"}


def request_to_config(request: OptimizationRequest, settings: ServerSettings) -> OptimizationConfig:
    """The one conversion: request fields, then the server's own paths and storage (never the client's)."""
    values = request.model_dump(exclude={"weights"}, exclude_none=True)
    values = {RENAMED.get(name, name): value for name, value in values.items()}
    # Before the config looks at the path: a path outside the server's roots is never touched.
    values["dataset"] = confine_dataset(request.dataset_name, settings.readable_roots)
    if request.weights is not None:
        values.update(request.weights.model_dump(exclude_none=True))
    values.update(results_root=settings.results_root, storage_url=settings.storage_url)
    if settings.data_dir is not None:
        values["data_dir"] = settings.data_dir
    config = OptimizationConfig.from_dict(values)
    validate_dataset_name(config.dataset)  # inside the server's roots: existence and form may be told
    # Remote executors use the server's own settings (RUNPOD_*, HEALTHTUNE_S3_*, RAY_ADDRESS): refuse
    # a job now, with what to set, rather than failing it when it starts.
    check_executor_settings(config)
    return config


class JobOut(BaseModel):
    id: str
    run_name: str
    status: str
    dataset: str
    mode: str
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
    result: dict[str, Any] | None = None
    cancel_requested: bool = False
    attempts: int = Field(0, description="how many times the job was started (1 + resumes)")
    request: dict[str, Any] = Field(default_factory=dict)


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


class JobStatusOut(BaseModel):
    id: str
    status: str
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
    health: dict[str, Any] | None = Field(
        None, description="health report: metrics, findings, per-layer data"
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


class RescoreRequest(WeightsIn):
    """New weights for a finished health or pareto run; the best trial is picked again, no training."""


class RescoreOut(BaseModel):
    best_trial: int | None
    best_score: float | None
    trials: list[TrialOut]


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


class EventOut(BaseModel):
    """One progress event of a run, as events.jsonl and the WebSocket carry it."""

    type: str = Field(description="run_started, trial_started, epoch_ended, trial_finished, trial_pruned, "
                                  "trial_failed, run_finished, run_failed or run_cancelled")  # fmt: skip
    run_name: str
    seq: int = Field(description="numbers every event of the run from 1, also across resumes")
    time: float
    trial: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class HealthOut(BaseModel):
    status: str
    version: str
    jobs_running: int
    jobs_queued: int
    max_upload_mb: int = Field(description="largest dataset file POST /api/datasets/uploads takes")
