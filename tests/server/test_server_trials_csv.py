"""GET /api/jobs/{id}/trials.csv and the run's trials.csv: every trial as a row, rescores included."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fastapi.testclient import TestClient

from healthtune.health.metrics import METRIC_NAMES


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_trials_table_matches_the_trials_and_follows_a_rescore(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    trials = client.get(f"/api/jobs/{job_id}/trials").json()
    response = client.get(f"/api/jobs/{job_id}/trials.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="finished_trials.csv"'
    rows = _rows(response.text)
    assert [int(row["number"]) for row in rows] == [trial["number"] for trial in trials]
    for row, trial in zip(rows, trials, strict=True):
        assert row["state"] == trial["state"]
        for name, value in trial["params"].items():
            assert row[f"params_{name}"] == str(value)
        if trial["state"] == "complete":
            assert float(row["score"]) == trial["score"]
            assert float(row["test_accuracy"]) == trial["metrics"]["test_accuracy"]
            for name in METRIC_NAMES:
                assert float(row[f"health_{name}"]) == trial["metrics"]["health"][name]
            assert 0 <= float(row["health"]) <= 1

    run_dir = Path(client.app.state.healthtune.settings.results_root) / "finished"  # type: ignore[attr-defined]
    assert _rows((run_dir / "trials.csv").read_text()) == rows  # the run keeps the same table
    rescored = client.post(f"/api/jobs/{job_id}/rescore", json={"accuracy_weight": 1.0}).json()
    on_disk = {int(r["number"]): r["score"] for r in _rows((run_dir / "trials.csv").read_text())}
    for trial in rescored["trials"]:
        if trial["score"] is not None:
            assert float(on_disk[trial["number"]]) == trial["score"] == trial["metrics"]["val_accuracy"]
    assert client.get("/api/jobs/nope/trials.csv").status_code == 404
