"""Startup recovery: a job whose worker still trains is followed, never marked interrupted."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from healthtune.server import create_app


def test_recovery_follows_a_job_whose_worker_is_alive_and_interrupts_the_others(
    tmp_path: Path, settings_for: Any, running_left: Any, fake_worker: Any, small_job: dict[str, Any]
) -> None:
    settings = settings_for(tmp_path)
    alive = running_left(settings, "alive")
    worker = fake_worker(settings, alive)
    dead_process = subprocess.Popen(["true"])
    dead_process.wait()
    dead = running_left(settings, "dead", pid=dead_process.pid)
    stranger = running_left(settings, "stranger", pid=1)  # alive, but not this job's worker
    with TestClient(create_app(settings)) as client:
        job = client.get(f"/api/jobs/{alive}").json()
        assert job["status"] == "running" and job["error"] is None and job["finished_at"] is None
        for job_id in (dead, stranger):
            assert client.get(f"/api/jobs/{job_id}").json()["status"] == "interrupted"
        # still running: resume and delete are refused, as for any running job
        assert client.post(f"/api/jobs/{alive}/resume").status_code == 409
        assert client.delete(f"/api/jobs/{alive}").status_code == 409
        # the followed worker takes its slot (max_concurrent_jobs=1): a new job waits
        queued = client.post("/api/optimize", json={**small_job, "run_name": "waits"}).json()["id"]
        time.sleep(1)
        assert client.get(f"/api/jobs/{queued}").json()["status"] == "queued"
        assert client.post(f"/api/jobs/{queued}/cancel").json()["status"] == "cancelled"
        assert worker.poll() is None  # recovery left the worker alone


def test_a_followed_worker_is_finished_from_its_outcome_and_can_be_cancelled(
    tmp_path: Path, settings_for: Any, running_left: Any, fake_worker: Any, wait_for: Any
) -> None:
    settings = settings_for(tmp_path)
    done, cancelled = running_left(settings, "done"), running_left(settings, "cancelled")
    finishing, cancelling = fake_worker(settings, done), fake_worker(settings, cancelled)
    with TestClient(create_app(settings)) as client:
        outcome = {"status": "completed", "error": None, "result": {"best_trial": 1, "trials": 2}}
        (settings.jobs_dir / done / "outcome.json").parent.mkdir(parents=True, exist_ok=True)
        (settings.jobs_dir / done / "outcome.json").write_text(json.dumps(outcome), encoding="utf-8")
        finishing.kill()
        finishing.wait()
        job = wait_for(client, done, "completed", "failed", "interrupted", timeout=30)
        assert job["status"] == "completed" and job["result"]["best_trial"] == 1, job

        assert client.post(f"/api/jobs/{cancelled}/cancel").json()["cancel_requested"] is True
        assert cancelling.wait(timeout=30) == -signal.SIGTERM  # the worker was asked to stop
        job = wait_for(client, cancelled, "cancelled", "failed", "interrupted", timeout=30)
        assert job["status"] == "cancelled", job


def test_a_followed_worker_that_dies_without_an_outcome_fails_its_job(
    tmp_path: Path, settings_for: Any, running_left: Any, fake_worker: Any, wait_for: Any
) -> None:
    settings = settings_for(tmp_path)
    job_id = running_left(settings, "crashed")
    worker = fake_worker(settings, job_id)
    with TestClient(create_app(settings)) as client:
        assert client.get(f"/api/jobs/{job_id}").json()["status"] == "running"
        worker.kill()
        worker.wait()
        job = wait_for(client, job_id, "failed", "completed", "interrupted", timeout=30)
        assert job["status"] == "failed" and "without reporting a result" in job["error"], job
