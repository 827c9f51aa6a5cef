"""Per-trial diagnostic plots: PNGs a teacher would draw, each with a JSON file of the data behind it."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from healthtune.plots.activations import ActivationMapsPlot
from healthtune.plots.base import DPI, FIGSIZE, TrialPlot, jsonable
from healthtune.plots.classification import CalibrationPlot, ConfusionMatrixPlot, PerClassMetricsPlot
from healthtune.plots.context import PlotContext
from healthtune.plots.curves import RocPrCurvesPlot
from healthtune.plots.dormancy import DormantUnitsPlot
from healthtune.plots.examples import MisclassifiedExamplesPlot
from healthtune.plots.gradients import GradientFlowPlot, GradientNormsPlot
from healthtune.plots.history import LearningRateSchedulePlot, TrainingHistoryPlot
from healthtune.plots.radar import HealthRadarPlot
from healthtune.plots.weights import BiasDistributionsPlot, WeightDistributionsPlot

__all__ = ["DPI", "FIGSIZE", "PLOTS", "PlotContext", "TrialPlot", "make_trial_plots", "plot_names"]

logger = logging.getLogger(__name__)

PLOTS: list[TrialPlot] = [
    TrainingHistoryPlot(),
    ConfusionMatrixPlot(),
    PerClassMetricsPlot(),
    RocPrCurvesPlot(),
    GradientFlowPlot(),
    GradientNormsPlot(),
    WeightDistributionsPlot(),
    BiasDistributionsPlot(),
    ActivationMapsPlot(),
    DormantUnitsPlot(),
    MisclassifiedExamplesPlot(),
    HealthRadarPlot(),
    LearningRateSchedulePlot(),
    CalibrationPlot(),
]
"""Every per-trial plot, in the order a report shows them."""


def plot_names() -> list[str]:
    return [plot.name for plot in PLOTS]


def make_trial_plots(
    context: PlotContext, out_dir: Path, plots: Sequence[TrialPlot] | None = None
) -> list[str]:
    """Draw every plot that applies to the trial into `out_dir/{name}.png` + `out_dir/{name}.json`.

    The JSON file holds `plot`, `title`, `caption` and the data the figure shows (plain JSON: NaN
    is null). A plot that fails is logged as a warning and skipped; this function never raises
    for a plot. Returns the names written, in order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for plot in PLOTS if plots is None else plots:
        name = getattr(plot, "name", type(plot).__name__)
        try:
            if not plot.applies_to(context):
                logger.debug("plot %s does not apply to this trial", name)
                continue
            figure, data = plot.draw(context)
            try:
                suptitle = " ".join(figure.get_suptitle().split("\n")) or plot.title
                payload = {"plot": name, "title": suptitle, "caption": plot.caption, **data}
                text = json.dumps(jsonable(payload), indent=1, allow_nan=False)
                figure.savefig(out_dir / f"{name}.png", dpi=DPI)
            finally:
                figure.clear()
            (out_dir / f"{name}.json").write_text(text, encoding="utf-8")
        except Exception:
            logger.warning("plot %s failed and was skipped", name, exc_info=True)
            for suffix in (".png", ".json"):
                (out_dir / f"{name}{suffix}").unlink(missing_ok=True)
            continue
        written.append(name)
    return written
