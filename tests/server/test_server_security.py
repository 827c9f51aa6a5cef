"""Path traversal on every file route, and the API token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthtune.server import create_app

TRAVERSALS = [
    "../run.json", "..%2frun.json", "%2e%2e%2frun.json", "..%252frun.json", "/etc/passwd", "%2fetc%2fpasswd",
    "....//run.json", "confusion_matrix/../../run.json", "..\\run.json", "confusion_matrix.png%00.json",
    "confusion_matrix.txt", "model.keras",
]  # fmt: skip


@pytest.mark.parametrize("name", TRAVERSALS)
def test_file_routes_only_serve_names_from_their_lists(finished: tuple[TestClient, str], name: str) -> None:
    client, job_id = finished
    for path in (
        f"/api/jobs/{job_id}/trials/0/plots/{name}",
        f"/api/jobs/{job_id}/study-plots/{name}",
        f"/api/jobs/{name}/download",
        f"/api/download/{name}",
        f"/api/jobs/{name}/best-model",
        f"/api/jobs/{job_id}/trials/{name}/architecture",
    ):
        response = client.get(path)
        assert response.status_code in (404, 422), (path, response.status_code)
        assert b"root:" not in response.content and b'"run_name"' not in response.content


def test_trial_numbers_outside_the_run_are_404(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    for number in ("-1", "99", "0x0"):
        assert client.get(f"/api/jobs/{job_id}/trials/{number}/architecture").status_code in (404, 422)


def test_token_is_required_when_set(tmp_path: Path, settings_for: Any) -> None:
    with TestClient(create_app(settings_for(tmp_path, api_token="s3cret"))) as client:
        assert client.get("/api/health").status_code == 401
        assert client.get("/api/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = client.get("/api/health", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        from starlette.websockets import WebSocketDisconnect

        for url, code in [
            ("/api/jobs/x/events", 4401),
            ("/api/jobs/x/events?token=wrong", 4401),
            ("/api/jobs/x/events?token=s3cret", 4404),  # right token, unknown job
        ]:
            with client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == code, url
        assert client.get("/docs").status_code == 200  # the docs page holds no data


def test_errors_never_send_a_traceback(client: TestClient) -> None:
    response = client.post(
        "/api/optimize", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and "Traceback" not in response.text
