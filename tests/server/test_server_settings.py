"""ServerSettings validation and environment, the exposure warning, CORS."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthtune.core.exceptions import ConfigError
from healthtune.server import ServerSettings, create_app
from healthtune.server.serve import exposure_warning


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_concurrent_jobs": 0}, "max_concurrent_jobs must be >= 1"),
        ({"port": 70000}, "port must be in 1..65535"),
        ({"root_path": "demo/"}, "root_path must start with '/'"),
        ({"log_level": "LOUD"}, "log_level must be one of"),
        ({"max_upload_mb": 0}, "max_upload_mb must be an integer >= 1, got max_upload_mb=0"),
        ({"max_upload_mb": 1.5}, "max_upload_mb must be an integer >= 1"),
    ],
)
def test_bad_settings_name_the_field(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ServerSettings(**values)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEALTHTUNE_RESULTS_ROOT", str(tmp_path / "runs"))
    monkeypatch.setenv("HEALTHTUNE_API_TOKEN", "t")
    monkeypatch.setenv("HEALTHTUNE_CORS_ORIGINS", "http://a.example, http://b.example")
    monkeypatch.setenv("HEALTHTUNE_MAX_CONCURRENT_JOBS", "3")
    monkeypatch.setenv("HEALTHTUNE_MAX_UPLOAD_MB", "512")
    settings = ServerSettings.from_env(port=9000)
    assert settings.results_root == tmp_path / "runs" and settings.port == 9000
    assert settings.storage_url == f"sqlite:///{(tmp_path / 'runs' / 'studies.db').resolve()}"
    assert settings.cors_origins == ("http://a.example", "http://b.example")
    assert settings.api_token == "t" and settings.max_concurrent_jobs == 3
    assert settings.max_upload_bytes == 512 * 2**20 and settings.uploads_dir == tmp_path / "runs" / ".uploads"
    monkeypatch.setenv("HEALTHTUNE_PORT", "eighty")
    with pytest.raises(ConfigError, match="HEALTHTUNE_PORT must be an integer"):
        ServerSettings.from_env()


def test_a_public_address_without_a_token_gets_a_loud_warning() -> None:
    assert exposure_warning(ServerSettings()) is None
    assert exposure_warning(ServerSettings(host="0.0.0.0", api_token="t")) is None
    warning = exposure_warning(ServerSettings(host="0.0.0.0"))
    assert warning is not None and "HEALTHTUNE_API_TOKEN" in warning


def test_cors_is_off_by_default_and_configurable(tmp_path: Path) -> None:
    preflight = {"Origin": "http://ui.example", "Access-Control-Request-Method": "GET"}
    closed = ServerSettings(results_root=tmp_path / "a", log_dir=tmp_path, allowed_hosts=("testserver",))
    with TestClient(create_app(closed)) as client:
        assert "access-control-allow-origin" not in client.options("/api/health", headers=preflight).headers
    allowed = ServerSettings(
        results_root=tmp_path / "b",
        log_dir=tmp_path,
        cors_origins=("http://ui.example",),
        allowed_hosts=("testserver",),
    )
    with TestClient(create_app(allowed)) as client:
        response = client.options("/api/health", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "http://ui.example"


def test_logs_go_to_stdout_and_never_show_the_api_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from healthtune.server.serve import configure_logging

    configure_logging(ServerSettings(results_root=tmp_path, log_dir=tmp_path / "logs"))
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/api/jobs/x/ws?token=s3cret&after=4", "1.1", 101
    )
    logging.getLogger("uvicorn.error").info('"WebSocket /api/jobs/x/ws?token=s3cret" [accepted]')
    for handler in access.handlers:
        handler.flush()
    text = (tmp_path / "logs" / "healthtune.log").read_text()
    assert "s3cret" not in text and text.count("token=***") == 2 and "after=4" in text
    printed = capsys.readouterr()
    assert printed.out.count("token=***") == 2 and "s3cret" not in printed.out + printed.err


def test_security_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEALTHTUNE_RESULTS_ROOT", "runs")  # relative: stored absolute
    monkeypatch.setenv("HEALTHTUNE_DATA_ROOTS", f"/srv/data{os.pathsep}shared")
    monkeypatch.setenv("HEALTHTUNE_ALLOWED_HOSTS", "tune.example.org, *.lab.example")
    monkeypatch.setenv("HEALTHTUNE_MAX_REQUEST_KB", "64")
    monkeypatch.setenv("HEALTHTUNE_RUN_JOBS", "0")
    settings = ServerSettings.from_env()
    assert settings.results_root == tmp_path / "runs" and settings.results_root.is_absolute()
    assert settings.data_roots == (Path("/srv/data"), tmp_path / "shared")
    assert settings.readable_roots == (tmp_path / "runs" / ".uploads", Path("/srv/data"), tmp_path / "shared")
    assert settings.max_request_bytes == 64 * 1024 and settings.run_jobs is False
    for host in ("tune.example.org", "TUNE.example.org:443", "gpu1.lab.example", "tune.example.org."):
        assert settings.allows_host(host), host
    for host in ("localhost", "evil.example", "lab.example.evil", "", "tune.example.org.evil"):
        assert not settings.allows_host(host), host
    assert ServerSettings().allows_host("[::1]:8000") and ServerSettings().allows_host("localhost:8000")
    assert ServerSettings(host="192.168.1.5").allows_host("192.168.1.5:8000")  # the address it binds
    monkeypatch.setenv("HEALTHTUNE_RUN_JOBS", "maybe")
    with pytest.raises(ConfigError, match="HEALTHTUNE_RUN_JOBS must be 1 or 0"):
        ServerSettings.from_env()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_request_kb": 0}, "max_request_kb must be an integer >= 1, got max_request_kb=0"),
        ({"allowed_hosts": ()}, "allowed_hosts must name at least one host"),
        ({"run_jobs": "no"}, "run_jobs must be true or false"),
    ],
)
def test_bad_security_settings_name_the_field(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ServerSettings(**values)
