"""Progress events (run, trial, epoch) with sequence numbers, appended to events.jsonl and sent to a callback."""

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
