"""What clients send: the optimization and rescore requests, and the one conversion to a config."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from healthtune.core.config import (
    ExecutorKind,
    Mode,
    Objective,
    OptimizationConfig,
    PlotMode,
    PrunerKind,
    SamplerKind,
)
from healthtune.data.registry import validate_dataset_name
from healthtune.executors.settings import check_executor_settings
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
    objective: Objective = _choice("objective")
    class_weight: str = _field("class_weight", min_length=1, max_length=100_000)
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
    vocab_size: int | None = _field("vocab_size", ge=3, le=1_000_000)
    sequence_length: int | None = _field("sequence_length", ge=1, le=100_000)
    early_stopping_patience: int = _field("early_stopping_patience", ge=0, le=1000)
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


class RescoreRequest(WeightsIn):
    """New weights for a finished health or pareto run; the best trial is picked again, no training."""
