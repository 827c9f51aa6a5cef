"""One live server per results root: a second one refuses to start and leaves the jobs alone."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthtune.server import create_app
from healthtune.server.lock import ResultsRootInUse, ServerStartError
from healthtune.server.serve import bind_socket


def test_a_second_server_on_the_same_results_root_refuses_and_leaves_the_jobs_alone(
    tmp_path: Path, settings_for: Any, running_left: Any, fake_worker: Any
) -> None:
    settings = settings_for(tmp_path)
    job_id = running_left(settings, "owned")
    worker = fake_worker(settings, job_id)
    with TestClient(create_app(settings)) as first:
        before = first.get(f"/api/jobs/{job_id}").json()
        assert before["status"] == "running"
        message = re.escape(str(settings.results_root.resolve()))
        second = TestClient(create_app(settings))
        with pytest.raises(ResultsRootInUse, match=f"already serving {message}"):
            second.__enter__()  # runs the app's startup, which must refuse
        after = first.get(f"/api/jobs/{job_id}").json()
        # run_seconds of a running job is live: it grows, everything else is untouched
        assert after.pop("run_seconds") >= before.pop("run_seconds")
        assert after == before  # not interrupted, not touched
        assert worker.poll() is None
        assert first.get("/api/health").json()["jobs_running"] == 1
    # the first server stopped (and interrupted the job it followed): the root is free again
    with TestClient(create_app(settings)) as again:
        assert again.get(f"/api/jobs/{job_id}").json()["status"] == "interrupted"


def test_the_lock_names_its_holder_and_is_released_when_the_server_stops(
    tmp_path: Path, settings_for: Any
) -> None:
    settings = settings_for(tmp_path)
    app = create_app(settings)
    with TestClient(app):
        assert app.state.healthtune.lock.held
        assert settings.lock_file.read_text().strip().isdigit()  # the holder's pid, for the message
    assert not app.state.healthtune.lock.held


def test_a_taken_port_is_a_one_line_error_naming_the_address() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerStartError, match=f"cannot listen on 127.0.0.1:{port}: ") as error:
            bind_socket("127.0.0.1", port)
        assert "\n" not in str(error.value)
