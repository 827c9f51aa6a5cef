"""Pareto mode, health-aware pruning, and rescoring a finished run without retraining."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

from healthtune import OptimizationConfig, ScoringWeights, optimize, rescore
from healthtune.core.exceptions import ConfigError
from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS
from healthtune.health.analyzer import REPORT_VERSION


def test_pareto_run_then_rescore_picks_by_weights_without_training(tmp_path: Path) -> None:
    config = OptimizationConfig(
        dataset="digits", executor="inline", mode="pareto", trials=5, max_epochs_per_trial=2, batch_size=32,  # type: ignore[arg-type]
        results_root=tmp_path, run_name="pareto_run", pruner="none", max_samples=800,  # type: ignore[arg-type]
    )  # fmt: skip
    result = optimize(config)
    run = json.loads((result.run_dir / "run.json").read_text())
    assert run["pareto_front"], "the Pareto set must not be empty"
    assert result.best_trial is not None and result.best_trial.number in run["pareto_front"]
    study = optuna.load_study(storage=config.storage_url, study_name="pareto_run")
    assert len(study.directions) == 2

    models_before = {p: p.stat().st_mtime_ns for p in result.run_dir.glob("trials/*/model.keras")}
    complete = [t for t in result.trials if t.state == "complete"]
    bought = run["health_bought"]  # measured once, at the end of the run
    assert bought["chosen"]["trial"] == result.best_trial.number and bought["chosen"]["measured"]
    by_validation = max(complete, key=lambda t: (t.metrics["val_accuracy"], -t.number))
    assert bought["accuracy_only"]["trial"] == by_validation.number
    assert 0 <= bought["chosen"]["calibration_error"] <= 1 and bought["chosen"]["corrupted_accuracy"] > 0.1
    assert len(list(result.run_dir.glob("trials/*/outcomes.json"))) == min(4, len(complete))
    assert result.health_bought == bought
    assert [b["name"] for b in run["baselines"]] == ["majority", "linear"]  # fitted when the run started
    assert run["baseline_verdict"]["linear_val_accuracy"] == run["baselines"][1]["val_accuracy"]
    # the best model's own health report says so when it does not beat the linear model
    assembled = json.loads((result.run_dir / "optimized_model" / "health.json").read_text())
    flagged = [f for f in assembled["findings"] if f["metric"] == "baseline"]
    assert len(flagged) == (0 if run["baseline_verdict"]["beats_linear"] else 1)
    trial_report = json.loads(
        (result.run_dir / "trials" / f"trial_{result.best_trial.number}" / "health.json").read_text()
    )
    assert not [
        f for f in trial_report["findings"] if f["metric"] == "baseline"
    ]  # the trial's own file is untouched
    weights = ScoringWeights.resolve(health_component_proportions=DEFAULT_HEALTH_COMPONENT_PROPORTIONS)

    by_accuracy = rescore(result.run_dir, {"accuracy_weight": 1.0})
    most_accurate = max(
        (t for t in complete if t.number in run["pareto_front"]),
        key=lambda t: (t.metrics["val_accuracy"], -t.number),
    )
    assert by_accuracy.best_trial is not None and by_accuracy.best_trial.number == most_accurate.number
    assert by_accuracy.health_bought is not None  # re-ranked from the stored outcomes, no model loaded
    assert by_accuracy.health_bought["chosen"]["trial"] == most_accurate.number

    by_health = rescore(result.run_dir, {"accuracy_weight": 0.0})
    healthiest = max(
        (t for t in complete if t.number in run["pareto_front"]),
        key=lambda t: (weights.health(t.metrics["health"], t.metrics["health_gate"]), -t.number),
    )
    assert by_health.best_trial is not None and by_health.best_trial.number == healthiest.number
    summary = json.loads((result.run_dir / "optimized_model" / "summary.json").read_text())
    assert summary["best_trial"] == healthiest.number and summary["weights"]["accuracy_weight"] == 0.0
    assert (
        json.loads((result.run_dir / "run.json").read_text())["rescored"]["best_trial"] == healthiest.number
    )
    assert {p: p.stat().st_mtime_ns for p in result.run_dir.glob("trials/*/model.keras")} == models_before
    assert len(optuna.load_study(storage=config.storage_url, study_name="pareto_run").trials) == 5


def test_rescore_rejects_bad_weights_and_simple_runs(tmp_path: Path) -> None:
    config = OptimizationConfig(
        dataset="digits", executor="inline", mode="simple", trials=1, max_epochs_per_trial=1,  # type: ignore[arg-type]
        results_root=tmp_path, run_name="simple_run", max_samples=300, plot_mode="none",  # type: ignore[arg-type]
    )  # fmt: skip
    result = optimize(config)
    with pytest.raises(ConfigError, match="needs a run in mode 'health' or 'pareto'"):
        rescore(result.run_dir, {"accuracy_weight": 0.5})
    with pytest.raises(ConfigError, match="unknown weight field"):
        rescore(result.run_dir, {"acc": 0.5})
    with pytest.raises(ConfigError, match="weights must be a ScoringWeights or a mapping"):
        rescore(result.run_dir, "0.9")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="run must be a run directory"):
        rescore(None, {"accuracy_weight": 0.5})  # type: ignore[arg-type]


def test_health_pruning_stops_a_trial_with_dormant_units(tmp_path: Path) -> None:
    # Any dormant unit at all after epoch 1 is "too many" here, so the pruning path must trigger.
    config = OptimizationConfig(
        dataset="digits", executor="inline", mode="health", trials=1, max_epochs_per_trial=3,  # type: ignore[arg-type]
        results_root=tmp_path, run_name="prune_run", health_prune_dormant_share=0.001,
        health_prune_after_epoch=1, max_samples=600,
        search_space_overrides={"activation": "relu", "dense_units": [256], "dense_layers": 2},
    )  # fmt: skip
    with pytest.raises(Exception, match="no trial completed"):
        optimize(config)
    run = json.loads((config.run_dir / "run.json").read_text())
    trial = run["trials"][0]
    assert trial["state"] == "pruned"
    assert trial["prune_reason"].startswith("health: ") and "dormant" in trial["prune_reason"]


def test_health_mode_prunes_diverging_trials_instead_of_failing(tmp_path: Path) -> None:
    explode = {
        "optimizer": "sgd",
        "learning_rate": 10.0,
        "momentum": 0.99,
        "batch_norm": False,
        "activation": "linear",
    }
    config = OptimizationConfig(
        dataset="digits", executor="inline", mode="health", trials=1, max_epochs_per_trial=2,  # type: ignore[arg-type]
        results_root=tmp_path, run_name="diverge_run", search_space_overrides=explode, max_samples=600,
    )  # fmt: skip
    with pytest.raises(Exception, match="no trial completed"):
        optimize(config)
    trial = json.loads((config.run_dir / "run.json").read_text())["trials"][0]
    assert trial["state"] == "pruned" and "diverged" in trial["prune_reason"]


def _as_before_gates(run_dir: Path) -> dict[int, dict[str, float]]:
    """Rewrite a run as an early version stored it: health.json without version, gate, inputs, calibration
    and robustness, one split of fold accuracies and no fold size, and trial metrics without a gate.
    Returns the metrics."""
    run_file = run_dir / "run.json"
    run = json.loads(run_file.read_text())
    metrics = {}
    for trial in run["trials"]:
        trial["metrics"].pop("health_gate", None)
        health_file = run_dir / "trials" / f"trial_{trial['number']}" / "health.json"
        stored = json.loads(health_file.read_text())
        metrics[trial["number"]] = dict(stored["metrics"])
        for key in ("version", "gate", "inputs", "weighted"):
            stored.pop(key)
        for name in ("calibration", "robustness"):
            stored["metrics"].pop(name), stored["details"].pop(name), trial["metrics"]["health"].pop(name)
        folds = stored["details"]["accuracy_consistency"]["fold_accuracies"][0]
        stored["details"]["accuracy_consistency"] = {"fold_accuracies": folds, "std": 0.03}
        stored["metrics"]["accuracy_consistency"] = 0.4  # what 1 - std / 0.05 gave
        health_file.write_text(json.dumps(stored))
    run_file.write_text(json.dumps(run))
    return metrics


def test_rescore_recomputes_health_stored_before_the_learning_gate(tmp_path: Path) -> None:
    config = OptimizationConfig(
        dataset="digits", executor="inline", mode="health", trials=2, max_epochs_per_trial=1, batch_size=32,  # type: ignore[arg-type]
        results_root=tmp_path, run_name="old_run", pruner="none", max_samples=300, plot_mode="none",  # type: ignore[arg-type]
    )  # fmt: skip
    result = optimize(config)
    fresh = _as_before_gates(result.run_dir)

    rescored = rescore(result.run_dir, {"accuracy_weight": 0.5})
    notes = json.loads((result.run_dir / "run.json").read_text())["rescored"]["health_recomputed"]
    weights = ScoringWeights.resolve(accuracy_weight=0.5)
    for trial in rescored.trials:
        stored = json.loads((result.run_dir / "trials" / f"trial_{trial.number}" / "health.json").read_text())
        assert stored["version"] == REPORT_VERSION and stored["gate"] == trial.metrics["health_gate"]
        # the probes and losses were kept, so these come out as a new run computes them ...
        for name in ("neuron_utilization", "gradient_health"):
            assert trial.metrics["health"][name] == fresh[trial.number][name]
        # ... and what the old file lacked is said, its stored value standing in
        assert trial.metrics["health"]["accuracy_consistency"] == 0.4
        assert any("accuracy_consistency kept as stored" in note for note in notes[str(trial.number)])
        assert any("chance = 1 / classes" in note for note in notes[str(trial.number)])
        # calibration and robustness need the model's predictions: not measured, they score 1
        assert trial.metrics["health"]["calibration"] == trial.metrics["health"]["robustness"] == 1.0
        assert any("calibration and robustness score 1" in note for note in notes[str(trial.number)])
        assert trial.score == pytest.approx(weights.total(trial.metrics["val_accuracy"], trial.metrics["health"],
                                                          trial.metrics["health_gate"]))  # fmt: skip
    again = rescore(result.run_dir, {"accuracy_weight": 0.5})  # now current: nothing left to recompute
    assert json.loads((result.run_dir / "run.json").read_text())["rescored"]["health_recomputed"] == {}
    assert [t.score for t in again.trials] == [t.score for t in rescored.trials]


def test_rescore_splits_a_calibration_error_stored_as_one_number(tmp_path: Path) -> None:
    """Version 3 stored the calibration error's total; re-scoring counts it as all over- or all
    underconfident by the sign of mean confidence - accuracy, and says so."""
    config = OptimizationConfig(
        dataset="digits", executor="inline", mode="health", trials=1, max_epochs_per_trial=1, batch_size=32,  # type: ignore[arg-type]
        results_root=tmp_path, run_name="v3_run", pruner="none", max_samples=300, plot_mode="none",  # type: ignore[arg-type]
    )  # fmt: skip
    result = optimize(config)
    health_file = result.run_dir / "trials" / "trial_0" / "health.json"
    stored = json.loads(health_file.read_text())
    calibration = stored["details"]["calibration"]
    for part in ("overconfidence", "underconfidence"):
        calibration.pop(part)
    calibration.update(
        calibration_error=0.2, mean_confidence=0.7, accuracy=0.9
    )  # cautious, as version 3 saw it
    stored["metrics"]["calibration"], stored["version"] = 1 - 0.2 / 0.25, 3
    health_file.write_text(json.dumps(stored))

    (trial,) = rescore(result.run_dir, {}).trials
    assert trial.metrics["health"]["calibration"] == pytest.approx(1 - 0.4 * 0.2 / 0.25)
    notes = json.loads((result.run_dir / "run.json").read_text())["rescored"]["health_recomputed"]["0"]
    assert any("all over- or all underconfident" in note for note in notes)
