"""rescore: re-rank a finished run's trials with new weights and re-assemble the best model, no training."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from healthtune.core.config import Mode, OptimizationConfig
from healthtune.core.exceptions import ConfigError, OptimizationFailed
from healthtune.core.paths import RunPaths, TrialPaths
from healthtune.core.scoring import ScoringWeights, score
from healthtune.evaluation.baselines import verdict
from healthtune.health.recompute import needs_recompute, recompute_report
from healthtune.run.assembly import assemble_best_model
from healthtune.run.results import OptimizationResult, TrialRecord, load_run, write_json
from healthtune.run.selection import records_pareto, select_best
from healthtune.run.trials_table import write_trials_csv


def rescore(
    run: str | Path | OptimizationResult, weights: ScoringWeights | Mapping[str, Any]
) -> OptimizationResult:
    """Score every finished trial again from its stored metrics and copy the new best to optimized_model/.

    `weights` is a ScoringWeights or a mapping with accuracy_weight / health_overall_weight /
    health_component_proportions (missing parts are filled as in ScoringWeights.resolve).
    A `simple` run has no health metrics to re-weigh and is refused.
    """
    if not isinstance(run, str | Path | OptimizationResult):
        raise ConfigError(f"run must be a run directory or an OptimizationResult, got run={run!r}")
    run_dir = run.run_dir if isinstance(run, OptimizationResult) else Path(run)
    previous = load_run(run_dir)
    if not isinstance(weights, ScoringWeights | Mapping):
        raise ConfigError(
            "weights must be a ScoringWeights or a mapping such as {'accuracy_weight': 0.8}, "
            f"got weights={weights!r}"
        )
    if not isinstance(weights, ScoringWeights):
        unknown = sorted(
            set(weights) - {"accuracy_weight", "health_overall_weight", "health_component_proportions"}
        )
        if unknown:
            raise ConfigError(f"unknown weight field(s) {unknown}; valid: accuracy_weight, health_overall_weight, "
                              "health_component_proportions")  # fmt: skip
        weights = ScoringWeights.resolve(**weights)
    config_values = dict(previous.config)
    mode = Mode(config_values.get("mode", Mode.SIMPLE))
    if mode is Mode.SIMPLE:
        raise ConfigError(
            "rescore needs a run in mode 'health' or 'pareto'; a 'simple' run stored accuracy only"
        )
    config_values.update(weights.to_dict())
    config = OptimizationConfig.from_dict(config_values)
    paths = RunPaths(run_dir)
    recomputed: dict[str, list[str]] = {}
    trials = []
    for trial in previous.trials:
        metrics = refreshed_metrics(paths.trial_dir(trial.number), trial.metrics, recomputed, trial.number)
        trials.append(
            TrialRecord.from_dict(
                {**trial.to_dict(), "metrics": metrics,
                 "score": score(mode, weights, metrics) if trial.score is not None else None}
            )
        )  # fmt: skip
    data = json.loads(paths.run_file.read_text(encoding="utf-8"))
    pareto = records_pareto(trials, weights) if mode is Mode.PARETO else []
    best = select_best(trials, mode, weights, pareto)
    if best is None:
        raise OptimizationFailed(f"run {previous.run_name!r} has no completed trial to pick")
    judged = verdict(data.get("baselines") or [], best.metrics.get("val_accuracy"))
    model_path = assemble_best_model(paths, best, config, weights, judged)
    data.update(
        {
            "config": config.to_dict(),
            "weights": weights.to_dict(),
            "trials": [t.to_dict() for t in trials],
            "best_trial": best.to_dict(),
            "best_model_path": str(model_path.relative_to(run_dir)),
            "health_bought": _health_bought(paths, trials, best, weights),
            "baseline_verdict": judged,
            "rescored": {
                "at": time.time(),
                "weights": weights.to_dict(),
                "best_trial": best.number,
                "health_recomputed": recomputed,
            },
        }
    )
    if mode is Mode.PARETO:
        data["pareto_front"] = pareto
    write_json(paths.run_file, data)
    write_trials_csv(paths.trials_csv, data["trials"], weights)
    return load_run(run_dir)


def _health_bought(
    paths: RunPaths, trials: list[TrialRecord], best: TrialRecord, weights: ScoringWeights
) -> dict[str, Any] | None:
    """The new pick beside the accuracy-only pick, from the outcomes measured when the run ended
    (None for runs made before they were measured; a pick outside the measured trials says so)."""
    from healthtune.run.health_bought import compare, stored_outcomes

    outcomes = stored_outcomes(paths)
    return compare(trials, best, weights, outcomes) if outcomes else None


def refreshed_metrics(
    trial_dir: Path, metrics: dict[str, Any], recomputed: dict[str, list[str]], number: int
) -> dict[str, Any]:
    """A trial's metrics with its health recomputed by today's definitions when its health.json is older.

    The new report replaces health.json (its snapshots are kept); `recomputed[str(number)]` gets the notes
    on what an old health.json did not keep. Trials without a readable health.json stay as they are.
    """
    health_file = TrialPaths(trial_dir).health
    if not metrics.get("health") or not health_file.is_file():
        return metrics
    stored = json.loads(health_file.read_text(encoding="utf-8"))
    if not needs_recompute(stored) or "metrics" not in stored:
        return metrics
    history_file = TrialPaths(trial_dir).history
    history = json.loads(history_file.read_text(encoding="utf-8")) if history_file.is_file() else {}
    report, notes = recompute_report(stored, history, metrics)
    write_json(health_file, {**report.to_dict(stored.get("proportions")), "recomputed": notes})
    recomputed[str(number)] = notes
    return {
        **metrics,
        "health": report.metrics,
        "health_gate": report.gate.to_dict(),
        "overfitting_gap": report.overfitting_gap,
        "findings": len(report.findings),
    }
