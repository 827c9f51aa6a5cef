"""TrialSpec and TrialResult: the JSON contract between the orchestrator and whatever runs a trial."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SPEC_VERSION = 1


@dataclass(frozen=True)
class DataSpec:
    """How to load the dataset exactly as the orchestrator did (same split, same vocabulary)."""

    name: str
    validation_split: float
    seed: int
    max_samples: int | None = None
    vocab_size: int = 20000
    sequence_length: int = 200
    data_dir: str | None = None
    mirror_url: str | None = None


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
    version: int = SPEC_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrialSpec:
        if values.get("version") != SPEC_VERSION:
            raise ValueError(
                f"TrialSpec version must be {SPEC_VERSION}, got version={values.get('version')!r}"
            )
        return cls(**{**values, "data": DataSpec(**values["data"])})


@dataclass
class TrialResult:
    """What a finished, pruned or failed trial reports back."""

    trial_number: int
    state: str  # "complete", "pruned" or "failed"
    metrics: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    intermediate_values: dict[int, float] = field(default_factory=dict)
    failure_reason: str | None = None  # "diverged", "error"
    error: str | None = None
    version: int = SPEC_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
