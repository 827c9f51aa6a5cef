"""Progress events (run, trial, epoch) with sequence numbers, appended to events.jsonl and sent to a callback.

Each event type's data has one model (RunStartedData, ...): the log, the CLI, the server's schema and
(generated from that schema) the web app read the same fields. Fields an older version did not write
are optional and unknown fields are kept, so any events.jsonl still reads.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

logger = logging.getLogger(__name__)


class EventType(enum.StrEnum):
    RUN_STARTED = "run_started"
    TRIAL_STARTED = "trial_started"
    EPOCH_ENDED = "epoch_ended"
    TRIAL_FINISHED = "trial_finished"
    TRIAL_PRUNED = "trial_pruned"
    TRIAL_FAILED = "trial_failed"
    RUN_FINISHED = "run_finished"
    RUN_FAILED = "run_failed"
    RUN_CANCELLED = "run_cancelled"


@dataclass(frozen=True)
class Event:
    """One progress event; `seq` orders all events of a run, also across resumes."""

    type: EventType
    run_name: str
    seq: int
    time: float
    trial: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "run_name": self.run_name,
            "seq": self.seq,
            "time": self.time,
            "trial": self.trial,
            "data": self.data,
        }


class EventData(BaseModel):
    model_config = ConfigDict(extra="allow")


class RunStartedData(EventData):
    resumed: bool = False
    finished_before: int = Field(default=0, description="trials finished by earlier sessions of this run")
    trials: int | None = Field(default=None, description="the run's trial budget")
    dataset: str | None = None
    architecture: str | None = Field(default=None, description="cnn, text or custom (a model_fn)")
    train_examples: int | None = None
    classes: int | None = None
    baselines: list[dict[str, Any]] = Field(
        default_factory=list, description="majority class and linear model"
    )


class TrialStartedData(EventData):
    params: dict[str, Any] = Field(default_factory=dict)


class EpochEndedData(EventData):
    epoch: int = Field(default=0, description="counted from 1")
    metrics: dict[str, float] = Field(default_factory=dict, description="Keras logs and epoch_seconds")


class TrialFinishedData(EventData):
    score: float | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    best_trial: int | None = Field(default=None, description="the run's best trial now")


class TrialPrunedData(EventData):
    epoch: int | None = Field(default=None, description="the epoch it stopped after; 0: before training")
    reason: str | None = None
    rejected: bool = Field(
        default=False, description="over max_model_mflops: not trained, not counted in the budget"
    )


class TrialFailedData(EventData):
    reason: str | None = Field(
        default=None, description="error, diverged, timeout, cancelled or interrupted, ..."
    )
    error: str | None = None


class RunFinishedData(EventData):
    best_trial: int | None = None
    best_score: float | None = None
    elapsed_seconds: float | None = None
    baseline_verdict: dict[str, Any] | None = None


class RunFailedData(EventData):
    error: str | None = None


class RunCancelledData(EventData):
    reason: str | None = None
    best_trial: int | None = None


EVENT_DATA: dict[EventType, type[EventData]] = {
    EventType.RUN_STARTED: RunStartedData,
    EventType.TRIAL_STARTED: TrialStartedData,
    EventType.EPOCH_ENDED: EpochEndedData,
    EventType.TRIAL_FINISHED: TrialFinishedData,
    EventType.TRIAL_PRUNED: TrialPrunedData,
    EventType.TRIAL_FAILED: TrialFailedData,
    EventType.RUN_FINISHED: RunFinishedData,
    EventType.RUN_FAILED: RunFailedData,
    EventType.RUN_CANCELLED: RunCancelledData,
}
REJECTED = "too_large"  # how a rejected trial's prune reason begins (over max_model_mflops)
CUT_SHORT_REASONS = ("cancelled", "interrupted")  # failed, but not finished: a resume trains them again


def is_rejection(event_type: str, data: dict[str, Any]) -> bool:
    """A trial_pruned event for a network rejected before training (runs before `rejected` existed
    said so only in the reason's prefix)."""
    if event_type != EventType.TRIAL_PRUNED:
        return False
    return bool(data.get("rejected")) or str(data.get("reason") or "").startswith(REJECTED)


def is_cut_short(event_type: str, data: dict[str, Any]) -> bool:
    """A trial_failed event for a trial a cancel or crash stopped: not a finished trial."""
    return event_type == EventType.TRIAL_FAILED and data.get("reason") in CUT_SHORT_REASONS


EventCallback = Callable[[Event], None]


class EventLog:
    """Numbers events, appends them to the run's events.jsonl and forwards them to a listener."""

    def __init__(self, run_name: str, path: Path, listener: EventCallback | None = None) -> None:
        self.run_name = run_name
        self.path = path
        self.listener = listener
        self._lock = threading.Lock()
        self._seq = self._last_seq(path)

    @staticmethod
    def _last_seq(path: Path) -> int:
        if not path.exists():
            return 0
        last = 0
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    last = max(last, int(json.loads(line)["seq"]))
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash; later events still count on
        return last

    def emit(self, event_type: EventType, trial: int | None = None, **data: Any) -> Event:
        try:
            EVENT_DATA[event_type].model_validate(data)
        except ValidationError as error:  # a contract slip is logged; it never stops a search
            logger.error(
                "%s data does not match %s: %s", event_type.value, EVENT_DATA[event_type].__name__, error
            )
        with self._lock:
            self._seq += 1
            event = Event(event_type, self.run_name, self._seq, time.time(), trial, data)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(event.to_dict(), default=str) + "\n")
        if self.listener is not None:
            try:
                self.listener(event)
            except Exception:  # a broken listener must not stop the search
                logger.exception("event listener failed on %s", event.type.value)
        return event
