"""Runs made from the CLI or Python in the server's results root: listed, browsable, read-only; `healthtune dashboard`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthtune import OptimizationConfig, optimize
from healthtune.cli.serve import dashboard_target
from healthtune.core.exceptions import ConfigError
from healthtune.server import create_app
from healthtune.server.external_runs import sync_external_runs
from healthtune.server.jobs_store import JobStore


@pytest.fixture(scope="module")
def cli_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results root holding one ended run made through the Python API, as a CLI user leaves it."""
    root = tmp_path_factory.mktemp("external")
    results = root / "results"
    optimize(OptimizationConfig(dataset="digits", run_name="from_cli", results_root=results, trials=2,
                                max_epochs_per_trial=1, plot_mode="best", tensorboard=False, executor="inline"))  # fmt: skip
    (results / "not_a_run").mkdir()  # a folder without run.json is left alone
    return root


def test_a_cli_run_is_listed_browsable_and_read_only(cli_root: Path, settings_for: Any) -> None:
    with TestClient(create_app(settings_for(cli_root))) as client:
        page = client.get("/api/jobs").json()
        assert [job["run_name"] for job in page["items"]] == ["from_cli"]
        job = page["items"][0]
        assert job["origin"] == "external" and job["status"] == "completed" and job["has_model"]
        assert job["dataset"] == "digits" and job["result"]["trials"] == 2 and job["request"]["trials"] == 2
        job_id = job["id"]
        trials = client.get(f"/api/jobs/{job_id}/trials").json()
        assert len(trials) == 2
        best = job["result"]["best_trial"]
        detail = client.get(f"/api/jobs/{job_id}/trials/{best}")
        assert detail.status_code == 200 and detail.json()["health"]["metrics"]
        assert client.get(f"/api/jobs/{job_id}/status").json()["progress"]["complete"] == 2
        assert client.get(f"/api/jobs/{job_id}/best-model").status_code == 200
        for method, path, body in [("post", "cancel", None), ("post", "resume", None),
                                   ("post", "rescore", {"accuracy_weight": 0.5}), ("delete", "", None)]:  # fmt: skip
            url = f"/api/jobs/{job_id}/{path}".rstrip("/")
            response = getattr(client, method)(url, **({"json": body} if body else {}))
            assert response.status_code == 409, (path, response.text)
            assert "made outside this server" in response.json()["detail"]
        assert (cli_root / "results" / "from_cli" / "run.json").is_file()  # nothing was changed or deleted


def test_a_run_changed_outside_is_refreshed_and_listed_once(cli_root: Path, tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.db")
    try:
        assert sync_external_runs(store, cli_root / "results") == 1
        assert sync_external_runs(store, cli_root / "results") == 0  # already listed
        run_file = cli_root / "results" / "from_cli" / "run.json"
        original = run_file.read_text()
        data = json.loads(original)
        data["status"] = "cancelled"
        run_file.write_text(json.dumps(data))
        try:
            sync_external_runs(store, cli_root / "results")
            (job,) = store.external()
            assert job.status.value == "cancelled"
        finally:
            run_file.write_text(original)
        data["status"] = "running"  # a run still going is not listed until it ends
        (cli_root / "results" / "going").mkdir()
        (cli_root / "results" / "going" / "run.json").write_text(json.dumps({**data, "run_name": "going"}))
        assert sync_external_runs(store, cli_root / "results") == 0
    finally:
        store.close()


def test_dashboard_opens_a_results_root_or_one_run(cli_root: Path) -> None:
    results = cli_root / "results"
    assert dashboard_target(results) == (results.resolve(), None)
    assert dashboard_target(results / "from_cli") == (results.resolve(), "from_cli")
    with pytest.raises(ConfigError, match="path must be a results root or a run directory"):
        dashboard_target(results / "nope")
