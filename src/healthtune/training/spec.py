"""TrialSpec and TrialResult: the JSON contract between the orchestrator and whatever runs a trial."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthtune.core.config import EARLY_STOPPING_PATIENCE
from healthtune.health import defaults as health_defaults

SPEC_VERSION = 2
PRUNED_BY_OPTUNA = "below the other trials at this epoch (Optuna pruner)"


@dataclass(frozen=True)
class DataSpec:
    """How to load the dataset exactly as the orchestrator did (same split, same vocabulary)."""

    name: str
    validation_split: float
    seed: int
    max_samples: int | None = None
    vocab_size: int | None = None  # None: derived from the training texts
    sequence_length: int | None = None
    data_dir: str | None = None
    mirror_url: str | None = None


@dataclass(frozen=True)
class HealthSpec:
    """How the trial probes its health and when it prunes itself for bad health."""

    frequency: int = health_defaults.HEALTH_MONITORING_FREQUENCY  # 0 = no probes
    pruning: bool = False
    prune_dormant_share: float = health_defaults.HEALTH_PRUNE_DORMANT_SHARE
    prune_after_epoch: int = health_defaults.HEALTH_PRUNE_AFTER_EPOCH


@dataclass(frozen=True)
class TrialSpec:
    """Everything `run_trial` needs; JSON-serializable so remote workers can receive it."""

    run_name: str
    trial_number: int
    model_config: dict[str, Any]
    data: DataSpec
    epochs: int
    batch_size: int
    seed: int
    trial_dir: str
    params: dict[str, Any] = field(default_factory=dict)
    health: HealthSpec = field(default_factory=HealthSpec)
    weights: dict[str, Any] = field(default_factory=dict)  # ScoringWeights.to_dict(); empty = defaults
    plots: bool = False  # draw the diagnostic plots where the trial runs (plot_mode "all")
    tensorboard: bool = True  # write TensorBoard event files under trial_dir/tensorboard
    gpus: int = 1  # target GPUs for this trial (target_gpus_per_worker); data parallel above 1
    early_stopping_patience: int = EARLY_STOPPING_PATIENCE  # 0: every epoch, the best one still kept
    objective: str = "accuracy"  # what validation measures for the pruner, the best epoch and the score
    class_weight: str | dict[str, float] = "none"  # none, balanced or weights by class name (objectives.py)
    model_fn: str = ""  # the user's build(trial, info), imported by name; `params` are its suggestions
    stop_at: float | None = (
        None  # the run's deadline (Unix time): the trial ends with the epoch that passes it
    )
    version: int = SPEC_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrialSpec:
        if values.get("version") != SPEC_VERSION:
            raise ValueError(
                f"TrialSpec version must be {SPEC_VERSION}, got version={values.get('version')!r}"
            )
        return cls(
            **{**values, "data": DataSpec(**values["data"]), "health": HealthSpec(**values.get("health", {}))}
        )


@dataclass
class TrialResult:
    """What a finished, pruned or failed trial reports back."""

    trial_number: int
    state: str  # "complete", "pruned" or "failed"
    metrics: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    intermediate_values: dict[int, float] = field(default_factory=dict)
    failure_reason: str | None = None  # "diverged", "error"
    prune_reason: str | None = None  # "optuna" (compared with other trials) or a health reason
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds: trial, pack, upload, download
    bundle: dict[str, Any] | None = None  # where the artifacts travelled: sha256, size, key (S3)
    version: int = SPEC_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrialResult:
        if values.get("version") != SPEC_VERSION:
            raise ValueError(
                f"TrialResult version must be {SPEC_VERSION}, got version={values.get('version')!r}"
            )
        known = {f.name for f in dataclasses.fields(cls)}
        data = {key: value for key, value in values.items() if key in known}
        # JSON turns the int epoch keys into strings
        data["intermediate_values"] = {int(k): v for k, v in data.get("intermediate_values", {}).items()}
        return cls(**data)


def load_trial_data(data: DataSpec) -> Any:
    """The dataset as the spec describes it (cached in-process, so trials after the first are instant)."""
    from healthtune.data import load_dataset

    return load_dataset(
        data.name,
        validation_split=data.validation_split,
        seed=data.seed,
        data_dir=Path(data.data_dir) if data.data_dir else None,
        max_samples=data.max_samples,
        vocab_size=data.vocab_size,
        sequence_length=data.sequence_length,
        mirror_url=data.mirror_url,
    )
