"""Server fixtures: settings in a temporary results root, a TestClient, one finished digits job,
and stand-ins for the worker process of a job a previous server left running."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthtune.server import ServerSettings, create_app
from healthtune.server.jobs_store import JobStatus, JobStore

SMALL_JOB: dict[str, Any] = {
    "dataset_name": "digits",
    "trials": 2,
    "max_epochs_per_trial": 1,
    "batch_size": 64,
    "plot_mode": "best",
    "tensorboard": False,
}


TEST_HOSTS = ("testserver", "127.0.0.1", "localhost")
"""TestClient sends Host: testserver; a real server answers only the names it is told (allowed_hosts)."""


def make_settings(root: Path, **values: Any) -> ServerSettings:
    values.setdefault("allowed_hosts", TEST_HOSTS)
    return ServerSettings(results_root=root / "results", log_dir=root / "logs", poll_seconds=0.1, **values)


def wait_for_status(client: TestClient, job_id: str, *statuses: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not reach {statuses} in {timeout} s; last: {job}")


@pytest.fixture
def wait_for() -> Callable[..., dict[str, Any]]:
    return wait_for_status


@pytest.fixture
def small_job() -> dict[str, Any]:
    return dict(SMALL_JOB)


@pytest.fixture
def settings_for() -> Any:
    return make_settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A fresh server; its supervisor runs, so submitted jobs really train."""
    with TestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def finished_job(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, str, dict[str, Any]]]:
    """A server with one completed 2-trial digits job (health mode), trained once for every server
    test that only reads it or rescores it; also the weights it was trained with."""
    root = tmp_path_factory.mktemp("server")
    with TestClient(create_app(make_settings(root))) as test_client:
        job_id = test_client.post("/api/optimize", json={**SMALL_JOB, "run_name": "finished"}).json()["id"]
        job = wait_for_status(test_client, job_id, "completed", "failed")
        assert job["status"] == "completed", job
        yield test_client, job_id, job["weights"]


@pytest.fixture
def finished(finished_job: tuple[TestClient, str, dict[str, Any]]) -> tuple[TestClient, str]:
    """That job with its training weights in force again, whatever an earlier test rescored it to."""
    test_client, job_id, weights = finished_job
    response = test_client.post(f"/api/jobs/{job_id}/rescore", json=weights)
    assert response.status_code == 200, response.text
    return test_client, job_id


def left_running(settings: ServerSettings, run_name: str, pid: int | None = None) -> str:
    """A job that a previous server left `running` (in worker process `pid`); its id."""
    store = JobStore(settings.jobs_db)
    try:
        job = store.create(run_name, {}, {"dataset": "digits", "mode": "health", "trials": 2})
        store.update(job.id, status=JobStatus.RUNNING, pid=pid, started_at=time.time(), attempts=1)
    finally:
        store.close()
    return job.id


@pytest.fixture
def running_left() -> Callable[..., str]:
    return left_running


@pytest.fixture
def fake_worker() -> Iterator[Callable[[ServerSettings, str], subprocess.Popen[bytes]]]:
    """Starts a sleeping process whose command line is that of `job_id`'s worker (as the
    supervisor starts it: the module, then the job's absolute config path) and records it as the
    job's worker; killed afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def start(settings: ServerSettings, job_id: str) -> subprocess.Popen[bytes]:
        job_dir = (settings.jobs_dir / job_id).resolve()
        command = [sys.executable, "-c", "import time; time.sleep(600)", "healthtune.server.job_process",
                   str(job_dir / "config.json"), str(job_dir / "outcome.json")]  # fmt: skip
        started.append(subprocess.Popen(command))
        store = JobStore(settings.jobs_db)
        store.update(job_id, pid=started[-1].pid)
        store.close()
        return started[-1]

    yield start
    for process in started:
        process.kill()
        process.wait()
