"""Study plots (optimization history, importances, parallel coordinates, slice, Pareto front) with JSON data."""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger(__name__)

STUDY_PLOTS_DIR = "study_plots"


def _complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _trials_data(study: optuna.Study) -> dict[str, Any]:
    trials = _complete(study)
    objective_names = ["accuracy", "health"] if len(study.directions) > 1 else ["score"]
    best_so_far: list[float] = []
    for trial in trials:
        value = trial.values[0]
        best_so_far.append(value if not best_so_far else max(best_so_far[-1], value))
    return {
        "objectives": objective_names,
        "trials": [{"number": t.number, "values": list(t.values), "params": t.params} for t in trials],
        "best_so_far": best_so_far if len(study.directions) == 1 else [],
    }


def _history(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    from optuna.visualization import matplotlib as ovm

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    axes = ovm.plot_optimization_history(study, target=target, target_name="accuracy" if target else "score")
    return axes, _trials_data(study)


def _importances(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    import optuna
    from optuna.visualization import matplotlib as ovm

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    importances = optuna.importance.get_param_importances(study, target=target)
    axes = ovm.plot_param_importances(study, target=target)
    return axes, {"importances": dict(importances)}


def _parallel(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    from optuna.visualization import matplotlib as ovm

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    return ovm.plot_parallel_coordinate(study, target=target), _trials_data(study)


def _slice(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    from optuna.visualization import matplotlib as ovm

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    return ovm.plot_slice(study, target=target), _trials_data(study)


def _pareto(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    from optuna.visualization import matplotlib as ovm

    axes = ovm.plot_pareto_front(study, target_names=["accuracy", "health"])
    data = _trials_data(study)
    data["pareto_front"] = sorted(t.number for t in study.best_trials)
    return axes, data


STUDY_PLOTS: dict[str, tuple[Callable[[optuna.Study], tuple[Any, dict[str, Any]]], int]] = {
    # name: (function, minimum complete trials)
    "optimization_history": (_history, 1),
    "param_importances": (_importances, 2),
    "parallel_coordinates": (_parallel, 2),
    "slice": (_slice, 1),
    "pareto_front": (_pareto, 1),
}


def make_study_plots(study: optuna.Study, run_dir: Path) -> list[str]:
    """Draw every study plot that applies into run_dir/study_plots/ (PNG + JSON). Never raises."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna

    out_dir = run_dir / STUDY_PLOTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    complete = len(_complete(study))
    written = []
    for name, (draw, minimum) in STUDY_PLOTS.items():
        if complete < minimum or (name == "pareto_front" and len(study.directions) < 2):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                axes, data = draw(study)
            figure = (axes.flat[0] if hasattr(axes, "flat") else axes).get_figure()
            figure.set_size_inches(9, 5.5)
            figure.savefig(out_dir / f"{name}.png", dpi=100, bbox_inches="tight")
            plt.close(figure)
            (out_dir / f"{name}.json").write_text(
                json.dumps(_clean(data), indent=1, default=str), encoding="utf-8"
            )
            written.append(name)
        except Exception:  # a study plot is a convenience: never fail the run for it
            logger.warning("study plot %s failed", name, exc_info=True)
            plt.close("all")
    return written


def redraw_study_plots(run_dir: Path) -> list[str]:
    """Open a run's study from the storage named in its run.json and redraw its study plots."""
    import optuna

    from healthtune.exceptions import HealthtuneError
    from healthtune.results import RunPaths
    from healthtune.search.study import open_storage

    run_file = RunPaths(run_dir).run_file
    if not run_file.is_file():
        raise HealthtuneError(f"no run at {run_dir}: run.json not found")
    run = json.loads(run_file.read_text(encoding="utf-8"))
    study = optuna.load_study(study_name=run["run_name"], storage=open_storage(run["storage_url"]))
    return make_study_plots(study, run_dir)
