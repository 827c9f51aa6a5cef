"""What a run offers beyond run.json, for the server's routes and the CLI alike: a trial's files, and
deleting a run with its study."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from typing import Any

from healthtune.results import RunPaths, TrialPaths

logger = logging.getLogger(__name__)


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
    health = json.loads(paths.health.read_text(encoding="utf-8")) if paths.health.is_file() else None
    return TrialFiles(
        health=health,
        plots=existing_plots(paths),
        has_model=paths.model.is_file(),
        has_architecture=paths.architecture.is_file(),
    )


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
