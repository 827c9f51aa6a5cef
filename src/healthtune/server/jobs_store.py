"""JobStore: the server's jobs table in SQLite, next to the study storage; survives server restarts."""

from __future__ import annotations

import enum
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED})
RESUMABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED})
RESCORABLE = frozenset({JobStatus.COMPLETED, JobStatus.CANCELLED})  # and a mode that stores health

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    run_name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    error TEXT,
    result TEXT,
    pid INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_started_at REAL,
    run_seconds REAL NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'server'
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC);
"""

# Columns added after the first release, with how to fill them in for jobs already stored.
_ADDED_COLUMNS = {
    "first_started_at": ("REAL", "UPDATE jobs SET first_started_at = started_at"),
    "run_seconds": (
        "REAL NOT NULL DEFAULT 0",
        "UPDATE jobs SET run_seconds = finished_at - started_at WHERE finished_at >= started_at",
    ),
    "origin": ("TEXT NOT NULL DEFAULT 'server'", "UPDATE jobs SET origin = 'server'"),
}

SERVER, EXTERNAL = "server", "external"
"""A job's origin: queued through this server, or a run made from the CLI or Python found in its results root."""


@dataclass(frozen=True)
class Job:
    id: str
    run_name: str
    status: JobStatus
    request: dict[str, Any]
    config: dict[str, Any]
    created_at: float
    started_at: float | None
    finished_at: float | None
    error: str | None
    result: dict[str, Any] | None
    pid: int | None
    cancel_requested: bool
    attempts: int
    first_started_at: float | None = None  # started_at is the latest attempt's start (after resumes)
    run_seconds: float = 0.0  # time spent running in attempts that have ended
    origin: str = SERVER  # EXTERNAL: read-only here, the run belongs to whoever made it

    def seconds_running(self, now: float) -> float:
        """Time spent running over all attempts, the one in progress included."""
        current = now - self.started_at if self.status is JobStatus.RUNNING and self.started_at else 0.0
        return self.run_seconds + max(0.0, current)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        return cls(
            id=row["id"],
            run_name=row["run_name"],
            status=JobStatus(row["status"]),
            request=json.loads(row["request"]),
            config=json.loads(row["config"]),
            created_at=row["created_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            error=row["error"],
            result=json.loads(row["result"]) if row["result"] else None,
            pid=row["pid"],
            cancel_requested=bool(row["cancel_requested"]),
            attempts=row["attempts"],
            first_started_at=row["first_started_at"],
            run_seconds=row["run_seconds"],
            origin=row["origin"],
        )


class JobStore:
    """Thread-safe access to the jobs table; every write is committed at once."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(_SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A jobs table from an older release gets the new columns, filled in from what it has."""
        present = {row["name"] for row in self._connection.execute("PRAGMA table_info(jobs)")}
        for name, (declaration, fill) in _ADDED_COLUMNS.items():
            if name in present:
                continue
            try:
                self._connection.execute(f"ALTER TABLE jobs ADD COLUMN {name} {declaration}")
            except sqlite3.OperationalError as error:  # a second server starting at the same time
                if "duplicate column" not in str(error):
                    raise
                continue
            self._connection.execute(fill)

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            yield self._connection.cursor()

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def create(self, run_name: str, request: dict[str, Any], config: dict[str, Any]) -> Job:
        job_id = uuid.uuid4().hex[:16]
        with self._cursor() as cursor:
            cursor.execute(
                "INSERT INTO jobs (id, run_name, status, request, config, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    run_name,
                    JobStatus.QUEUED.value,
                    json.dumps(request),
                    json.dumps(config),
                    time.time(),
                ),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def add_external(
        self, run_name: str, request: dict[str, Any], config: dict[str, Any], **values: Any
    ) -> Job:
        """Register a run made outside this server (read-only here), then set its status and times."""
        job_id = uuid.uuid4().hex[:16]
        created = float(values.get("started_at") or time.time())
        with self._cursor() as cursor:
            cursor.execute(
                "INSERT INTO jobs (id, run_name, status, request, config, created_at, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    run_name,
                    values["status"].value,
                    json.dumps(request),
                    json.dumps(config),
                    created,
                    EXTERNAL,
                ),
            )
        return self.update(job_id, **values)

    def external(self) -> list[Job]:
        with self._cursor() as cursor:
            rows = cursor.execute("SELECT * FROM jobs WHERE origin = ?", (EXTERNAL,)).fetchall()
        return [Job.from_row(row) for row in rows]

    def run_names(self) -> set[str]:
        with self._cursor() as cursor:
            return {row[0] for row in cursor.execute("SELECT run_name FROM jobs")}

    def get(self, job_id: str) -> Job | None:
        with self._cursor() as cursor:
            row = cursor.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row) if row else None

    def by_run_name(self, run_name: str) -> Job | None:
        with self._cursor() as cursor:
            row = cursor.execute("SELECT * FROM jobs WHERE run_name = ?", (run_name,)).fetchone()
        return Job.from_row(row) if row else None

    def page(self, offset: int, limit: int, status: JobStatus | None = None) -> tuple[list[Job], int]:
        """Newest first, and the total count (for paging)."""
        where, args = ("WHERE status = ?", [status.value]) if status else ("", [])
        with self._cursor() as cursor:
            total = cursor.execute(f"SELECT COUNT(*) FROM jobs {where}", args).fetchone()[0]
            rows = cursor.execute(
                f"SELECT * FROM jobs {where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return [Job.from_row(row) for row in rows], int(total)

    def with_status(self, *statuses: JobStatus) -> list[Job]:
        marks = ",".join("?" for _ in statuses)
        with self._cursor() as cursor:
            rows = cursor.execute(
                f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY created_at, rowid",
                [s.value for s in statuses],
            ).fetchall()
        return [Job.from_row(row) for row in rows]

    def update(self, job_id: str, **values: Any) -> Job:
        """Set columns; dicts are stored as JSON and statuses as their value.

        Setting `started_at` also keeps the first start; setting `finished_at` on a running job adds
        that attempt's duration to `run_seconds` (SQLite reads the row as it was before the update).
        """
        allowed = {
            "config",
            "status",
            "started_at",
            "finished_at",
            "error",
            "result",
            "pid",
            "cancel_requested",
            "attempts",
        }
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown job column(s) {sorted(unknown)}")
        encoded = {
            key: json.dumps(value)
            if isinstance(value, dict)
            else value.value
            if isinstance(value, enum.Enum)
            else value
            for key, value in values.items()
        }
        assignments = [f"{key} = ?" for key in encoded]
        arguments = list(encoded.values())
        if values.get("started_at") is not None:
            assignments.append("first_started_at = COALESCE(first_started_at, ?)")
            arguments.append(values["started_at"])
        if values.get("finished_at") is not None:
            assignments.append(
                "run_seconds = run_seconds + CASE WHEN status = 'running' AND finished_at IS NULL"
                " AND started_at IS NOT NULL THEN MAX(0, ? - started_at) ELSE 0 END"
            )
            arguments.append(values["finished_at"])
        with self._cursor() as cursor:
            cursor.execute(f"UPDATE jobs SET {', '.join(assignments)} WHERE id = ?", [*arguments, job_id])
        job = self.get(job_id)
        assert job is not None
        return job

    def delete(self, job_id: str) -> None:
        with self._cursor() as cursor:
            cursor.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
