"""OptimizationResult and TrialRecord, and load_run to read a finished run back (its layout: core/paths.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthtune.core.exceptions import HealthtuneError
from healthtune.core.paths import RUN_FILE, RunPaths


def model_file_name(dataset: str, accuracy: float) -> str:
    """optimized_{dataset}_acc_{acc}.keras, with user paths reduced to a safe name."""
    from healthtune.data.names import dataset_slug

    return f"optimized_{dataset_slug(dataset)}_acc_{accuracy:.4f}.keras"


@dataclass(frozen=True)
class TrialRecord:
    """One trial as the run reports it."""

    number: int
    state: str  # complete, pruned, failed, running
    params: dict[str, Any]
    score: float | None
    metrics: dict[str, Any] = field(default_factory=dict)
    failure_reason: str | None = None
    error: str | None = None
    prune_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "state": self.state,
            "params": self.params,
            "score": self.score,
            "metrics": self.metrics,
            "failure_reason": self.failure_reason,
            "error": self.error,
            "prune_reason": self.prune_reason,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrialRecord:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class OptimizationResult:
    """What `healthtune.optimize` returns: the best trial, all trials and where the files are."""

    run_name: str
    run_dir: Path
    status: str
    best_trial: TrialRecord | None
    best_model_path: Path | None
    trials: list[TrialRecord]
    config: dict[str, Any]
    storage_url: str
    elapsed_seconds: float = 0.0
    health_bought: dict[str, Any] | None = None  # the pick beside the accuracy-only pick (health_bought.py)
    baselines: list[dict[str, Any]] = field(default_factory=list)  # majority and linear (evaluation/)
    baseline_verdict: dict[str, Any] | None = None  # does the best network beat the linear baseline?

    @property
    def best_score(self) -> float | None:
        return self.best_trial.score if self.best_trial else None

    @property
    def best_params(self) -> dict[str, Any]:
        return dict(self.best_trial.params) if self.best_trial else {}

    def count(self, state: str) -> int:
        return sum(1 for trial in self.trials if trial.state == state)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_name": self.run_name,
            "status": self.status,
            "best_trial": self.best_trial.to_dict() if self.best_trial else None,
            "best_model_path": str(self.best_model_path) if self.best_model_path else None,
            "trials": [trial.to_dict() for trial in self.trials],
            "config": self.config,
            "storage_url": self.storage_url,
            "elapsed_seconds": self.elapsed_seconds,
            "health_bought": self.health_bought,
            "baselines": self.baselines,
            "baseline_verdict": self.baseline_verdict,
        }


def write_json(path: Path, data: Any) -> None:
    """Write atomically: a crash never leaves half a JSON file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def load_run(path: str | Path) -> OptimizationResult:
    """Read a run back from its directory (optimization_results/{run_name})."""
    run_dir = Path(path)
    run_file = RunPaths(run_dir).run_file
    if not run_file.is_file():
        raise HealthtuneError(f"no run at {run_dir}: {RUN_FILE} not found")
    data = json.loads(run_file.read_text(encoding="utf-8"))
    best = data.get("best_trial")
    best_model = data.get("best_model_path")
    return OptimizationResult(
        run_name=data["run_name"],
        run_dir=run_dir,
        status=data.get("status", "unknown"),
        best_trial=TrialRecord.from_dict(best) if best else None,
        best_model_path=run_dir / best_model if best_model else None,
        trials=[TrialRecord.from_dict(t) for t in data.get("trials", [])],
        config=data.get("config", {}),
        storage_url=data.get("storage_url", ""),
        elapsed_seconds=float(data.get("elapsed_seconds", 0.0)),
        health_bought=data.get("health_bought"),
        baselines=list(data.get("baselines") or []),
        baseline_verdict=data.get("baseline_verdict"),
    )
