"""ModelOptimizer: owns the Optuna study, runs the ask/tell loop and assembles the best model."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from healthtune import scoring
from healthtune.config import OptimizationConfig, PlotMode
from healthtune.events import EventCallback, EventLog, EventType
from healthtune.exceptions import ConfigError, HealthtuneError, OptimizationFailed, RunCancelled, TrialFailed
from healthtune.results import OptimizationResult, RunPaths, TrialRecord
from healthtune.run_book import RunBook
from healthtune.search.study import create_or_load_study, open_storage
from healthtune.selection import pareto_numbers, select_best
from healthtune.study_records import finished_count, trial_records
from healthtune.training.spec import DataSpec, HealthSpec, TrialResult, TrialSpec

if TYPE_CHECKING:
    import optuna

    from healthtune.data import Dataset
    from healthtune.search import HyperparameterSelector

logger = logging.getLogger(__name__)

# A search space whose samples are all over max_model_mflops is a configuration error, not a search.
MAX_CONSECUTIVE_REJECTIONS = 50


class StudyTrialReporter:
    """In-process reporter: epochs go to the event log and to Optuna, which decides on pruning."""

    def __init__(self, trial: optuna.Trial, events: EventLog, stop: threading.Event | None = None) -> None:
        self.trial = trial
        self.events = events
        self.stop = stop or threading.Event()

    def stop_requested(self) -> bool:
        return self.stop.is_set()

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
        self._stop = threading.Event()
        self.weights = config.weights
        self.book = RunBook(config, self.weights)
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

    def request_stop(self) -> None:
        """Cancel from another thread or a signal handler: the running trial stops within a batch,
        no new trial starts, and the best model is assembled from the trials already finished."""
        self._stop.set()

    def optimize_model(self) -> OptimizationResult:
        from healthtune.models import architecture_for
        from healthtune.search import HyperparameterSelector
        from healthtune.training.trainer import load_trial_data

        config = self.config
        started = time.time()
        self.book.check_existing_run()
        config.results_root.mkdir(parents=True, exist_ok=True)
        storage = open_storage(config.storage_url)
        dataset = load_trial_data(self.data_spec)  # the same split and vocabulary every trial gets
        selector = HyperparameterSelector(architecture_for(dataset), config.search_space_overrides)
        study, resumed = create_or_load_study(config, storage, scoring.directions(config.mode))
        events = EventLog(config.run_name, self.paths.events_file, self.on_event)
        self.book.write("running", study, started)
        self.book.close_orphans(study)
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
            self._search(study, selector, events, started, dataset)
            result = self.book.assemble(study, started)
        except RunCancelled as cancelled:
            result = self.book.assemble(study, started, status="cancelled")
            events.emit(EventType.RUN_CANCELLED, reason=str(cancelled), best_trial=_number(result.best_trial))
            return result
        except HealthtuneError as error:
            self.book.write("failed", study, started, error=str(error))
            events.emit(EventType.RUN_FAILED, error=str(error))
            raise
        except BaseException as error:  # Ctrl-C or a crash: the study stays resumable
            self.book.write("interrupted", study, started, error=repr(error))
            events.emit(EventType.RUN_FAILED, error=f"interrupted: {error!r}")
            raise
        events.emit(
            EventType.RUN_FINISHED,
            best_trial=_number(result.best_trial),
            best_score=result.best_score,
            elapsed_seconds=result.elapsed_seconds,
        )
        return result

    # -- the ask/tell loop -------------------------------------------------------------------

    def _search(
        self,
        study: optuna.Study,
        selector: HyperparameterSelector,
        events: EventLog,
        started: float,
        dataset: Dataset,
    ) -> None:
        from optuna.trial import TrialState

        from healthtune.models.compute import forward_mflops

        config = self.config
        deadline = started + config.timeout_hours * 3600 if config.timeout_hours else None
        consecutive_failures = consecutive_rejections = 0
        while finished_count(study) < config.trials:
            if self._stop.is_set():
                raise RunCancelled("run cancelled between trials")
            if deadline is not None and time.time() >= deadline:
                logger.info("timeout of %s h reached; no new trials are started", config.timeout_hours)
                break
            trial = study.ask()
            model_config = selector.suggest(trial)
            mflops = forward_mflops(
                model_config,
                input_shape=dataset.input_shape,
                num_classes=dataset.num_classes,
                sequence_length=dataset.sequence_length,
            )
            trial.set_user_attr("model_mflops", round(mflops, 2))
            events.emit(EventType.TRIAL_STARTED, trial.number, params=trial.params)
            if config.max_model_mflops and mflops > config.max_model_mflops:
                consecutive_rejections += 1
                self._reject_too_large(study, trial, events, mflops, consecutive_rejections)
                continue
            consecutive_rejections = 0
            spec = self._trial_spec(trial.number, model_config.to_dict(), trial.params)
            try:
                result = self._run(spec, StudyTrialReporter(trial, events, self._stop))
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
            except BaseException as error:
                # Not counted towards `trials`: a resumed run trains this trial's slot again.
                reason = "cancelled" if isinstance(error, RunCancelled) else "interrupted"
                trial.set_user_attr("failure_reason", reason)
                study.tell(trial, state=TrialState.FAIL)
                if isinstance(error, RunCancelled):
                    events.emit(EventType.TRIAL_FAILED, trial.number, reason=reason, error=str(error))
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

    def _reject_too_large(
        self, study: optuna.Study, trial: optuna.Trial, events: EventLog, mflops: float, in_a_row: int
    ) -> None:
        """Pruned before training, so TPE learns to avoid the region; not counted towards `trials`."""
        from optuna.trial import TrialState

        limit = self.config.max_model_mflops
        reason = f"too_large: {mflops:.0f} MFLOPs per example > max_model_mflops={limit:g}"
        trial.set_user_attr("rejected", "too_large")
        trial.set_user_attr("prune_reason", reason)
        study.tell(trial, state=TrialState.PRUNED)
        events.emit(EventType.TRIAL_PRUNED, trial.number, epoch=0, reason=reason)
        logger.info("trial %d rejected before training (%s)", trial.number, reason)
        if in_a_row >= MAX_CONSECUTIVE_REJECTIONS:
            raise ConfigError(
                f"the last {in_a_row} sampled networks all exceed max_model_mflops={limit:g}; narrow "
                "search_space_overrides (fewer conv_blocks or filters, smaller kernel_size) or raise "
                "max_model_mflops (0: no limit)"
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


def optimize(config: OptimizationConfig, *, on_event: EventCallback | None = None) -> OptimizationResult:
    """Run an optimization and return its result: `healthtune.optimize(OptimizationConfig(...))`."""
    return ModelOptimizer(config, on_event=on_event).optimize_model()


def _number(trial: TrialRecord | None) -> int | None:
    return trial.number if trial else None
