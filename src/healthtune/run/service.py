"""What a finished (or running) run offers beyond run.json, for the server's routes and the CLI alike:
a trial's files, the best model and its archive, what health bought, re-scoring, and deleting a run."""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import RunStateError
from healthtune.core.paths import RunPaths, TrialPaths

if TYPE_CHECKING:
    from healthtune.run.results import OptimizationResult

logger = logging.getLogger(__name__)
WEIGHT_FIELDS = ("accuracy_weight", "health_overall_weight", "health_component_proportions")


@dataclass(frozen=True)
class TrialFiles:
    """A trial's health report and which of its files exist."""

    health: dict[str, Any] | None
    plots: list[str]
    has_model: bool
    has_architecture: bool


def existing_plots(paths: TrialPaths) -> list[str]:
    """The diagnostic plots the trial drew, in the gallery's order."""
    from healthtune.plots import plot_names

    return [name for name in plot_names() if paths.plot(name).is_file()]


def trial_files(paths: TrialPaths) -> TrialFiles:
    return TrialFiles(
        health=_read_json(paths.health),
        plots=existing_plots(paths),
        has_model=paths.model.is_file(),
        has_architecture=paths.architecture.is_file(),
    )


def best_model_summary(paths: RunPaths) -> dict[str, Any] | None:
    """optimized_model/summary.json, or None while no best model was assembled."""
    return _read_json(paths.optimized_dir / "summary.json")


def best_model_file(paths: RunPaths) -> Path | None:
    """The optimized `.keras` file the summary names, only if it is a plain file inside optimized_model/."""
    name = str((best_model_summary(paths) or {}).get("model_file", ""))
    if not name.endswith(".keras") or "/" in name or "\\" in name:
        return None
    path = (paths.optimized_dir / name).resolve()
    inside = path.is_relative_to(paths.run_dir.resolve())
    return path if inside and path.is_file() and not (paths.optimized_dir / name).is_symlink() else None


def write_archive(paths: RunPaths, archive: Path) -> Path:
    """A zip of optimized_model/ (model, summary, metrics, plots), the study plots and trials.csv."""
    from healthtune.plots.study_plots import STUDY_PLOTS_DIR

    if not paths.run_file.is_file() and not paths.optimized_dir.is_dir():
        raise RunStateError(
            f"{paths.run_dir} is not a run's folder: it has neither run.json nor optimized_model/"
        )
    if best_model_summary(paths) is None:
        raise RunStateError(
            f"run {paths.run_dir.name!r} has no optimized model yet: none of its trials finished"
        )
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for folder in (paths.optimized_dir, paths.run_dir / STUDY_PLOTS_DIR):
            for file in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if file.is_file() and not file.is_symlink():
                    bundle.write(file, file.relative_to(paths.run_dir).as_posix())
        if paths.trials_csv.is_file():
            bundle.write(paths.trials_csv, paths.trials_csv.name)
    return archive


def recorded_health_bought(paths: RunPaths) -> dict[str, Any] | None:
    """The picked model beside the accuracy-only pick, as run.json keeps it (None if never measured)."""
    data = _read_json(paths.run_file) or {}
    found = data.get("health_bought")
    return found if isinstance(found, dict) and found else None


def recorded_pareto_front(paths: RunPaths) -> list[int]:
    """The Pareto set the run recorded (pareto mode); rescoring re-ranks it, never changes it."""
    front = (_read_json(paths.run_file) or {}).get("pareto_front")
    return [int(n) for n in front] if isinstance(front, list) else []


def merge_weights(current: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The weights a partial update gives: `given`, with the `current` ones for the fields left out.

    accuracy_weight and health_overall_weight sum to 1, so they move together: naming either one
    replaces the pair (the other becomes its complement), naming neither keeps the current pair.
    """
    merged = {name: value for name, value in given.items() if value is not None}
    if "accuracy_weight" not in merged and "health_overall_weight" not in merged:
        merged["accuracy_weight"] = current["accuracy_weight"]
        merged["health_overall_weight"] = current["health_overall_weight"]
    merged.setdefault("health_component_proportions", current["health_component_proportions"])
    return merged


def rescore_run(paths: RunPaths, given: Mapping[str, Any]) -> OptimizationResult:
    """Re-rank a finished run with `given` weights, a partial update of the ones in force; no training.

    Returns the new OptimizationResult. RunStateError when there is no finished run or it ran in
    `simple` mode (accuracy only, nothing to re-weigh); ConfigError for bad weights.
    """
    from healthtune.core.choices import Mode
    from healthtune.core.scoring import ScoringWeights
    from healthtune.run.rescoring import rescore

    data = _read_json(paths.run_file)
    if data is None:
        raise RunStateError(f"{paths.run_dir} holds no finished run to rescore (no readable run.json)")
    stored = data.get("config")
    config: dict[str, Any] = stored if isinstance(stored, dict) else {}
    if config.get("mode", Mode.SIMPLE.value) == Mode.SIMPLE.value:
        raise RunStateError(
            f"run {paths.run_dir.name!r} ran in mode 'simple', which stores accuracy only; "
            "rescore needs health or pareto"
        )
    current = ScoringWeights.resolve(**{name: config[name] for name in WEIGHT_FIELDS if name in config})
    return rescore(paths.run_dir, merge_weights(current.to_dict(), given))


def delete_run(paths: RunPaths, run_name: str, storage_url: str) -> None:
    """Remove the run's folder, then its study. A storage that cannot be opened is logged: the folder
    and whatever the caller keeps about the run still go."""
    from healthtune.search.storage import delete_study

    # The folder goes first: a run that took a storage side file's name (older versions allowed
    # studies.db-journal) blocks the storage until it is gone.
    if paths.run_dir.is_dir() and not paths.run_dir.is_symlink():
        shutil.rmtree(paths.run_dir, ignore_errors=True)
    try:
        delete_study(run_name, storage_url)
    except Exception as error:  # the run must go even when its storage is broken
        logger.warning("study %s could not be deleted from the storage: %s", run_name, error)


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None when it is missing or unreadable."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
