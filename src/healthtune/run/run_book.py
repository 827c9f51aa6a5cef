"""RunBook: a run's bookkeeping on disk (resume checks, run.json, orphaned trials, final assembly)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.config import OptimizationConfig, PlotMode
from healthtune.core.exceptions import ConfigError, OptimizationFailed
from healthtune.core.paths import RunPaths
from healthtune.run.results import OptimizationResult, TrialRecord, write_json
from healthtune.run.selection import pareto_numbers, select_best
from healthtune.run.study_records import trial_records
from healthtune.run.trials_table import write_trials_csv

if TYPE_CHECKING:
    import optuna

    from healthtune.core.scoring import ScoringWeights
    from healthtune.run.events import EventLog

# Fields that define what a run's trials mean: a resumed run must keep them.
IDENTITY_FIELDS = (
    "dataset",
    "mode",
    "validation_split",
    "seed",
    "max_samples",
    "vocab_size",
    "sequence_length",
)


class RunBook:
    """Writes run.json as the run goes, and copies the best trial to optimized_model/ at the end."""

    def __init__(self, config: OptimizationConfig, weights: ScoringWeights) -> None:
        self.config = config
        self.weights = weights
        self.paths = RunPaths(config.run_dir)
        self.baselines: list[dict[str, Any]] = []  # majority and linear (evaluation/), once fitted

    def verdict(self, best: TrialRecord | None) -> dict[str, Any] | None:
        """Whether the best network beats the linear baseline, and what to try when it does not."""
        from healthtune.evaluation.baselines import verdict

        return verdict(self.baselines, best.metrics.get("val_accuracy") if best else None)

    def check_existing_run(self) -> None:
        """Resuming must not change what the trials mean; refuse before writing anything."""
        if not self.paths.run_file.is_file():
            return
        previous = json.loads(self.paths.run_file.read_text(encoding="utf-8")).get("config", {})
        current = self.config.to_dict()
        for name in IDENTITY_FIELDS:
            if name in previous and previous[name] != current[name]:
                raise ConfigError(
                    f"run {self.config.run_name!r} already exists with {name}={previous[name]!r}; "
                    f"got {name}={current[name]!r}. Use another run_name or the same {name}"
                )

    @staticmethod
    def close_orphans(study: optuna.Study) -> list[int]:
        """Trials left RUNNING by a crashed process are marked failed so the run can go on; their numbers.

        With heartbeats (a shared database), RUNNING trials may belong to another live orchestrator:
        only those whose heartbeat went stale are failed (and queued again).
        """
        from optuna.trial import TrialState

        from healthtune.search.storage import fail_orphaned_trial, fail_stale_trials, uses_heartbeats

        running = [t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))]
        if uses_heartbeats(study):
            fail_stale_trials(study)
            still = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
            return [number for number in running if number not in still]
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            fail_orphaned_trial(study, trial, "interrupted")
        return running

    def salvage(
        self, study: optuna.Study, status: str, error: str | None, events: EventLog | None = None
    ) -> TrialRecord | None:
        """A run whose process died: what it left, made true. Orphaned trials are failed and announced
        (trial_failed, reason interrupted), the best finished trial is copied to optimized_model/ (no
        plots are drawn: that is the run's own work), and run.json says `status`. The best or None."""
        from healthtune.run.assembly import assemble_best_model
        from healthtune.run.events import EventLog, EventType

        events = events or EventLog(self.config.run_name, self.paths.events_file)  # one numbering per process
        for number in self.close_orphans(study):
            events.emit(EventType.TRIAL_FAILED, number, reason="interrupted",
                        error="its process stopped before the trial finished")  # fmt: skip
        records = trial_records(study, self.config)
        best = select_best(records, self.config.mode, self.weights, pareto_numbers(study))
        extra: dict[str, Any] = {}
        started, self.baselines = _previous(self.paths.run_file, self.baselines)
        if best is not None:
            judged = self.verdict(best)
            model_path = assemble_best_model(self.paths, best, self.config, self.weights, judged)
            extra = {
                "best_trial": best.to_dict(),
                "best_model_path": str(model_path.relative_to(self.paths.run_dir)),
                "baseline_verdict": judged,
            }
        self.write(status, study, started, error=error, **extra)
        return best

    @staticmethod
    def requeue_interrupted(study: optuna.Study) -> list[int]:
        """Queue the parameters of trials a stop or crash cut short, so a resume trains exactly them
        (the ModelConfig-defaults trial included). Each is queued once; returns their numbers."""
        from optuna.trial import TrialState

        trials = study.get_trials(deepcopy=False)
        already = {t.user_attrs.get("redo_of") for t in trials}
        requeued = []
        for trial in trials:
            cut_short = trial.state is TrialState.FAIL and trial.user_attrs.get("failure_reason") in (
                "interrupted",
                "cancelled",
            )
            if cut_short and trial.number not in already:
                attrs = {"redo_of": trial.number}
                if "seeded_with" in trial.user_attrs:
                    attrs["seeded_with"] = trial.user_attrs["seeded_with"]
                study.enqueue_trial(dict(trial.params), user_attrs=attrs)
                requeued.append(trial.number)
        return requeued

    def write(
        self, status: str, study: optuna.Study, started: float, error: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        from healthtune.core.version import __version__

        data = {
            "run_name": self.config.run_name,
            "status": status,
            "config": self.config.to_dict(),
            "storage_url": self.config.storage_url,
            "started_at": started,
            "elapsed_seconds": time.time() - started,
            "weights": self.weights.to_dict(),
            "pareto_front": pareto_numbers(study),
            "trials": [record.to_dict() for record in trial_records(study, self.config)],
            "error": error,
            "versions": {"healthtune": __version__},
            # Every run.json has the same keys: a run still going, failed or cut short has no best yet.
            "best_trial": None,
            "best_model_path": None,
            "health_bought": None,
            "baselines": self.baselines,
            "baseline_verdict": None,
            **extra,
        }
        write_json(self.paths.run_file, data)
        write_trials_csv(self.paths.trials_csv, data["trials"], self.weights)
        return data

    def assemble(
        self, study: optuna.Study, started: float, status: str = "completed", dataset: Any = None
    ) -> OptimizationResult:
        """Pick the best finished trial and copy it to optimized_model/ (no retraining).

        With the run's `dataset`, the pick and the trial validation accuracy alone would have picked
        are measured once on its test split (health_bought in run.json). A cancelled run may end
        before any trial finished: it then has no best model. Any other run without a completed
        trial is a failure.
        """
        from healthtune.plots.study_plots import make_study_plots
        from healthtune.run.assembly import assemble_best_model
        from healthtune.run.health_bought import measure_and_compare
        from healthtune.training.visuals import plot_finished_trial

        records = trial_records(study, self.config)
        best = select_best(records, self.config.mode, self.weights, pareto_numbers(study))
        if best is None and status != "cancelled":
            raise OptimizationFailed("no trial completed, so there is no best model; see the failed trials")
        model_path = None
        extra: dict[str, Any] = {}
        if best is not None:
            if self.config.plot_mode is PlotMode.BEST:
                plot_finished_trial(self.paths.trial_dir(best.number), self.config, self.weights)
            judged = self.verdict(best)
            model_path = assemble_best_model(self.paths, best, self.config, self.weights, judged)
            extra = {
                "best_trial": best.to_dict(),
                "best_model_path": str(model_path.relative_to(self.paths.run_dir)),
                "baseline_verdict": judged,
            }
            if dataset is not None:
                extra["health_bought"] = measure_and_compare(self.paths, records, best, self.weights, dataset)
        make_study_plots(study, self.paths.run_dir)
        data = self.write(status, study, started, **extra)
        return OptimizationResult(
            run_name=self.config.run_name,
            run_dir=self.paths.run_dir,
            status=status,
            best_trial=best,
            best_model_path=model_path,
            trials=records,
            config=self.config.to_dict(),
            storage_url=self.config.storage_url,
            elapsed_seconds=data["elapsed_seconds"],
            health_bought=data.get("health_bought"),
            baselines=self.baselines,
            baseline_verdict=data.get("baseline_verdict"),
        )


def _previous(run_file: Path, baselines: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """When the run started and its baselines, as its run.json says (a salvage runs in another process)."""
    try:
        data = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return time.time(), baselines
    started = data.get("started_at") if isinstance(data, dict) else None
    stored = data.get("baselines") if isinstance(data, dict) else None
    return (
        float(started) if isinstance(started, int | float) else time.time(),
        baselines or (stored if isinstance(stored, list) else []),
    )
