"""The one fold of progress events that the CLI and the server's /status share."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from healthtune.run.events import EVENT_DATA, EventType, TrialPrunedData
from healthtune.run.progress import RunProgress


def _event(seq: int, kind: str, trial: int | None = None, **data: Any) -> dict[str, Any]:
    return {"type": kind, "run_name": "r", "seq": seq, "time": float(seq), "trial": trial, "data": data}


def test_the_fold_counts_rejections_cut_short_trials_and_takes_the_runs_best() -> None:
    run = RunProgress()
    events = [
        _event(1, "run_started", trials=4),
        _event(2, "trial_started", 0), _event(3, "epoch_ended", 0, epoch=1, metrics={"val_accuracy": 0.5}),
        _event(4, "trial_finished", 0, score=0.8, metrics={"val_accuracy": 0.9}, best_trial=0),
        _event(5, "trial_started", 1), _event(6, "trial_pruned", 1, epoch=0, reason="too big", rejected=True),
        _event(7, "trial_started", 2), _event(8, "trial_pruned", 2, epoch=0, reason="too_large: 9 MFLOPs"),  # old log
        _event(9, "trial_started", 3), _event(10, "trial_failed", 3, reason="cancelled"),
        _event(11, "trial_started", 4),
        _event(12, "trial_finished", 4, score=0.85, metrics={"val_accuracy": 0.89}, best_trial=0),  # band
    ]  # fmt: skip
    for event in events:
        run.apply(event)
    assert (run.complete, run.pruned, run.failed, run.rejected, run.cut_short) == (2, 0, 0, 2, 1)
    # the best is what the run says (health breaks near-ties), not the highest score seen
    assert (run.best_trial, run.best_score, run.best_val_accuracy) == (0, 0.8, 0.9)
    assert run.snapshot()["finished"] == 2 and run.snapshot()["running"] == 0


def test_every_event_type_has_a_data_model_that_reads_old_and_new_fields() -> None:
    assert set(EVENT_DATA) == set(EventType)
    old = TrialPrunedData.model_validate({"epoch": 0, "reason": "too_large: 9 MFLOPs"})
    assert old.rejected is False and old.reason is not None
    kept = EVENT_DATA[EventType.RUN_FINISHED].model_validate({"best_trial": 1, "added_later": "kept"})
    assert kept.model_dump()["added_later"] == "kept"
    with pytest.raises(ValidationError):
        EVENT_DATA[EventType.EPOCH_ENDED].model_validate({"epoch": "first"})
