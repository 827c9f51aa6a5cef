"""A trial's pictures: diagnostic plots and architecture.json, after training or later from its files."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.paths import TrialPaths
from healthtune.core.scoring import ScoringWeights

if TYPE_CHECKING:
    from healthtune.core.config import OptimizationConfig
    from healthtune.data import Dataset
    from healthtune.health.analyzer import HealthReport

logger = logging.getLogger(__name__)


def write_trial_visuals(
    trial_dir: Path,
    model: Any,
    dataset: Dataset,
    history: dict[str, list[float]],
    health: HealthReport | None,
    weights: ScoringWeights,
    *,
    plots: bool,
    epochs_planned: int,
    batch_size: int,
) -> None:
    """architecture.json always (it is cheap); the plots when asked. Failures are logged, never raised."""
    from healthtune.visualize import write_architecture_json

    accuracy = history.get("val_accuracy", [None])[-1]
    try:
        write_architecture_json(
            model,
            TrialPaths(trial_dir).architecture,
            health=health,
            performance_score=accuracy,
            health_score=weights.health(health.metrics, health.gate) if health else None,
        )
    except Exception:
        logger.warning("architecture.json of %s failed", trial_dir.name, exc_info=True)
    if not plots:
        return
    from healthtune.plots import make_trial_plots
    from healthtune.plots.context import PlotContext

    try:
        context = PlotContext.build(
            model, dataset, history, health, weights, epochs_planned=epochs_planned, batch_size=batch_size
        )
        make_trial_plots(context, TrialPaths(trial_dir).plots_dir)
    except Exception:
        logger.warning("plots of %s failed", trial_dir.name, exc_info=True)


def plot_finished_trial(trial_dir: Path, config: OptimizationConfig, weights: ScoringWeights) -> None:
    """Draw a finished trial's plots from its saved files (plot_mode=best draws only the final model)."""
    from healthtune.plots import make_trial_plots
    from healthtune.plots.context import PlotContext
    from healthtune.training.spec import DataSpec, load_trial_data

    files = TrialPaths(trial_dir)
    if files.plots_dir.is_dir():
        return
    try:
        spec = json.loads(files.config.read_text(encoding="utf-8"))["spec"]
        dataset = load_trial_data(DataSpec(**spec["data"]))
        context = PlotContext.from_trial_dir(trial_dir, dataset, weights)
        make_trial_plots(context, files.plots_dir)
    except Exception:
        logger.warning("plots of %s failed", trial_dir.name, exc_info=True)
