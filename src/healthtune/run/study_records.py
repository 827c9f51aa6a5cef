"""Reading an Optuna study back as TrialRecords, and counting the trials that count towards a run's target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from healthtune.core import scoring
from healthtune.core.config import OptimizationConfig
from healthtune.run.results import TrialRecord

if TYPE_CHECKING:
    import optuna


# Optuna's state names as healthtune reports them (FAIL reads better as "failed").
STATE_NAMES = {
    "COMPLETE": "complete",
    "PRUNED": "pruned",
    "FAIL": "failed",
    "RUNNING": "running",
    "WAITING": "waiting",
}


def trial_records(study: optuna.Study, config: OptimizationConfig) -> list[TrialRecord]:
    records = []
    for trial in study.get_trials(deepcopy=False):
        metrics = dict(trial.user_attrs.get("metrics", {}))
        complete = trial.state.name == "COMPLETE"
        records.append(
            TrialRecord(
                number=trial.number,
                state=STATE_NAMES.get(trial.state.name, trial.state.name.lower()),
                params=trial_params(trial),
                score=scoring.score(config.mode, config.weights, metrics) if complete and metrics else None,
                metrics=metrics,
                failure_reason=trial.user_attrs.get("failure_reason")
                or ("orchestrator_lost" if trial.state.name == "FAIL" else None),
                prune_reason=trial.user_attrs.get("prune_reason"),
                error=trial.user_attrs.get("error"),
            )
        )
    return records


def trial_params(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """The parameters the trial trained with: Optuna's searched ones plus the values the user fixed
    (fixed overrides are not searched, so Optuna does not list them)."""
    fixed = {
        key.removeprefix("fixed_"): value
        for key, value in trial.user_attrs.items()
        if key.startswith("fixed_")
    }
    return {**fixed, **trial.params}


def finished_count(study: optuna.Study) -> int:
    """Trials that count towards the target: complete, pruned, or failed (not interrupted or too large)."""
    finished = 0
    for trial in study.get_trials(deepcopy=False):
        if trial.user_attrs.get("rejected"):
            continue
        if trial.state.name in ("COMPLETE", "PRUNED") or (
            trial.state.name == "FAIL"
            # no reason: its orchestrator died (a stale heartbeat); the retry counts instead
            and trial.user_attrs.get("failure_reason", "interrupted") not in ("interrupted", "cancelled")
        ):
            finished += 1
    return finished
