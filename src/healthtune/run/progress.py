"""The one fold of a run's progress events (counts, running trials, best so far, ETA), for the CLI's
live display and the server's /status alike."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthtune.run.events import is_cut_short, is_rejection


def read_events(path: Path, after: int = 0, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Complete lines from byte `offset` on with seq > after, and the offset after the last one.

    A line still being written (no newline yet) is left for the next read.
    """
    if not path.is_file():
        return [], offset
    with path.open("rb") as source:
        source.seek(offset)
        chunk = source.read()
    end = chunk.rfind(b"\n") + 1
    events = []
    for line in chunk[:end].splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
        if isinstance(event, dict) and int(event.get("seq", 0)) > after:
            events.append(event)
    return events, offset + end


@dataclass
class RunProgress:
    """What /status reports; updated incrementally as events arrive."""

    target_trials: int | None = None
    finished_before: int = 0
    complete: int = 0
    pruned: int = 0
    failed: int = 0
    rejected: int = 0  # over max_model_mflops: pruned before training, not counted towards the target
    cut_short: int = 0  # failed as cancelled/interrupted: not finished, a resume trains them again
    running: dict[int, dict[str, Any]] = field(default_factory=dict)
    best_trial: int | None = None
    best_score: float | None = None
    best_val_accuracy: float | None = None
    trial_seconds: list[float] = field(default_factory=list)
    last_seq: int = 0
    run_state: str | None = None  # started, finished, failed, cancelled
    baselines: list[dict[str, Any]] = field(default_factory=list)  # majority and linear, at run_started
    _started_at: dict[int, float] = field(default_factory=dict)
    _scores: dict[int, tuple[float | None, float | None]] = field(default_factory=dict)

    def apply(self, event: dict[str, Any]) -> None:
        kind, trial, data = event.get("type"), event.get("trial"), event.get("data") or {}
        self.last_seq = max(self.last_seq, int(event.get("seq", 0)))
        when = float(event.get("time", time.time()))
        if kind == "run_started":
            self.run_state = "started"
            self.target_trials = data.get("trials")
            self.baselines = list(data.get("baselines") or self.baselines)
            self.running.clear()
        elif kind == "trial_started" and trial is not None:
            self._started_at[trial] = when
            self.running[trial] = {"trial": trial, "epoch": 0, "metrics": {}, "started_at": when}
        elif kind == "epoch_ended" and trial is not None and trial in self.running:
            self.running[trial].update(epoch=data.get("epoch", 0), metrics=data.get("metrics", {}))
        elif kind in ("trial_finished", "trial_pruned", "trial_failed") and trial is not None:
            self.running.pop(trial, None)
            self._count(kind, trial, data, when)
        elif kind in ("run_finished", "run_failed", "run_cancelled"):
            self.run_state = kind.removeprefix("run_")
            self.running.clear()

    def _count(self, kind: str, trial: int, data: dict[str, Any], when: float) -> None:
        started = self._started_at.pop(trial, None)
        if is_rejection(kind, data):
            self.rejected += 1
            return
        if is_cut_short(kind, data):
            self.cut_short += 1  # not a finished trial: a resumed run trains its slot again
            return
        if started is not None:
            self.trial_seconds.append(max(0.0, when - started))
        if kind == "trial_finished":
            self.complete += 1
            metrics = data.get("metrics") or {}
            self._scores[trial] = (data.get("score"), metrics.get("val_accuracy"))
            best = data.get("best_trial")
            if best is not None and best in self._scores:
                self.best_trial = best
                self.best_score, self.best_val_accuracy = self._scores[best]
        elif kind == "trial_pruned":
            self.pruned += 1
        else:
            self.failed += 1

    def val_accuracy(self, trial: int) -> float | None:
        """The validation accuracy a finished trial reported (None if it has not finished)."""
        return self._scores.get(trial, (None, None))[1]

    def snapshot(self, concurrency: int = 1, *, alive: bool = True) -> dict[str, Any]:
        """The counts; `alive` False (the job's worker is gone): trials still open in the events
        were cut short, not running."""
        running = self.running if alive else {}
        cut_short = self.cut_short + (0 if alive else len(self.running))
        done = self.complete + self.pruned + self.failed
        remaining = max(0, (self.target_trials or 0) - done) if self.target_trials is not None else None
        eta = None
        if remaining is not None and self.trial_seconds:
            per_trial = sum(self.trial_seconds) / len(self.trial_seconds)
            elapsed_running = sum(time.time() - r["started_at"] for r in running.values())
            eta = max(0.0, (remaining * per_trial - elapsed_running) / max(1, concurrency))
        return {
            "target_trials": self.target_trials,
            "finished": done,
            "complete": self.complete,
            "pruned": self.pruned,
            "failed": self.failed,
            "rejected": self.rejected,
            "cut_short": cut_short,
            "running": len(running),
            "running_trials": sorted(running.values(), key=lambda r: r["trial"]),
            "best_trial": self.best_trial,
            "best_score": self.best_score,
            "best_val_accuracy": self.best_val_accuracy,
            "mean_trial_seconds": sum(self.trial_seconds) / len(self.trial_seconds)
            if self.trial_seconds
            else None,
            "eta_seconds": eta,
            "last_seq": self.last_seq,
            "baselines": self.baselines,
        }
