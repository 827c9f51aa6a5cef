"""The layout of a results root: a run's folder and files (RunPaths), a trial's (TrialPaths), shared names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RUN_FILE = "run.json"
EVENTS_FILE = "events.jsonl"
OPTIMIZED_DIR = "optimized_model"
SUMMARY_FILE = "summary.json"
PREPROCESSING_FILE = "preprocessing.json"
TRIALS_CSV = "trials.csv"
STUDIES_DB = "studies.db"
"""The default study storage, a SQLite file in the results root (beside the runs)."""
JOBS_DB = "jobs.db"
"""The server's job table, also in the results root."""
UPLOADS_DIR = ".uploads"
"""Datasets sent to a server, one folder each, in the results root (a run name cannot start with '.')."""


@dataclass(frozen=True)
class RunPaths:
    """Where everything of one run lives: optimization_results/{run}/..."""

    run_dir: Path

    @property
    def run_file(self) -> Path:
        return self.run_dir / RUN_FILE

    @property
    def events_file(self) -> Path:
        return self.run_dir / EVENTS_FILE

    @property
    def trials_dir(self) -> Path:
        return self.run_dir / "trials"

    def trial_dir(self, number: int) -> Path:
        return self.trials_dir / f"trial_{number}"

    def trial(self, number: int) -> TrialPaths:
        return TrialPaths(self.trial_dir(number))

    @property
    def optimized_dir(self) -> Path:
        return self.run_dir / OPTIMIZED_DIR

    @property
    def preprocessing_file(self) -> Path:
        return self.run_dir / PREPROCESSING_FILE

    @property
    def trials_csv(self) -> Path:
        return self.run_dir / TRIALS_CSV


@dataclass(frozen=True)
class TrialPaths:
    """The files one trial leaves in its folder (trials/trial_N/; optimized_model/ holds copies)."""

    trial_dir: Path

    @property
    def metrics(self) -> Path:
        return self.trial_dir / "metrics.json"

    @property
    def health(self) -> Path:
        return self.trial_dir / "health.json"

    @property
    def history(self) -> Path:
        return self.trial_dir / "history.json"

    @property
    def config(self) -> Path:
        return self.trial_dir / "config.json"

    @property
    def architecture(self) -> Path:
        return self.trial_dir / "architecture.json"

    @property
    def model(self) -> Path:
        return self.trial_dir / "model.keras"

    @property
    def outcomes(self) -> Path:
        return self.trial_dir / "outcomes.json"

    @property
    def plots_dir(self) -> Path:
        return self.trial_dir / "plots"

    @property
    def tensorboard_dir(self) -> Path:
        return self.trial_dir / "tensorboard"

    def plot(self, name: str, extension: str = "png") -> Path:
        return self.plots_dir / f"{name}.{extension}"
