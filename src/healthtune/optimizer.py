"""ModelOptimizer: owns the Optuna study, runs the ask/tell loop and assembles the best model."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from healthtune import scoring
from healthtune.config import OptimizationConfig, PlotMode
from healthtune.events import EventCallback, EventLog, EventType
from healthtune.exceptions import ConfigError, HealthtuneError, OptimizationFailed, TrialFailed
from healthtune.results import OptimizationResult, RunPaths, write_json
from healthtune.search.study import create_or_load_study, open_storage
from healthtune.selection import pareto_numbers, select_best
from healthtune.study_records import finished_count, trial_records
from healthtune.training.spec import DataSpec, HealthSpec, TrialResult, TrialSpec

if TYPE_CHECKING:
    import optuna

    from healthtune.search import HyperparameterSelector

logger = logging.getLogger(__name__)

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


class StudyTrialReporter:
    """In-process reporter: epochs go to the event log and to Optuna, which decides on pruning."""

    def __init__(self, trial: optuna.Trial, events: EventLog) -> None:
        self.trial = trial
        self.events = events

    def epoch_ended(self, epoch: int, metrics: dict[str, float]) -> None:
        self.events.emit(EventType.EPOCH_ENDED, self.trial.number, epoch=epoch, metrics=metrics)

    def should_prune(self, epoch: int, value: float) -> bool:
        if len(self.trial.study.directions) > 1:
            return False  # Optuna prunes single-objective studies only; health pruning still applies
        self.trial.report(value, step=epoch)
        return bool(self.trial.should_prune())


class ModelOptimizer:
    """Runs one optimization: `ModelOptimizer(config).optimize_model()`."""

    def __init__(self, config: OptimizationConfig, *, on_event: EventCallback | None = None) -> None:
        if not isinstance(config, OptimizationConfig):
            raise ConfigError(f"config must be an OptimizationConfig, got {type(config).__name__}")
        self.config = config
        self.paths = RunPaths(config.run_dir)
        self.on_event = on_event
        self.weights = config.weights
        self.data_spec = DataSpec(
            name=config.dataset,
            validation_split=config.validation_split,
            seed=config.seed,
            max_samples=config.max_samples,
            vocab_size=config.vocab_size,
            sequence_length=config.sequence_length,
            data_dir=str(config.data_dir) if config.data_dir else None,
            mirror_url=config.dataset_mirror,
        )

    def optimize_model(self) -> OptimizationResult:
        from healthtune.models import architecture_for
        from healthtune.search import HyperparameterSelector
        from healthtune.training.trainer import load_trial_data

        config = self.config
        started = time.time()
        self._check_existing_run()
        config.results_root.mkdir(parents=True, exist_ok=True)
        storage = open_storage(config.storage_url)
        dataset = load_trial_data(self.data_spec)  # the same split and vocabulary every trial gets
        selector = HyperparameterSelector(architecture_for(dataset), config.search_space_overrides)
        study, resumed = create_or_load_study(config, storage, scoring.directions(config.mode))
        events = EventLog(config.run_name, self.paths.events_file, self.on_event)
        self._write_run_file("running", study, started)
        self._close_orphans(study)
        if not resumed:
            study.enqueue_trial(selector.default_params(), user_attrs={"seeded_with": "ModelConfig defaults"})
        events.emit(
            EventType.RUN_STARTED,
            resumed=resumed,
            finished_before=finished_count(study),
            trials=config.trials,
            dataset=config.dataset,
            architecture=selector.architecture.value,
            train_examples=len(dataset.y_train),
            classes=dataset.num_classes,
        )
        try:
            self._search(study, selector, events, started)
            result = self._assemble(study, started)
        except HealthtuneError as error:
            self._write_run_file("failed", study, started, error=str(error))
            events.emit(EventType.RUN_FAILED, error=str(error))
            raise
        except BaseException as error:  # Ctrl-C or a crash: the study stays resumable
            self._write_run_file("interrupted", study, started, error=repr(error))
            events.emit(EventType.RUN_FAILED, error=f"interrupted: {error!r}")
            raise
        events.emit(
            EventType.RUN_FINISHED,
            best_trial=result.best_trial.number if result.best_trial else None,
            best_score=result.best_score,
            elapsed_seconds=result.elapsed_seconds,
        )
        return result

    # -- the ask/tell loop -------------------------------------------------------------------

    def _search(
        self, study: optuna.Study, selector: HyperparameterSelector, events: EventLog, started: float
    ) -> None:
        from optuna.trial import TrialState

        config = self.config
        deadline = started + config.timeout_hours * 3600 if config.timeout_hours else None
        consecutive_failures = 0
        while finished_count(study) < config.trials:
            if deadline is not None and time.time() >= deadline:
                logger.info("timeout of %s h reached; no new trials are started", config.timeout_hours)
                break
            trial = study.ask()
            model_config = selector.suggest(trial)
            events.emit(EventType.TRIAL_STARTED, trial.number, params=trial.params)
            spec = self._trial_spec(trial.number, model_config.to_dict(), trial.params)
            try:
                result = self._run(spec, StudyTrialReporter(trial, events))
            except TrialFailed as failure:
                consecutive_failures += 1
                trial.set_user_attr("failure_reason", failure.reason)
                trial.set_user_attr("error", str(failure))
                study.tell(trial, state=TrialState.FAIL)
                events.emit(EventType.TRIAL_FAILED, trial.number, reason=failure.reason, error=str(failure))
                logger.warning("trial %d failed (%s): %s", trial.number, failure.reason, failure)
                if consecutive_failures >= config.max_consecutive_failures:
                    raise OptimizationFailed(
                        f"{consecutive_failures} trials failed in a row; last error: {failure}"
                    ) from failure
                continue
            except BaseException:
                study.tell(trial, state=TrialState.FAIL)
                raise
            consecutive_failures = 0
            trial.set_user_attr("metrics", result.metrics)
            if result.state == "pruned":
                trial.set_user_attr("prune_reason", result.prune_reason)
                study.tell(trial, state=TrialState.PRUNED)
                events.emit(
                    EventType.TRIAL_PRUNED,
                    trial.number,
                    epoch=result.metrics.get("pruned_at_epoch"),
                    reason=result.prune_reason,
                )
                continue
            values = scoring.objective_values(config.mode, self.weights, result.metrics)
            study.tell(trial, values=values[0] if len(values) == 1 else values)
            best = select_best(trial_records(study, config), config.mode, self.weights, pareto_numbers(study))
            events.emit(
                EventType.TRIAL_FINISHED,
                trial.number,
                score=scoring.score(config.mode, self.weights, result.metrics),
                metrics=result.metrics,
                best_trial=best.number if best else None,
            )

    def _run(self, spec: TrialSpec, reporter: StudyTrialReporter) -> TrialResult:
        from healthtune.training.trainer import run_trial

        try:
            return run_trial(spec, reporter)
        except (TrialFailed, HealthtuneError, KeyboardInterrupt):
            raise
        except Exception as error:  # any other error inside a trial: record it and go on
            logger.debug("trial %d raised", spec.trial_number, exc_info=True)
            raise TrialFailed(f"{type(error).__name__}: {error}") from error

    def _trial_spec(self, number: int, model_config: dict[str, Any], params: dict[str, Any]) -> TrialSpec:
        config = self.config
        return TrialSpec(
            run_name=config.run_name,
            trial_number=number,
            model_config=model_config,
            data=self.data_spec,
            epochs=config.max_epochs_per_trial,
            batch_size=config.batch_size,
            seed=config.seed + number,
            trial_dir=str(self.paths.trial_dir(number)),
            params=dict(params),
            health=HealthSpec(
                frequency=config.health_monitoring_frequency,
                pruning=bool(config.health_pruning),
                prune_dormant_share=config.health_prune_dormant_share,
                prune_after_epoch=config.health_prune_after_epoch,
            ),
            weights=self.weights.to_dict(),
            plots=config.plot_mode is PlotMode.ALL,
            tensorboard=config.tensorboard,
        )

    # -- run bookkeeping ---------------------------------------------------------------------

    def _check_existing_run(self) -> None:
        """Resuming must not change what the trials mean; refuse before writing anything."""
        import json

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

    def _close_orphans(self, study: optuna.Study) -> None:
        """Trials left RUNNING by a crashed process are marked failed so the run can go on."""
        from optuna.trial import TrialState

        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            study._storage.set_trial_user_attr(trial._trial_id, "failure_reason", "interrupted")
            study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)

    def _write_run_file(
        self, status: str, study: optuna.Study, started: float, error: str | None = None
    ) -> dict[str, Any]:
        import healthtune

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
            "versions": {"healthtune": healthtune.__version__},
        }
        write_json(self.paths.run_file, data)
        return data

    def _assemble(self, study: optuna.Study, started: float) -> OptimizationResult:
        from healthtune.assembly import assemble_best_model
        from healthtune.plots.study_plots import make_study_plots
        from healthtune.training.visuals import plot_finished_trial

        records = trial_records(study, self.config)
        best = select_best(records, self.config.mode, self.weights, pareto_numbers(study))
        if best is None:
            raise OptimizationFailed("no trial completed, so there is no best model; see the failed trials")
        if self.config.plot_mode is PlotMode.BEST:
            plot_finished_trial(self.paths.trial_dir(best.number), self.config, self.weights)
        model_path = assemble_best_model(self.paths, best, self.config, self.weights)
        make_study_plots(study, self.paths.run_dir)
        data = self._write_run_file("completed", study, started)
        data["best_trial"] = best.to_dict()
        data["best_model_path"] = str(model_path.relative_to(self.paths.run_dir))
        write_json(self.paths.run_file, data)
        return OptimizationResult(
            run_name=self.config.run_name,
            run_dir=self.paths.run_dir,
            status="completed",
            best_trial=best,
            best_model_path=model_path,
            trials=records,
            config=self.config.to_dict(),
            storage_url=self.config.storage_url,
            elapsed_seconds=data["elapsed_seconds"],
        )


def optimize(config: OptimizationConfig, *, on_event: EventCallback | None = None) -> OptimizationResult:
    """Run an optimization and return its result: `healthtune.optimize(OptimizationConfig(...))`."""
    return ModelOptimizer(config, on_event=on_event).optimize_model()
