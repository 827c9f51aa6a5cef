"""Reading an Optuna study back as TrialRecords, and counting the trials that count towards a run's target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from healthtune.core import scoring
from healthtune.core.config import OptimizationConfig
from healthtune.core.exceptions import StorageError
from healthtune.core.paths import RunPaths
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


def check_files_kept(study: optuna.Study, paths: RunPaths) -> None:
    """A resumed run needs its complete trials' models: refuse a study whose run folder was deleted
    (the study lives on in the storage) before anything trains, rather than fail at the end."""
    gone = [
        trial.number
        for trial in study.get_trials(deepcopy=False)
        if trial.state.name == "COMPLETE" and not paths.trial(trial.number).model.is_file()
    ]
    if gone:
        name = study.study_name
        raise StorageError(
            f"run_name {name!r} continues a study whose complete trials {gone[:10]} have no files under "
            f"{paths.run_dir} (was the folder deleted?); choose another run_name, or delete the study to "
            f"start over: optuna delete-study --study-name {name} --storage <storage_url>"
        )
