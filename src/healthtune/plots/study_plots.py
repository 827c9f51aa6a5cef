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
# A search has 15-20 parameters; drawn all at once, the slice and parallel-coordinate plots are
# unreadable. They show the most important ones (the JSON keeps every parameter).
SLICE_PARAMS = 8
SLICE_COLUMNS = 4
PARALLEL_PARAMS = 6


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
    from optuna.visualization import matplotlib as ovm

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    axes = ovm.plot_param_importances(study, target=target)
    return axes, {"importances": param_importances(study)}


def param_importances(study: optuna.Study) -> dict[str, float]:
    """Each searched parameter's importance for the (first) objective, most important first."""
    import optuna

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    return dict(optuna.importance.get_param_importances(study, target=target))


def _most_important(study: optuna.Study, count: int) -> list[str]:
    """The `count` most important parameters that took more than one value (all of them with < 2 trials)."""
    values: dict[str, set[str]] = {}
    for trial in _complete(study):
        for name, value in trial.params.items():
            values.setdefault(name, set()).add(repr(value))
    varied = {name for name, seen in values.items() if len(seen) > 1}
    try:
        ranked = [name for name in param_importances(study) if name in varied]
    except (RuntimeError, ValueError):  # too few trials to rank them
        ranked = sorted(varied)
    return ranked[:count]


def _parallel(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    from optuna.visualization import matplotlib as ovm

    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    shown = _most_important(study, PARALLEL_PARAMS)
    axes = ovm.plot_parallel_coordinate(study, params=shown or None, target=target)
    axes.set_title("Parallel coordinates: the most important parameters")
    return axes, {**_trials_data(study), "params_shown": shown}


def _slice(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    """Objective against each of the most important parameters, one small panel each, in a grid."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, NullFormatter
    from optuna.distributions import IntDistribution

    shown = (
        _most_important(study, SLICE_PARAMS) or sorted({n for t in _complete(study) for n in t.params})[:1]
    )
    columns = min(SLICE_COLUMNS, max(1, len(shown)))
    rows = math.ceil(len(shown) / columns) if shown else 1
    figure, grid = plt.subplots(
        rows, columns, sharey=True, squeeze=False, figsize=(3.2 * columns, 2.8 * rows), layout="constrained"
    )
    trials = _complete(study)
    objective = "accuracy" if len(study.directions) > 1 else "score"
    last = max((t.number for t in trials), default=1) or 1
    points = None
    for axis, name in zip(grid.flat, shown, strict=False):
        with_param = [t for t in trials if name in t.params]
        xs, ticks = _slice_positions(with_param, name)
        points = axis.scatter(
            xs, [t.values[0] for t in with_param], c=[t.number for t in with_param],
            cmap="Blues", vmin=0, vmax=last, edgecolors="grey", linewidths=0.5, s=28,
        )  # fmt: skip
        distribution = with_param[0].distributions[name] if with_param else None
        if ticks is not None:
            axis.set_xticks(range(len(ticks)), ticks, rotation=30 if max(map(len, ticks)) > 5 else 0)
        elif getattr(distribution, "log", False):
            axis.set_xscale("log")
            axis.xaxis.set_minor_formatter(NullFormatter())  # 2x10^-4, 3x10^-4... labels overlap
        elif isinstance(distribution, IntDistribution):
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_title(name, fontsize=10)
        axis.grid(alpha=0.3)
    for axis in grid.flat[len(shown) :]:
        axis.set_visible(False)
    for axis in grid[:, 0]:
        axis.set_ylabel(objective)
    if points is not None:
        figure.colorbar(points, ax=grid, label="trial number", shrink=0.8)
    figure.suptitle(f"Slice: {objective} against the most important parameters")
    return grid, {**_trials_data(study), "params_shown": shown}


def _slice_positions(
    trials: list[optuna.trial.FrozenTrial], name: str
) -> tuple[list[float], list[str] | None]:
    """x positions of a parameter's values; categorical values become evenly spaced labelled ticks.

    A resumed run may have changed a parameter's choices, so the labels are the union over trials.
    """
    from optuna.distributions import CategoricalDistribution

    distributions = [t.distributions[name] for t in trials]
    if not any(isinstance(d, CategoricalDistribution) for d in distributions):
        return [float(t.params[name]) for t in trials], None
    labels: list[str] = []
    for distribution in distributions:
        choices = distribution.choices if isinstance(distribution, CategoricalDistribution) else ()
        labels += [str(choice) for choice in choices if str(choice) not in labels]
    labels += sorted({str(t.params[name]) for t in trials} - set(labels))
    return [float(labels.index(str(t.params[name]))) for t in trials], labels


def _pareto(study: optuna.Study) -> tuple[Any, dict[str, Any]]:
    """Accuracy vs health: the front (selection.pareto_numbers), the rest, and in grey the trials that did
    not learn, which never join the front (however high their health scored before the learning gate)."""
    import matplotlib.pyplot as plt

    from healthtune.run.selection import learned, pareto_numbers

    front = set(pareto_numbers(study))
    trials = _complete(study)
    not_learned = [t for t in trials if not learned(t.user_attrs.get("metrics", {}))]
    groups = [
        ("did not learn", "#9e9e9e", "x", not_learned),
        ("dominated", "#1f77b4", "o", [t for t in trials if t.number not in front and t not in not_learned]),
        (
            "Pareto front",
            "#d62728",
            "o",
            sorted((t for t in trials if t.number in front), key=lambda t: t.values[0]),
        ),
    ]
    _, axes = plt.subplots()
    for label, color, marker, group in groups:
        if group:
            axes.scatter([t.values[0] for t in group], [t.values[1] for t in group], c=color, marker=marker,
                         label=f"{label} ({len(group)})")  # fmt: skip
    axes.set(
        xlabel="accuracy", ylabel="health", title="Pareto front (trials that did not learn are left off)"
    )
    axes.legend(loc="lower left")
    data = _trials_data(study)
    data["pareto_front"] = sorted(front)
    data["not_learned"] = [t.number for t in not_learned]
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
                # e.g. "some regimes have less than 2 trials": expected of a small study, not actionable
                warnings.filterwarnings("ignore", category=UserWarning, module=r"optuna(\.|$)")
                axes, data = draw(study)
            figure = (axes.flat[0] if hasattr(axes, "flat") else axes).get_figure()
            if name != "slice":  # the slice grid sizes itself by its number of panels
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

    from healthtune.core.exceptions import HealthtuneError
    from healthtune.core.paths import RunPaths
    from healthtune.search.storage import load_study

    run_file = RunPaths(run_dir).run_file
    if not run_file.is_file():
        raise HealthtuneError(f"no run at {run_dir}: run.json not found")
    run = json.loads(run_file.read_text(encoding="utf-8"))
    study = load_study(run["run_name"], run["storage_url"])
    return make_study_plots(study, run_dir)
