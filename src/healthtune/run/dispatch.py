"""TrialDispatcher: the ask/tell loop that keeps up to `concurrent_workers` trials in an executor."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from healthtune.core import scoring
from healthtune.core.config import OptimizationConfig
from healthtune.core.exceptions import ConfigError, OptimizationFailed, RunCancelled, TrialFailed
from healthtune.executors import Executor, Outcome
from healthtune.run.events import REJECTED, EventLog, EventType
from healthtune.run.selection import pareto_numbers, select_best
from healthtune.run.study_records import finished_count, trial_records
from healthtune.search.storage import fail_stale_trials, record_heartbeat, uses_heartbeats
from healthtune.training.spec import TrialSpec

if TYPE_CHECKING:
    import optuna

    from healthtune.core.scoring import ScoringWeights
    from healthtune.data import Dataset
    from healthtune.models import ModelConfig
    from healthtune.search import HyperparameterSelector

logger = logging.getLogger(__name__)

# A search space whose samples are all over max_model_mflops is a configuration error, not a search.
MAX_CONSECUTIVE_REJECTIONS = 50
POLL_SECONDS = 0.2  # how often the loop looks at a cancel request while trials train elsewhere
HEARTBEAT_EVERY_SECONDS = 5.0  # well inside the storage's heartbeat interval

SpecFactory = Callable[[int, "ModelConfig", dict[str, object]], TrialSpec]


class StudyTrialReporter:
    """The orchestrator's side of one trial: epochs go to the event log, Optuna decides on pruning."""

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


class TrialDispatcher:
    """Asks Optuna for trials while workers are free, relays their progress, tells their outcomes."""

    def __init__(
        self,
        config: OptimizationConfig,
        weights: ScoringWeights,
        study: optuna.Study,
        events: EventLog,
        stop: threading.Event,
        make_spec: SpecFactory,
    ) -> None:
        self.config = config
        self.weights = weights
        self.study = study
        self.events = events
        self.stop = stop
        self.make_spec = make_spec
        self.in_flight: dict[int, optuna.Trial] = {}
        self.consecutive_failures = 0
        self.consecutive_rejections = 0
        self.heartbeats = uses_heartbeats(study)
        self.last_heartbeat = 0.0

    def run(
        self, executor: Executor, selector: HyperparameterSelector, dataset: Dataset, deadline: float | None
    ) -> None:
        try:
            while True:
                while executor.free_slots and self._wants_more(deadline):
                    self._start_next(executor, selector, dataset)
                if self.stop.is_set():
                    raise RunCancelled("run cancelled")
                if not self.in_flight:
                    return
                self._beat()
                for outcome in executor.poll(POLL_SECONDS):
                    self._tell(outcome)
        except BaseException as error:
            executor.cancel()
            self._abandon(error)
            raise

    def _wants_more(self, deadline: float | None) -> bool:
        if self.stop.is_set():
            return False
        if deadline is not None and time.time() >= deadline:
            if not self.in_flight:
                logger.info("timeout of %s h reached; no new trials are started", self.config.timeout_hours)
            return False
        return finished_count(self.study) + len(self.in_flight) < self.config.trials

    def _beat(self) -> None:
        """Tell a shared database that this orchestrator's trials are alive (see search.study)."""
        if not self.heartbeats or time.monotonic() - self.last_heartbeat < HEARTBEAT_EVERY_SECONDS:
            return
        self.last_heartbeat = time.monotonic()
        for trial in self.in_flight.values():
            record_heartbeat(self.study, trial)

    def _start_next(self, executor: Executor, selector: HyperparameterSelector, dataset: Dataset) -> None:
        from healthtune.models.compute import forward_mflops

        if self.heartbeats:
            fail_stale_trials(self.study)  # another orchestrator's dead trials are queued again
        trial = self.study.ask()
        if self.heartbeats:
            record_heartbeat(self.study, trial)
        if self.config.model_fn:
            # The user's build(trial, info) makes its suggest_* calls here, so Optuna records them; the worker
            # builds the same model again from those values (user_model.fixed_trial).
            model_config = self._record_user_suggestions(trial, dataset)
            self.events.emit(EventType.TRIAL_STARTED, trial.number, params=trial.params)
        else:
            model_config = selector.suggest(trial)
            mflops = forward_mflops(
                model_config,
                input_shape=dataset.input_shape,
                num_classes=dataset.num_classes,
                sequence_length=dataset.sequence_length,
            )
            trial.set_user_attr("model_mflops", round(mflops, 2))
            self.events.emit(EventType.TRIAL_STARTED, trial.number, params=trial.params)
            if self.config.max_model_mflops and mflops > self.config.max_model_mflops:
                self._reject_too_large(trial, mflops)
                return
        self.consecutive_rejections = 0
        spec = self.make_spec(trial.number, model_config, dict(trial.params))
        executor.submit(spec, StudyTrialReporter(trial, self.events, self.stop))
        self.in_flight[trial.number] = trial

    def _record_user_suggestions(self, trial: optuna.Trial, dataset: Dataset) -> ModelConfig:
        """Run the user's model function once with the live trial (its suggestions are recorded) and
        drop the model; a failure is the trial's, recorded when the worker builds it again."""
        import keras

        from healthtune.models import ModelConfig
        from healthtune.search.user_model import build_user_model, load_model_fn, model_info

        try:
            build_user_model(load_model_fn(self.config.model_fn), trial, model_info(dataset))
        except TrialFailed as error:
            logger.warning("trial %d: %s", trial.number, error)
        keras.backend.clear_session()
        return ModelConfig()  # unused: the worker builds the user's model

    def _reject_too_large(self, trial: optuna.Trial, mflops: float) -> None:
        """Pruned before training, so TPE learns to avoid the region; not counted towards `trials`."""
        from optuna.trial import TrialState

        self.consecutive_rejections += 1
        limit = self.config.max_model_mflops
        reason = f"{REJECTED}: {mflops:.0f} MFLOPs per example > max_model_mflops={limit:g}"
        trial.set_user_attr("rejected", REJECTED)
        trial.set_user_attr("prune_reason", reason)
        self.study.tell(trial, state=TrialState.PRUNED)
        self.events.emit(EventType.TRIAL_PRUNED, trial.number, epoch=0, reason=reason, rejected=True)
        logger.info("trial %d rejected before training (%s)", trial.number, reason)
        if self.consecutive_rejections >= MAX_CONSECUTIVE_REJECTIONS:
            raise ConfigError(
                f"the last {self.consecutive_rejections} sampled networks all exceed max_model_mflops="
                f"{limit:g}; narrow search_space_overrides (fewer conv_blocks or filters, smaller "
                "kernel_size) or raise max_model_mflops (0: no limit)"
            )

    def _tell(self, outcome: Outcome) -> None:
        from optuna.trial import TrialState

        trial = self.in_flight.pop(outcome.number)
        if outcome.failure is not None:
            failure = outcome.failure
            self.consecutive_failures += 1
            trial.set_user_attr("failure_reason", failure.reason)
            trial.set_user_attr("error", str(failure))
            self.study.tell(trial, state=TrialState.FAIL)
            self.events.emit(EventType.TRIAL_FAILED, trial.number, reason=failure.reason, error=str(failure))
            logger.warning("trial %d failed (%s): %s", trial.number, failure.reason, failure)
            if self.consecutive_failures >= self.config.max_consecutive_failures:
                raise OptimizationFailed(
                    f"{self.consecutive_failures} trials failed in a row; last error: {failure}"
                ) from failure
            return
        result = outcome.result
        assert result is not None
        self.consecutive_failures = 0
        trial.set_user_attr("metrics", result.metrics)
        if result.bundle:  # where a remote trial's artifacts came from, and what moving them cost
            trial.set_user_attr("bundle", result.bundle)
            trial.set_user_attr("transfer_seconds", result.timings)
        if result.state == "pruned":
            trial.set_user_attr("prune_reason", result.prune_reason)
            self.study.tell(trial, state=TrialState.PRUNED)
            self.events.emit(
                EventType.TRIAL_PRUNED, trial.number,
                epoch=result.metrics.get("pruned_at_epoch"), reason=result.prune_reason,
            )  # fmt: skip
            return
        mode = self.config.mode
        values = scoring.objective_values(mode, self.weights, result.metrics)
        self.study.tell(trial, values=values[0] if len(values) == 1 else values)
        best = select_best(
            trial_records(self.study, self.config), mode, self.weights, pareto_numbers(self.study)
        )
        self.events.emit(
            EventType.TRIAL_FINISHED,
            trial.number,
            score=scoring.score(mode, self.weights, result.metrics),
            metrics=result.metrics,
            best_trial=best.number if best else None,
        )

    def _abandon(self, error: BaseException) -> None:
        """Trials still in flight when the run stops are failed, not counted: a resume redoes them."""
        from optuna.trial import TrialState

        reason = "cancelled" if isinstance(error, RunCancelled) else "interrupted"
        for number, trial in list(self.in_flight.items()):
            trial.set_user_attr("failure_reason", reason)
            self.study.tell(trial, state=TrialState.FAIL)
            if isinstance(error, RunCancelled):
                self.events.emit(EventType.TRIAL_FAILED, number, reason=reason, error=str(error))
        self.in_flight.clear()
