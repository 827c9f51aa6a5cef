"""Security regressions against a real `healthtune serve --queue-only` with an API token: each test is
one attack that once worked (issue 19), and fails if it works again."""

from __future__ import annotations

import io
import json
import socket
import struct
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.server.live import Server
from websockets.sync.client import connect

from healthtune.server.jobs_store import JobStatus, JobStore

TOKEN = "s3cret-token-value"
JOB: dict[str, Any] = {"dataset_name": "digits", "trials": 1, "max_epochs_per_trial": 1}


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("allowed")
    (root / "news.csv").write_text("label,text\na,one text\nb,another text\na,more\nb,words\n")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, data_root: Path) -> Iterator[Server]:
    running = Server(
        tmp_path_factory.mktemp("attacked"), "--queue-only", token=TOKEN, data_roots=(data_root,)
    )
    running.start()
    yield running
    running.stop()


def _jobs(server: Server) -> int:
    total: int = server.get("/api/jobs")["total"]
    return total


def _stored_config(server: Server, job_id: str) -> dict[str, Any]:
    """The config the server keeps for a job (jobs.db): what its worker will run with."""
    store = JobStore(server.root / "results" / "jobs.db")
    try:
        job = store.get(job_id)
    finally:
        store.close()
    assert job is not None
    return job.config


def _locations(response: httpx.Response) -> list[list[Any]]:
    return [error["loc"] for error in response.json()["detail"]]


def test_a_job_cannot_read_a_file_outside_the_data_roots(server: Server, tmp_path: Path) -> None:
    before = _jobs(server)
    outside = tmp_path / "secret.csv"
    outside.write_text(f"HEALTHTUNE_API_TOKEN={TOKEN},x\n")
    for name in ("csv:/proc/self/environ", "csv:/etc/passwd", f"csv:{outside}", "images:/etc",
                 "/etc/passwd", "npz:../../../../etc/passwd", "texts:~"):  # fmt: skip
        response = server.request("POST", "/api/optimize", json={**JOB, "dataset_name": name})
        assert response.status_code == 422, (name, response.text)
        assert _locations(response) == [["body", "dataset_name"]]
        assert TOKEN not in response.text and "root:" not in response.text
    assert _jobs(server) == before  # nothing was queued
    assert TOKEN not in server.log()


def test_the_dataset_check_says_the_same_whether_a_path_exists_or_not(server: Server) -> None:
    answers = []
    for name in ("csv:/etc/passwd", "csv:/etc/no-such-file"):
        check = server.get(f"/api/datasets/check?name={name}")
        assert check["valid"] is False
        answers.append(check["message"].replace(name, "NAME"))
    assert answers[0] == answers[1]


def test_a_link_out_of_a_data_root_is_followed_before_the_check(server: Server, data_root: Path) -> None:
    (data_root / "escape.csv").symlink_to("/etc/passwd")
    refused = server.request(
        "POST", "/api/optimize", json={**JOB, "dataset_name": f"csv:{data_root}/escape.csv"}
    )
    assert refused.status_code == 422 and "root:" not in refused.text
    inside = server.request(
        "POST", "/api/optimize", json={**JOB, "dataset_name": f"csv:{data_root}/news.csv"}
    )
    assert inside.status_code == 202, inside.text
    assert inside.json()["dataset"] == f"csv:{data_root.resolve()}/news.csv"  # stored resolved


def test_other_host_names_are_refused_against_dns_rebinding(server: Server) -> None:
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        response = server.request("GET", "/api/health", headers={**server.headers, "Host": host})
        assert response.status_code == 400 and "HEALTHTUNE_ALLOWED_HOSTS" in response.json()["detail"]
    for host in ("127.0.0.1", f"localhost:{server.port}", "[::1]"):
        assert (
            server.request("GET", "/api/health", headers={**server.headers, "Host": host}).status_code == 200
        )
    assert _handshake(server.port, "evil.example").startswith("HTTP/1.1 403")  # a WebSocket too
    assert _handshake(server.port, "127.0.0.1").startswith("HTTP/1.1 101")


def _handshake(port: int, host: str) -> str:
    """The status line a WebSocket handshake sent with this Host header gets."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            f"GET /api/jobs/x/events?token={TOKEN} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        return connection.recv(4096).decode(errors="replace").splitlines()[0]


def test_run_names_cannot_take_the_storage_files(server: Server) -> None:
    for name in ("studies.db-journal", "studies.db", "jobs.db-wal", "STUDIES.DB-shm"):
        response = server.request("POST", "/api/optimize", json={**JOB, "run_name": name})
        assert response.status_code == 422, (name, response.text)
        assert _locations(response) == [["body", "run_name"]]


def test_a_job_an_older_version_let_collide_with_the_storage_deletes_cleanly(server: Server) -> None:
    store = JobStore(server.root / "results" / "jobs.db")
    try:
        job = store.create("studies.db-journal", {}, {"dataset": "digits", "mode": "health", "trials": 1})
        store.update(job.id, status=JobStatus.FAILED, error="cannot open storage_url: disk I/O error")
    finally:
        store.close()
    (server.root / "results" / "studies.db-journal").mkdir()
    assert server.request("DELETE", f"/api/jobs/{job.id}").status_code == 204
    assert not (server.root / "results" / "studies.db-journal").exists()  # the storage works again
    assert server.request("GET", f"/api/jobs/{job.id}").status_code == 404


def test_request_bodies_are_bounded_before_they_are_parsed(server: Server) -> None:
    huge = {**JOB, "search_space_overrides": {"optimizer": ["adam"] * 400_000}}  # about 3 MB
    started = time.monotonic()
    response = server.request("POST", "/api/optimize", json=huge)
    assert response.status_code == 413 and "max_request_kb" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield json.dumps(huge).encode()

    chunked = server.request(
        "POST",
        "/api/optimize",
        content=chunks(),
        headers={**server.headers, "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    assert time.monotonic() - started < 20
    many = {**JOB, "search_space_overrides": {"optimizer": ["adam", "sgd"] * 50}}
    refused = server.request("POST", "/api/optimize", json=many)
    assert refused.status_code == 422 and "at most 64 choices" in refused.text
    repeated = server.request(
        "POST",
        "/api/optimize",
        json={**JOB, "search_space_overrides": {"optimizer": ["adam", "adam", "sgd"]}},
    )
    assert repeated.status_code == 202, repeated.text
    config = _stored_config(server, repeated.json()["id"])
    assert config["search_space_overrides"] == {"optimizer": {"choices": ["adam", "sgd"]}}


def _zip_claiming(entries: int) -> bytes:
    """A one-file zip whose zip64 end record claims `entries` entries."""
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        archive.writestr("a/x.txt", "x")
    data = body.getvalue()
    end = data.rfind(b"PK\x05\x06")
    directory_size, directory_at = struct.unpack("<II", data[end + 12 : end + 20])
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, directory_size,
                         directory_at)  # fmt: skip
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    tail = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, directory_size, directory_at, 0)
    return data[:end] + record + locator + tail


def test_a_zip_with_too_many_entries_is_refused_from_its_end_record(server: Server) -> None:
    started = time.monotonic()
    response = server.request(
        "POST", "/api/datasets/uploads", params={"filename": "bomb.zip"}, content=_zip_claiming(1_300_000)
    )
    assert response.status_code == 422 and "1300000 entries" in response.text, response.text
    assert time.monotonic() - started < 10
    assert server.get("/api/datasets/uploads") == []


def test_stored_paths_are_absolute(server: Server, data_root: Path) -> None:
    upload = server.request(
        "POST",
        "/api/datasets/uploads",
        params={"filename": "news.csv"},
        content=(data_root / "news.csv").read_bytes(),
    )
    assert upload.status_code == 201, upload.text
    name = upload.json()["dataset_name"]
    assert Path(name.split(":", 1)[1]).is_absolute()
    job = server.request("POST", "/api/optimize", json={**JOB, "dataset_name": name}).json()
    config = _stored_config(server, job["id"])
    assert Path(config["results_root"]).is_absolute() and config["dataset"] == name
    assert config["storage_url"].startswith("sqlite:////")


def test_the_token_never_reaches_the_log_however_it_is_spelled(server: Server) -> None:
    encoded = "".join(f"%{byte:02X}" for byte in TOKEN.encode())
    partly = f"{TOKEN[:4]}%{ord(TOKEN[4]):02X}{TOKEN[5:]}"
    for query in (f"tok%65n={TOKEN}", f"%74oken={encoded}", f"TOKEN={TOKEN}", f"x=1&token={partly}"):
        url = f"ws://127.0.0.1:{server.port}/api/jobs/nope/events?{query}"
        with connect(url, open_timeout=10) as ws, pytest.raises(Exception):  # noqa: B017 - closed: no such job
            ws.recv(timeout=10)
    time.sleep(0.5)
    log = server.log()
    assert "/api/jobs/nope/events" in log
    assert TOKEN not in log and encoded not in log and TOKEN[5:] not in log


def test_wrong_types_are_refused_not_coerced(server: Server) -> None:
    for field, value in (("trials", "3"), ("trials", True), ("max_model_mflops", False), ("tensorboard", 1),
                         ("validation_split", "0.2")):  # fmt: skip
        response = server.request("POST", "/api/optimize", json={**JOB, field: value})
        assert response.status_code == 422, (field, value)
        assert _locations(response) == [["body", field]]
    weights = server.request("POST", "/api/optimize", json={**JOB, "weights": {"accuracy_weight": "0.5"}})
    assert weights.status_code == 422


def test_every_error_has_one_format(server: Server) -> None:
    empty = server.request("POST", "/api/datasets/uploads", params={"filename": "x.zip"}, content=b"")
    bad_name = server.request("POST", "/api/datasets/uploads", params={"filename": "x.exe"}, content=b"x")
    junk = server.request("POST", "/api/datasets/uploads", params={"filename": "x.zip"}, content=b"not a zip")
    for response in (empty, bad_name, junk):
        assert response.status_code == 422 and isinstance(response.json()["detail"], list), response.text
    assert _locations(bad_name) == [["query", "filename"]]
    for response in (
        server.request("GET", "/api/jobs/nope"),
        server.request("GET", "/api/health", headers={}),
    ):
        assert isinstance(response.json()["detail"], str)


def test_the_schema_lists_every_answer_a_route_gives(server: Server) -> None:
    paths = server.get("/openapi.json")["paths"]
    answers = {(path, method): set(operation["responses"]) for path, item in paths.items()
               for method, operation in item.items()}  # fmt: skip
    for codes in answers.values():
        assert {"400", "401"} <= codes
    assert {"404", "409"} <= answers[("/api/jobs/{job_id}/cancel", "post")]
    assert {"409", "413", "422"} <= answers[("/api/optimize", "post")]
    assert {"413", "422"} <= answers[("/api/datasets/uploads", "post")]
    assert "404" in answers[("/api/jobs/{job_id}/trials/{number}", "get")]
    assert paths["/api/jobs/{job_id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
