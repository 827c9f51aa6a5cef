"""The events WebSocket refuses a stream with a close code and a reason, never a failed handshake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from healthtune.server import create_app


def closed_with(client: TestClient, url: str) -> tuple[int, str]:
    """(code, reason) of a stream the server accepts and closes at once."""
    with client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return closed.value.code, closed.value.reason


def test_an_unknown_job_closes_with_4404(client: TestClient) -> None:
    assert closed_with(client, "/api/jobs/nope/events") == (4404, "no job with id 'nope'")
    code, reason = closed_with(client, f"/api/jobs/{'x' * 500}/events")
    assert code == 4404 and len(reason.encode()) <= 123  # a close frame's limit


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", ""])
def test_a_bad_after_closes_with_1008_naming_the_parameter(client: TestClient, after: str) -> None:
    code, reason = closed_with(client, f"/api/jobs/nope/events?after={after}")
    assert code == 1008 and reason == f"invalid parameter: after must be an integer >= 0, got {after!r}"


def test_a_valid_after_is_accepted_and_an_ended_job_closes_with_1000(
    tmp_path: Path, settings_for: Any, small_job: dict[str, Any]
) -> None:
    client = TestClient(create_app(settings_for(tmp_path)))  # no lifespan: the job stays queued
    job_id = client.post("/api/optimize", json=small_job).json()["id"]
    assert client.post(f"/api/jobs/{job_id}/cancel").json()["status"] == "cancelled"
    for query in ("", "?after=0", "?after=17"):
        assert closed_with(client, f"/api/jobs/{job_id}/events{query}") == (1000, "")
