"""A real `healthtune serve` process on a free port: live events, downloads, restart, cancel, crash."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.server.live import Server
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

JOB: dict[str, Any] = {
    "dataset_name": "digits", "trials": 3, "max_epochs_per_trial": 1, "plot_mode": "best", "tensorboard": False,
}  # fmt: skip


def worker_pids(job_id: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"healthtune.server.job_process" in command and job_id.encode() in command:
            pids.append(int(proc.name))
    return pids


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # the tests' own folders are the data roots: a server reads datasets only from roots and uploads
    running = Server(tmp_path_factory.mktemp("live"), data_roots=(tmp_path_factory.getbasetemp(),)).start()
    yield running
    running.stop()


def test_a_job_streams_its_events_and_its_model_downloads(server: Server, tmp_path: Path) -> None:
    job_id = server.post("/api/optimize", {**JOB, "run_name": "live"})["id"]
    events = server.events(job_id)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert events[0]["type"] == "run_started" and events[-1]["type"] == "run_finished"
    assert sum(e["type"] in ("trial_finished", "trial_pruned") for e in events) == 3
    assert server.events(job_id, after=seqs[-3]) == events[-2:]  # a reconnect gets only what it missed
    assert server.wait(job_id, "completed")["result"]["trials"] == 3

    model = httpx.get(f"{server.url}/api/download/{job_id}", timeout=30)
    path = tmp_path / "model.keras"
    path.write_bytes(model.content)
    import keras

    loaded = keras.saving.load_model(path)
    assert loaded.output_shape == (None, 10)
    bundle = zipfile.ZipFile(
        io.BytesIO(httpx.get(f"{server.url}/api/jobs/{job_id}/download", timeout=30).content)
    )
    assert {"optimized_model/summary.json", "optimized_model/metrics.json"} <= set(bundle.namelist())


def test_cancel_stops_a_running_job_within_seconds(server: Server) -> None:
    job_id = server.post(
        "/api/optimize", {**JOB, "run_name": "to_cancel", "trials": 5, "max_epochs_per_trial": 6}
    )["id"]
    server.wait_until_complete(job_id, 1)
    while not server.get(f"/api/jobs/{job_id}/status")["progress"]["running"]:
        time.sleep(0.2)
    asked = time.time()
    assert server.post(f"/api/jobs/{job_id}/cancel")["cancel_requested"] is True
    job = server.wait(job_id, "cancelled", timeout=120)
    events = server.events(job_id)
    stopped = next(e for e in events if e["type"] == "trial_failed" and e["data"]["reason"] == "cancelled")
    assert stopped["time"] - asked < 5, "the running trial must stop within seconds"
    assert not [e for e in events if e["type"] == "epoch_ended" and e["time"] > stopped["time"]]
    assert job["result"]["best_trial"] is not None  # the finished trial became the model
    assert httpx.get(f"{server.url}/api/download/{job_id}", timeout=30).status_code == 200
    progress = server.get(f"/api/jobs/{job_id}/status")["progress"]
    assert (progress["cut_short"], progress["failed"]) == (1, 0)  # the stopped trial is not a failure


def test_a_second_server_on_the_same_results_root_refuses_and_leaves_the_jobs_alone(
    server: Server, tmp_path: Path
) -> None:
    job_id = server.post("/api/optimize", {**JOB, "run_name": "owned", "max_epochs_per_trial": 40})["id"]
    deadline = time.monotonic() + 120
    while not worker_pids(job_id):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    workers = worker_pids(job_id)
    other = Server(tmp_path)  # another free port, the same results root
    second = subprocess.run(
        [sys.executable, "-m", "healthtune.cli", "serve", "--port", str(other.port),
         "--results-root", str(server.root / "results"), "--log-dir", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HEALTHTUNE_API_TOKEN": ""},
    )  # fmt: skip
    assert second.returncode == 1, second.stdout + second.stderr
    message = second.stderr.strip()
    assert len(message.splitlines()) == 1 and "already serving" in message, message
    assert str((server.root / "results").resolve()) in message
    job = server.get(f"/api/jobs/{job_id}")
    assert job["status"] == "running" and job["error"] is None and worker_pids(job_id) == workers
    with pytest.raises(httpx.ConnectError):  # it never listened
        httpx.get(f"{other.url}/api/health", timeout=5)
    server.post(f"/api/jobs/{job_id}/cancel")
    assert server.wait(job_id, "cancelled", "failed", timeout=120)["status"] == "cancelled"


def test_refused_event_streams_close_cleanly_with_a_code_and_a_reason(server: Server) -> None:
    log = server.root / "logs" / "healthtune.log"
    logged = log.stat().st_size
    for query, code, reason in [
        ("nope/events", 4404, "no job with id 'nope'"),
        ("nope/events?after=abc", 1008, "after must be an integer >= 0, got 'abc'"),
    ]:
        url = f"ws://127.0.0.1:{server.port}/api/jobs/{query}"
        with connect(url, open_timeout=10) as ws, pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None, query
        assert closed.value.rcvd.code == code and reason in closed.value.rcvd.reason, closed.value
    time.sleep(0.5)
    with log.open(encoding="utf-8") as text:
        text.seek(logged)
        new_lines = text.read()
    assert " ERROR " not in new_lines and "handshake" not in new_lines, new_lines


def test_a_crashed_worker_fails_its_job_and_the_server_keeps_serving(server: Server, tmp_path: Path) -> None:
    one_class = tmp_path / "images" / "only"
    one_class.mkdir(parents=True)
    from PIL import Image

    for index in range(4):
        Image.new("RGB", (8, 8), (index * 40, 0, 0)).save(one_class / f"{index}.png")
    broken = server.post(
        "/api/optimize", {**JOB, "run_name": "one_class", "dataset_name": f"images:{tmp_path / 'images'}"}
    )
    failed = server.wait(broken["id"], "failed", "completed")
    assert failed["status"] == "failed" and "class" in failed["error"]

    job_id = server.post("/api/optimize", {**JOB, "run_name": "killed", "max_epochs_per_trial": 40})["id"]
    deadline = time.monotonic() + 120
    while not worker_pids(job_id):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(3)
    for pid in worker_pids(job_id):
        os.kill(pid, signal.SIGKILL)
    job = server.wait(job_id, "failed")
    assert "SIGKILL" in job["error"]
    assert server.get("/api/health")["status"] == "ok"
    log = (server.root / "logs" / "healthtune.log").read_text(encoding="utf-8")
    assert f"job {job_id} (killed) failed" in log  # errors are logged with the job id


def test_a_restarted_server_marks_the_job_interrupted_and_resume_keeps_every_trial(tmp_path: Path) -> None:
    first = Server(tmp_path).start()
    job_id = first.post(
        "/api/optimize", {**JOB, "run_name": "restart", "trials": 3, "max_epochs_per_trial": 2}
    )["id"]
    first.wait_until_complete(job_id, 1)
    before = {t["number"]: t for t in first.get(f"/api/jobs/{job_id}/trials") if t["state"] == "complete"}
    first.kill()
    deadline = time.monotonic() + 10
    while worker_pids(job_id):  # the worker dies with its server
        assert time.monotonic() < deadline, "worker outlived the server"
        time.sleep(0.2)

    second = Server(tmp_path).start()
    try:
        assert second.get(f"/api/jobs/{job_id}")["status"] == "interrupted"
        # the truth about the dead run: nothing runs, the trial it cut short is counted as such,
        # and the best finished trial is already its model
        progress = second.get(f"/api/jobs/{job_id}/status")["progress"]
        trials = second.get(f"/api/jobs/{job_id}/trials")
        assert progress["running"] == 0 and not progress["running_trials"]
        assert "running" not in {t["state"] for t in trials}
        cut = [t["number"] for t in trials if t["failure_reason"] == "interrupted"]
        assert progress["cut_short"] == len(cut)
        assert second.get(f"/api/jobs/{job_id}/best-model")["summary"]["best_trial"] in before
        second.post(f"/api/jobs/{job_id}/resume")
        job = second.wait(job_id, "completed")
        after = {t["number"]: t for t in second.get(f"/api/jobs/{job_id}/trials")}
        for number, trial in before.items():  # nothing finished is lost or redone
            assert after[number]["state"] == "complete" and after[number]["metrics"] == trial["metrics"]
        assert sum(t["state"] in ("complete", "pruned") for t in after.values()) == 3
        # the trial cut off by the kill (if one was training) is failed as interrupted and redone
        assert {t["failure_reason"] for t in after.values() if t["state"] == "failed"} <= {"interrupted"}
        assert second.get(f"/api/jobs/{job_id}/status")["progress"]["cut_short"] == len(cut)
        assert job["attempts"] == 2
        # "started" is the first start, the time spent running covers both attempts, not the pause
        assert job["first_started_at"] < job["started_at"] < job["finished_at"]
        assert job["finished_at"] - job["started_at"] < job["run_seconds"]
        assert job["run_seconds"] < job["finished_at"] - job["first_started_at"]
    finally:
        second.stop()
