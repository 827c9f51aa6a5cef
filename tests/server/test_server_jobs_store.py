"""The jobs table: time spent running summed over resumed attempts, and tables from older releases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from healthtune.server.jobs_store import JobStatus, JobStore


def test_run_seconds_add_up_every_attempt_and_the_first_start_is_kept(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.db")
    job = store.create("resumed", {}, {})
    assert job.first_started_at is None and job.seconds_running(now=1000.0) == 0.0

    store.update(job.id, status=JobStatus.RUNNING, started_at=100.0, finished_at=None)
    assert store.get(job.id).seconds_running(now=110.0) == 10.0  # type: ignore[union-attr]
    job = store.update(job.id, status=JobStatus.CANCELLED, finished_at=130.0)
    assert (job.first_started_at, job.run_seconds) == (100.0, 30.0)

    store.update(job.id, status=JobStatus.QUEUED, finished_at=None)  # resume
    store.update(job.id, status=JobStatus.RUNNING, started_at=500.0, finished_at=None)
    job = store.update(job.id, status=JobStatus.COMPLETED, finished_at=520.0)
    assert (job.first_started_at, job.started_at, job.run_seconds) == (100.0, 500.0, 50.0)
    assert job.seconds_running(now=9999.0) == 50.0, "an ended job's time does not grow"

    job = store.update(job.id, finished_at=600.0)  # a later write to an ended job adds nothing
    assert job.run_seconds == 50.0


def test_a_queued_job_cancelled_before_it_started_ran_for_no_time(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.db")
    job = store.create("never-ran", {}, {})
    job = store.update(job.id, status=JobStatus.CANCELLED, finished_at=50.0)
    assert job.run_seconds == 0.0 and job.first_started_at is None


def test_a_jobs_table_from_an_older_release_gets_the_new_columns_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE jobs (id TEXT PRIMARY KEY, run_name TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
            request TEXT NOT NULL, config TEXT NOT NULL, created_at REAL NOT NULL, started_at REAL,
            finished_at REAL, error TEXT, result TEXT, pid INTEGER,
            cancel_requested INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0);
        """
    )
    rows = [("a", "done", "completed", 10.0, 25.0), ("b", "waiting", "queued", None, None)]
    for job_id, name, status, started, finished in rows:
        old.execute(
            "INSERT INTO jobs (id, run_name, status, request, config, created_at, started_at, finished_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, name, status, json.dumps({}), json.dumps({"trials": 3}), 1.0, started, finished),
        )
    old.commit()
    old.close()

    store = JobStore(path)
    done, waiting = store.get("a"), store.get("b")
    assert done is not None and (done.first_started_at, done.run_seconds) == (10.0, 15.0)
    assert waiting is not None and (waiting.first_started_at, waiting.run_seconds) == (None, 0.0)
    assert done.config == {"trials": 3}, "nothing stored is lost"
    store.close()
    JobStore(path).close()  # opening it again changes nothing
