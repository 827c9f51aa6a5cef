"""OptimizationConfig: every system default of a run in one place, validated at construction."""

from __future__ import annotations

import dataclasses
import enum
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.choices import (
    Architecture,
    ExecutorKind,
    Mode,
    Objective,
    PlotMode,
    PrunerKind,
    SamplerKind,
)
from healthtune.core.config_fields import (
    as_path,
    automatic_run_name,
    check_run_name,
    coerce_enum,
    require_bool,
    require_int,
)
from healthtune.core.exceptions import ConfigError
from healthtune.core.objectives import parse_class_weight
from healthtune.core.paths import STUDIES_DB
from healthtune.data import defaults as data_defaults
from healthtune.health import defaults as health_defaults
from healthtune.search.user_model import check_model_fn

if TYPE_CHECKING:
    from healthtune.core.scoring import ScoringWeights

__all__ = [
    "Architecture",
    "ExecutorKind",
    "Mode",
    "Objective",
    "OptimizationConfig",
    "PlotMode",
    "PrunerKind",
    "SamplerKind",
]


def _help(text: str, **extra: Any) -> dict[str, Any]:
    """Field metadata: the help text is shown by the CLI (and later the API and UI)."""
    return {"help": text, **extra}


EARLY_STOPPING_PATIENCE = 3
"""Epochs without a better validation accuracy after which a trial stops; its best epoch is kept."""


@dataclass(frozen=True)
class OptimizationConfig:
    """Everything one optimization run needs. Defaults here are the system defaults."""

    dataset: str = field(
        default="digits",
        metadata=_help("registry name (digits, mnist, ...), images:PATH, texts:PATH, csv:PATH or npz:PATH"),
    )
    run_name: str = field(
        default="", metadata=_help("name of the run and its study; default: dataset + timestamp")
    )
    trials: int = field(
        default=20,
        metadata=_help("total finished trials the run aims for; re-running a run continues up to it"),
    )
    max_epochs_per_trial: int = field(default=10, metadata=_help("upper bound of epochs for one trial"))
    early_stopping_patience: int = field(
        default=EARLY_STOPPING_PATIENCE,
        metadata=_help("stop a trial after this many epochs without a better validation accuracy; "
                       "every trial returns its best epoch's weights (0: train every epoch)"),
    )  # fmt: skip
    batch_size: int = field(default=64, metadata=_help("examples per gradient step"))
    validation_split: float = field(
        default=0.2, metadata=_help("share of the training data held out to score trials, in (0, 1)")
    )
    timeout_hours: float | None = field(
        default=None,
        metadata=_help(
            "wall-clock budget: no trial starts after it, and running trials end with the epoch that "
            "passes it, keeping their best epoch"
        ),
    )
    seed: int = field(default=42, metadata=_help("seed for data splits, the sampler and training"))
    mode: Mode = field(
        default=Mode.HEALTH,
        metadata=_help("simple: accuracy; health: weighted accuracy + health; pareto: both as objectives"),
    )
    accuracy_weight: float | None = field(
        default=None, metadata=_help("share of the score given to validation accuracy (health/pareto modes)")
    )
    health_overall_weight: float | None = field(
        default=None, metadata=_help("share of the score given to health; accuracy_weight + this = 1")
    )
    health_component_proportions: Mapping[str, float] | None = field(
        default=None, metadata=_help("how health splits over the eight metrics (name=share, summing to 1)")
    )
    objective: Objective = field(
        default=Objective.ACCURACY,
        metadata=_help("what the accuracy part of the score measures on validation (reported on test): "
                       "accuracy, balanced_accuracy, macro_f1 or roc_auc (two classes)"),
    )  # fmt: skip
    class_weight: str | Mapping[str, float] = field(
        default="none",
        metadata=_help("weigh classes in the training loss: none, balanced (rare classes count as much as "
                       "common ones) or name=weight,name=weight"),
    )  # fmt: skip
    health_monitoring_frequency: int = field(
        default=health_defaults.HEALTH_MONITORING_FREQUENCY,
        metadata=_help("probe model health every N epochs (0 = no probes; simple mode only)"),
    )
    health_pruning: bool | None = field(
        default=None,
        metadata=_help("stop unhealthy trials early (divergence, exploding gradients, dormant units); "
                       "default: on in health mode"),
    )  # fmt: skip
    health_prune_dormant_share: float = field(
        default=health_defaults.HEALTH_PRUNE_DORMANT_SHARE,
        metadata=_help("health pruning: prune when more than this share of units is dormant"),
    )
    health_prune_after_epoch: int = field(
        default=health_defaults.HEALTH_PRUNE_AFTER_EPOCH,
        metadata=_help("health pruning: check dormant units from this epoch on"),
    )
    pruner: PrunerKind = field(
        default=PrunerKind.MEDIAN, metadata=_help("stop trials that do worse than others at the same epoch")
    )
    sampler: SamplerKind = field(default=SamplerKind.TPE, metadata=_help("how parameters are proposed"))
    storage_url: str = field(
        default="", metadata=_help("Optuna storage URL; default: sqlite file studies.db in results_root")
    )
    results_root: Path = field(
        default=Path("optimization_results"), metadata=_help("directory that holds every run")
    )
    data_dir: Path | None = field(
        default=None, metadata=_help("dataset cache; default: $HEALTHTUNE_DATA_DIR or the user cache dir")
    )
    dataset_mirror: str | None = field(
        default=None, metadata=_help("base URL to download datasets from instead of their official sources")
    )
    max_samples: int | None = field(
        default=None, metadata=_help("use a stratified subset of this many training examples")
    )
    vocab_size: int | None = field(
        default=None, metadata=_help(f"text: words kept; default: {data_defaults.DERIVED_VOCAB_SIZE}")
    )
    sequence_length: int | None = field(
        default=None,
        metadata=_help(f"text: words read per example; default: {data_defaults.DERIVED_SEQUENCE_LENGTH}"),
    )
    plot_mode: PlotMode = field(default=PlotMode.BEST, metadata=_help("which trials draw diagnostic plots"))
    tensorboard: bool = field(
        default=True,
        metadata=_help("write TensorBoard logs per trial (scalars, weight and gradient histograms)"),
    )
    executor: ExecutorKind = field(default=ExecutorKind.LOCAL, metadata=_help("where trials run"))
    concurrent_workers: int = field(default=1, metadata=_help("trials running at the same time"))
    runpod_endpoint: str = field(
        default="",
        metadata=_help(
            "RunPod endpoint id, or the URL of a worker started with --rp_serve_api; "
            "default: $RUNPOD_ENDPOINT_ID"
        ),
    )
    ray_address: str = field(
        default="",
        metadata=_help("Ray cluster: 'auto', 'ray://host:10001', or empty to start Ray on this machine"),
    )
    executor_fallback: bool = field(
        default=True,
        metadata=_help("run trials locally when the RunPod endpoint or Ray cluster is unreachable at start"),
    )
    remote_trial_timeout_minutes: float = field(
        default=120.0,
        metadata=_help("a remote trial still running after this long is cancelled and failed"),
    )
    max_trial_retries: int = field(
        default=1,
        metadata=_help("retries of a trial whose worker died (Ray task, lost orchestrator heartbeat)"),
    )
    target_gpus_per_worker: int = field(
        default=1,
        metadata=_help(
            "GPUs each trial trains on; above 1 each batch is split evenly across them (data parallel), "
            "so use a batch_size that is a multiple of it; ignored where fewer GPUs exist"
        ),
    )
    max_consecutive_failures: int = field(
        default=5, metadata=_help("stop the run after this many failed trials in a row")
    )
    max_model_mflops: float = field(
        default=150.0,
        metadata=_help(
            "reject sampled networks above this forward compute per example, in MFLOPs, before "
            "training them (0: no limit; the default CNN on MNIST needs about 37)"
        ),
    )
    model_fn: str = field(
        default="",
        metadata=_help("search your own model: 'module:function' or 'path/to/file.py:function', a "
                       "build(trial, info) that returns a Keras model (the search space is its suggest_* calls)"),
    )  # fmt: skip
    search_space_overrides: Mapping[str, Any] = field(
        default_factory=dict,
        metadata=_help("fix a parameter (name=value) or narrow it (name=low:high or name=a,b)"),
    )

    def __post_init__(self) -> None:
        from healthtune.data.names import check_dataset_form

        for name, enum_type in (
            ("mode", Mode),
            ("pruner", PrunerKind),
            ("sampler", SamplerKind),
            ("plot_mode", PlotMode),
            ("executor", ExecutorKind),
            ("objective", Objective),
        ):
            object.__setattr__(self, name, coerce_enum(name, getattr(self, name), enum_type))
        if not isinstance(self.dataset, str):
            raise ConfigError(
                f"dataset must be a name or images: / texts: / csv: / npz:PATH, got dataset={self.dataset!r}"
            )
        object.__setattr__(self, "dataset", self.dataset.strip())
        check_dataset_form(self.dataset)  # existence is checked where the run starts
        object.__setattr__(self, "class_weight", parse_class_weight(self.class_weight))
        if not isinstance(self.model_fn, str):
            raise ConfigError(f"model_fn must be a string 'module:function' (optimize(model_fn=...) takes a "
                              f"function), got model_fn={self.model_fn!r}")  # fmt: skip
        if self.model_fn:
            check_model_fn(self.model_fn)
        require_int("trials", self.trials, minimum=1)
        require_int("max_epochs_per_trial", self.max_epochs_per_trial, minimum=1)
        require_int("batch_size", self.batch_size, minimum=1)
        require_int("concurrent_workers", self.concurrent_workers, minimum=1)
        require_int("max_consecutive_failures", self.max_consecutive_failures, minimum=1)
        require_int("max_trial_retries", self.max_trial_retries, minimum=0)
        require_int("target_gpus_per_worker", self.target_gpus_per_worker, minimum=0)
        require_bool("executor_fallback", self.executor_fallback)
        require_bool("tensorboard", self.tensorboard)
        minutes = self.remote_trial_timeout_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not minutes > 0:
            raise ConfigError(
                f"remote_trial_timeout_minutes must be > 0, got remote_trial_timeout_minutes={minutes!r}"
            )
        require_int("vocab_size", self.vocab_size, minimum=3, optional=True)
        mflops = self.max_model_mflops
        if isinstance(mflops, bool) or not isinstance(mflops, int | float) or not 0 <= mflops < math.inf:
            raise ConfigError(
                f"max_model_mflops must be a number >= 0 (0: no limit), got max_model_mflops={mflops!r}"
            )
        require_int("sequence_length", self.sequence_length, minimum=1, optional=True)
        require_int("early_stopping_patience", self.early_stopping_patience, minimum=0)
        require_int("seed", self.seed, minimum=0)
        require_int("health_monitoring_frequency", self.health_monitoring_frequency, minimum=0)
        require_int("health_prune_after_epoch", self.health_prune_after_epoch, minimum=1)
        if self.health_monitoring_frequency == 0 and self.mode is not Mode.SIMPLE:
            raise ConfigError(
                f"health_monitoring_frequency=0 turns probes off, which mode={self.mode.value!r} needs; "
                "use mode='simple' or a frequency >= 1"
            )
        share = self.health_prune_dormant_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise ConfigError(
                f"health_prune_dormant_share must be in (0, 1], got health_prune_dormant_share={share!r}"
            )
        if self.health_pruning is None:
            object.__setattr__(self, "health_pruning", self.mode is Mode.HEALTH)
        else:
            require_bool("health_pruning", self.health_pruning)
        self.weights  # noqa: B018 - validates the weights now, not when the first trial ends
        require_int("max_samples", self.max_samples, minimum=10, optional=True)
        split = self.validation_split
        if not isinstance(split, int | float) or isinstance(split, bool) or not 0 < split < 1:
            raise ConfigError(f"validation_split must be a number in (0, 1), got validation_split={split!r}")
        hours = self.timeout_hours
        if hours is not None and (
            isinstance(hours, bool) or not isinstance(hours, int | float) or not hours > 0
        ):
            raise ConfigError(f"timeout_hours must be a number > 0 or unset, got timeout_hours={hours!r}")
        object.__setattr__(self, "results_root", as_path("results_root", self.results_root))
        if self.data_dir is not None:
            object.__setattr__(self, "data_dir", as_path("data_dir", self.data_dir))
        if not self.run_name:
            object.__setattr__(self, "run_name", automatic_run_name(self.dataset, self.results_root))
        if not self.storage_url:
            db = os.path.abspath(self.results_root / STUDIES_DB)  # no disk access, unlike resolve()
            object.__setattr__(self, "storage_url", f"sqlite:///{db}")
        check_run_name(self.run_name, self.storage_url)
        from healthtune.search.overrides import validate_overrides

        object.__setattr__(self, "search_space_overrides", validate_overrides(self.search_space_overrides))

    @property
    def weights(self) -> ScoringWeights:
        """The scoring weights in force: accuracy only in `simple` mode."""
        from healthtune.core.scoring import ScoringWeights

        if self.mode is Mode.SIMPLE:
            return ScoringWeights.accuracy_only()
        return ScoringWeights.resolve(
            self.accuracy_weight, self.health_overall_weight, self.health_component_proportions
        )

    @property
    def run_dir(self) -> Path:
        return self.results_root / self.run_name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (enums as values, paths as strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, enum.Enum):
                value = value.value
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> OptimizationConfig:
        """Build from a dict, rejecting unknown keys with the list of valid ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown config field(s) {unknown}; valid fields: {', '.join(sorted(known))}")
        return cls(**dict(values))
