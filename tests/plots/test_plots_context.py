"""PlotContext.from_trial_dir rebuilds a finished trial from its files, and its plots match the live ones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from healthtune.core.scoring import ScoringWeights
from healthtune.plots import PlotContext, make_trial_plots
from healthtune.plots.activations import ActivationMapsPlot
from healthtune.plots.history import LearningRateSchedulePlot
from healthtune.plots.radar import HealthRadarPlot


def write_trial_dir(trial, path: Path) -> Path:  # type: ignore[no-untyped-def]
    path.mkdir()
    trial.model.save(path / "model.keras")
    (path / "history.json").write_text(json.dumps(trial.history), encoding="utf-8")
    (path / "health.json").write_text(json.dumps(trial.report.to_dict()), encoding="utf-8")
    return path


def test_from_trial_dir_restores_model_history_health_and_predictions(cnn_trial, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trial_dir = write_trial_dir(cnn_trial, tmp_path / "trial_0")
    context = PlotContext.from_trial_dir(trial_dir, cnn_trial.dataset, ScoringWeights(), batch_size=32)
    assert context.epochs_planned == 2 and context.batch_size == 32
    assert context.history == cnn_trial.history
    assert context.health is not None
    assert context.health.metrics == cnn_trial.report.metrics
    assert len(context.health.snapshots) == len(cnn_trial.report.snapshots)
    assert np.allclose(context.test_probabilities, cnn_trial.context.test_probabilities, atol=1e-6)
    assert context.architecture == "cnn"


def test_plots_from_a_trial_dir_show_the_same_data(cnn_trial, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trial_dir = write_trial_dir(cnn_trial, tmp_path / "trial_0")
    context = PlotContext.from_trial_dir(trial_dir, cnn_trial.dataset, ScoringWeights(), batch_size=32)
    plots = [LearningRateSchedulePlot(), HealthRadarPlot(), ActivationMapsPlot()]
    written = make_trial_plots(context, trial_dir / "plots", plots=plots)
    assert written == [plot.name for plot in plots]
    reloaded = {name: json.loads((trial_dir / "plots" / f"{name}.json").read_text()) for name in written}
    live = {name: json.loads((cnn_trial.out_dir / f"{name}.json").read_text()) for name in written}
    schedule, live_schedule = reloaded["learning_rate_schedule"], live["learning_rate_schedule"]
    assert (
        schedule["schedule"] == live_schedule["schedule"] == "CosineDecay"
    )  # the optimizer was saved with it
    assert schedule["steps"] == live_schedule["steps"]
    assert np.allclose(schedule["learning_rate"], live_schedule["learning_rate"])
    radar, live_radar = reloaded["health_radar"], live["health_radar"]
    assert radar["metrics"] == live_radar["metrics"]
    assert np.isclose(radar["total"], live_radar["total"])
    maps, live_maps = reloaded["activation_maps"], live["activation_maps"]
    assert maps["layer"] == live_maps["layer"] == "act_1"
    assert np.allclose(maps["maps"], live_maps["maps"], atol=1e-5)


def test_a_trial_dir_without_health_json_gives_a_context_without_health(lstm_trial, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trial_dir = write_trial_dir(lstm_trial, tmp_path / "trial_1")
    (trial_dir / "health.json").unlink()
    context = PlotContext.from_trial_dir(trial_dir, lstm_trial.dataset, ScoringWeights())
    assert context.health is None
    assert context.architecture == "lstm"
    assert not HealthRadarPlot().applies_to(context)
