"""RunPodClient and RunPodExecutor set-up: which API it speaks, and clear errors for missing settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.services import free_port

from healthtune import OptimizationConfig
from healthtune.core.exceptions import ConfigError, ExecutorError
from healthtune.executors import make_executor
from healthtune.executors.runpod_client import RunPodClient


def test_an_endpoint_id_speaks_the_cloud_api_and_hides_the_key() -> None:
    client = RunPodClient("abc123", "secret-key")
    assert not client.local and client.base == "https://api.runpod.ai/v2/abc123"
    assert "secret-key" not in repr(client)


def test_a_url_speaks_the_local_test_api() -> None:
    client = RunPodClient("http://127.0.0.1:8080/")
    assert client.local and client.base == "http://127.0.0.1:8080"


def test_a_cloud_endpoint_needs_a_key() -> None:
    with pytest.raises(ValueError, match="api_key is required"):
        RunPodClient("abc123", None)


def test_an_unreachable_local_api_is_an_executor_error() -> None:
    with pytest.raises(ExecutorError, match=r"RunPod GET http://127\.0\.0\.1:\d+/openapi\.json failed"):
        RunPodClient(f"http://127.0.0.1:{free_port()}").check()


def config(tmp_path: Path, **values: object) -> OptimizationConfig:
    return OptimizationConfig(dataset="digits", results_root=tmp_path, executor="runpod", **values)  # type: ignore[arg-type]


def test_runpod_without_an_endpoint_names_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNPOD_ENDPOINT_ID", raising=False)
    with pytest.raises(ConfigError, match=r"needs runpod_endpoint .* or the RUNPOD_ENDPOINT_ID"):
        make_executor(config(tmp_path))


def test_a_cloud_endpoint_without_a_key_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNPOD_API_KEY", raising=False)
    monkeypatch.setenv("RUNPOD_ENDPOINT_ID", "abc123")
    with pytest.raises(ConfigError, match=r"endpoint .abc123. needs the RUNPOD_API_KEY environment variable"):
        make_executor(config(tmp_path))
