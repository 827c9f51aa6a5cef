"""Final model assembly: copy the best trial's model and files to optimized_model/ (no retraining)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import OptimizationFailed
from healthtune.core.paths import SUMMARY_FILE, RunPaths, TrialPaths
from healthtune.evaluation.baselines import baseline_finding
from healthtune.run.results import TrialRecord, model_file_name, write_json

if TYPE_CHECKING:
    from healthtune.core.config import OptimizationConfig
    from healthtune.core.scoring import ScoringWeights

COPIED_FILES = ("metrics", "history", "config", "health", "architecture")  # TrialPaths attributes


def assemble_best_model(
    paths: RunPaths,
    best: TrialRecord,
    config: OptimizationConfig,
    weights: ScoringWeights,
    baseline_verdict: dict[str, Any] | None = None,
) -> Path:
    """Copy the best trial's files; the copied model gives exactly the trial's accuracy.

    Earlier assemblies are replaced, so re-ranking or resuming never leaves two "best" models. When
    the model does not beat the run's linear baseline, the copied health.json says so in a finding.
    """
    source = paths.trial_dir(best.number)
    kept = TrialPaths(source)
    model = kept.model
    if not model.is_file():
        raise OptimizationFailed(f"best trial {best.number} has no saved model at {model}")
    target = paths.optimized_dir
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    staged = TrialPaths(staging)
    model_name = model_file_name(config.dataset, float(best.metrics["val_accuracy"]))
    shutil.copy2(model, staging / model_name)
    for name in COPIED_FILES:
        copied = getattr(kept, name)
        if copied.is_file():
            shutil.copy2(copied, getattr(staged, name))
    finding = baseline_finding(baseline_verdict)
    if finding and staged.health.is_file():
        report = json.loads(staged.health.read_text(encoding="utf-8"))
        report["findings"] = [*report.get("findings", []), finding]
        write_json(staged.health, report)
    if paths.preprocessing_file.is_file():  # how to prepare new inputs: healthtune.load_predictor
        shutil.copy2(paths.preprocessing_file, staging / paths.preprocessing_file.name)
    if kept.plots_dir.is_dir():
        shutil.copytree(kept.plots_dir, staged.plots_dir)
    write_json(
        staging / SUMMARY_FILE,
        {
            "run_name": config.run_name,
            "dataset": config.dataset,
            "mode": config.mode.value,
            "weights": weights.to_dict(),
            "best_trial": best.number,
            "score": best.score,
            "params": best.params,
            "metrics": best.metrics,
            "model_file": model_name,
            "source_trial_dir": str(source.relative_to(paths.run_dir)),
            "baseline_verdict": baseline_verdict,
        },
    )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target / model_name
