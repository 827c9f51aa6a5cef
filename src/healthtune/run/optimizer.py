"""ModelOptimizer: owns the Optuna study, runs the ask/tell loop and assembles the best model."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from healthtune.core import scoring
from healthtune.core.config import OptimizationConfig, PlotMode
from healthtune.core.exceptions import ConfigError, HealthtuneError, RunCancelled
from healthtune.core.paths import RunPaths
from healthtune.run.dispatch import TrialDispatcher
from healthtune.run.events import EventCallback, EventLog, EventType
from healthtune.run.results import OptimizationResult, TrialRecord, write_json
from healthtune.run.run_book import RunBook
from healthtune.run.study_records import check_files_kept, finished_count
from healthtune.search.storage import open_storage
from healthtune.search.study import create_or_load_study
from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec

if TYPE_CHECKING:
    import optuna

    from healthtune.data import Dataset
    from healthtune.executors import Executor
    from healthtune.models import ModelConfig
    from healthtune.search import HyperparameterSelector

logger = logging.getLogger(__name__)


class ModelOptimizer:
    """Runs one optimization: `ModelOptimizer(config).optimize_model()`."""

    def __init__(
        self,
        config: OptimizationConfig,
        *,
        on_event: EventCallback | None = None,
        model_fn: Callable[..., Any] | str | None = None,
    ) -> None:
        if not isinstance(config, OptimizationConfig):
            raise ConfigError(f"config must be an OptimizationConfig, got {type(config).__name__}")
        if model_fn is not None:  # workers import it by name: a function becomes "module:function"
            from healthtune.search.user_model import model_fn_path

            name = model_fn if isinstance(model_fn, str) else model_fn_path(model_fn)
            config = dataclasses.replace(config, model_fn=name)
        from healthtune.data import validate_dataset_name
        from healthtune.executors.settings import check_executor_settings

        validate_dataset_name(config.dataset)  # the config checked its form; its files are looked at now
        check_executor_settings(config)  # a missing endpoint is refused before any folder or study exists
        self.config = config
        self.paths = RunPaths(config.run_dir)
        self.on_event = on_event
        self._stop = threading.Event()
        self.deadline: float | None = None  # Unix time the run's timeout_hours ends at, once started
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
        from healthtune.core import native_logs
        from healthtune.executors import make_executor

        native_logs.install()  # this process may import TensorFlow later (the best trial's plots)

        config = self.config
        started = time.time()
        self.book.check_existing_run()
        try:
            config.results_root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(
                f"results_root {config.results_root} is not a directory we can create or write: {error.strerror}"
            ) from None
        # Made now, so its workers import the backend while this process loads the data and study
        with make_executor(config) as executor:
            return self._run(executor, started)

    def _run(self, executor: Executor, started: float) -> OptimizationResult:
        from healthtune.core.objectives import check_objective, resolve_class_weights
        from healthtune.data.preprocessing import describe_preprocessing
        from healthtune.evaluation.baselines import fit_baselines
        from healthtune.search import HyperparameterSelector
        from healthtune.search.user_model import load_model_fn
        from healthtune.training.spec import load_trial_data

        config = self.config
        storage = open_storage(config.storage_url, max_retries=config.max_trial_retries)
        dataset = load_trial_data(self.data_spec)  # the same split and vocabulary every trial gets
        check_objective(config.objective, dataset.num_classes)  # fatal now, not in every trial
        resolve_class_weights(config.class_weight, dataset.y_train, dataset.class_names)
        selector = HyperparameterSelector.for_dataset(dataset, config.search_space_overrides)
        study, resumed = create_or_load_study(config, storage, scoring.directions(config.mode))
        if resumed:
            check_files_kept(study, self.paths)
        events = EventLog(config.run_name, self.paths.events_file, self.on_event)
        self.book.write("running", study, started)
        write_json(self.paths.preprocessing_file, describe_preprocessing(dataset))  # for load_predictor
        orphans = self.book.close_orphans(study)
        if config.model_fn:
            load_model_fn(config.model_fn)  # importable here, or a clear error before any trial
        if not resumed and not config.model_fn:
            study.enqueue_trial(selector.default_params(), user_attrs={"seeded_with": "ModelConfig defaults"})
        elif requeued := self.book.requeue_interrupted(study):
            logger.info("resuming: trials %s were cut short and are trained again", requeued)
        self.book.baselines = fit_baselines(dataset)  # what every trial is compared with
        events.emit(
            EventType.RUN_STARTED,
            resumed=resumed,
            finished_before=finished_count(study),
            trials=config.trials,
            dataset=config.dataset,
            architecture="custom" if config.model_fn else selector.architecture.value,
            train_examples=len(dataset.y_train),
            classes=dataset.num_classes,
            baselines=self.book.baselines,
        )
        for number in orphans:  # a crash left them running: cut short, and counted as such
            events.emit(EventType.TRIAL_FAILED, number, reason="interrupted",
                        error="its process stopped before the trial finished")  # fmt: skip
        try:
            self._search(executor, study, selector, events, started, dataset)
            result = self.book.assemble(study, started, dataset=dataset)
        except RunCancelled as cancelled:
            result = self.book.assemble(study, started, status="cancelled", dataset=dataset)
            events.emit(EventType.RUN_CANCELLED, reason=str(cancelled), best_trial=_number(result.best_trial))
            return result
        except HealthtuneError as error:
            self._keep_what_finished(study, events, "failed", str(error))
            events.emit(EventType.RUN_FAILED, error=str(error))
            raise
        except BaseException as error:  # Ctrl-C or a crash: the study stays resumable
            self._keep_what_finished(study, events, "interrupted", repr(error))
            events.emit(EventType.RUN_FAILED, error=f"interrupted: {error!r}")
            raise
        events.emit(
            EventType.RUN_FINISHED,
            baseline_verdict=self.book.verdict(result.best_trial),
            best_trial=_number(result.best_trial),
            best_score=result.best_score,
            elapsed_seconds=result.elapsed_seconds,
        )
        return result

    def _keep_what_finished(self, study: optuna.Study, events: EventLog, status: str, error: str) -> None:
        """A run that stops on an error still hands back the best trial that finished (no plots)."""
        try:
            self.book.salvage(study, status, error, events)
        except Exception:  # the run's own error is the one to report
            logger.exception("run %s: could not assemble the best finished trial", self.config.run_name)

    # -- the ask/tell loop -------------------------------------------------------------------

    def _search(
        self,
        executor: Executor,
        study: optuna.Study,
        selector: HyperparameterSelector,
        events: EventLog,
        started: float,
        dataset: Dataset,
    ) -> None:
        config = self.config
        deadline = started + config.timeout_hours * 3600 if config.timeout_hours else None
        self.deadline = deadline
        dispatcher = TrialDispatcher(config, self.weights, study, events, self._stop, self._trial_spec)
        dispatcher.run(executor, selector, dataset, deadline)

    def _trial_spec(self, number: int, model_config: ModelConfig, params: dict[str, Any]) -> TrialSpec:
        config = self.config
        return TrialSpec(
            run_name=config.run_name,
            trial_number=number,
            model_config=model_config.to_dict(),
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
            gpus=config.target_gpus_per_worker,
            early_stopping_patience=config.early_stopping_patience,
            objective=config.objective.value,
            class_weight=config.class_weight
            if isinstance(config.class_weight, str)
            else dict(config.class_weight),
            model_fn=config.model_fn,
            stop_at=self.deadline,
        )


def optimize(
    config: OptimizationConfig,
    *,
    on_event: EventCallback | None = None,
    model_fn: Callable[..., Any] | str | None = None,
) -> OptimizationResult:
    """Run an optimization and return its result: `healthtune.optimize(OptimizationConfig(...))`.

    `model_fn`: search your own model instead of healthtune's, a module-level `build(trial, info)`
    (or its name, as `config.model_fn`); see user_model.py.
    """
    return ModelOptimizer(config, on_event=on_event, model_fn=model_fn).optimize_model()


def _number(trial: TrialRecord | None) -> int | None:
    return trial.number if trial else None
