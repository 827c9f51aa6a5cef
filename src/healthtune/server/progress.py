"""The server's view of each run's progress: the events.jsonl fold (healthtune.run.progress), advanced by
reading only the bytes added since the last call."""

from __future__ import annotations

import threading
from pathlib import Path

from healthtune.run.progress import RunProgress, read_events


class ProgressCache:
    """One RunProgress per run, advanced by reading only the bytes added since the last call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[Path, tuple[RunProgress, int]] = {}

    def get(self, events_file: Path) -> RunProgress:
        with self._lock:
            progress, offset = self._runs.get(events_file, (RunProgress(), 0))
            events, offset = read_events(events_file, offset=offset)
            for event in events:
                progress.apply(event)
            self._runs[events_file] = (progress, offset)
            return progress

    def forget(self, events_file: Path) -> None:
        with self._lock:
            self._runs.pop(events_file, None)
