"""Job routes with a real finished job: trials, plots, best model, downloads, rescore, and error paths."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"trials": 0}, "trials", "greater than or equal to 1"),
        ({"trials": 10001}, "trials", "less than or equal to 10000"),
        ({"max_epochs_per_trial": 1001}, "max_epochs_per_trial", "less than or equal to 1000"),
        ({"batch_size": 8193}, "batch_size", "less than or equal to 8192"),
        ({"concurrent_workers": 65}, "concurrent_workers", "less than or equal to 64"),
        ({"validation_split": 1.0}, "validation_split", "less than 1"),
        ({"validation_split": float("nan")}, "validation_split", "finite number"),
        ({"timeout_hours": float("inf")}, "timeout_hours", "finite number"),
        ({"validation_split": "0.2"}, "validation_split", "valid number"),  # never coerced from a string
        ({"run_name": "../escape"}, "run_name", "pattern"),
        ({"mode": "fast"}, "mode", "'simple', 'health' or 'pareto'"),
        ({"dataset_name": "nope"}, "dataset_name", "digits"),
        ({"weights": {"accuracy_weight": 0.9, "health_overall_weight": 0.5}}, "weights", "must be 1"),
        ({"search_space_overrides": {"wings": 2}}, "search_space_overrides", "unknown parameter 'wings'"),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
        ({"executor": "runpod"}, "executor", "RUNPOD_ENDPOINT_ID environment variable"),
    ],
)
def test_bad_requests_name_the_field(
    client: TestClient, body: dict[str, object], field: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNPOD_ENDPOINT_ID", raising=False)
    # json.dumps writes NaN and Infinity as JavaScript does; httpx's json= would refuse them
    sent = json.dumps(body)
    response = client.post("/api/optimize", content=sent, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(field in [str(part) for part in d["loc"]] and text in d["msg"] for d in detail), detail
    assert client.get("/api/jobs").json()["total"] == 0  # nothing was queued


def test_unknown_jobs_are_404_everywhere(client: TestClient) -> None:
    for method, path in [
        ("get", "/api/jobs/nope"), ("get", "/api/jobs/nope/status"), ("post", "/api/jobs/nope/cancel"),
        ("post", "/api/jobs/nope/resume"), ("delete", "/api/jobs/nope"), ("get", "/api/jobs/nope/trials"),
        ("get", "/api/jobs/nope/trials/0"), ("get", "/api/jobs/nope/best-model"), ("get", "/api/download/nope"),
        ("get", "/api/jobs/nope/download"), ("post", "/api/jobs/nope/rescore"), ("get", "/api/jobs/nope/events"),
    ]:  # fmt: skip
        kwargs = {"json": {}} if path.endswith("rescore") else {}
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
        assert "nope" in response.json()["detail"]


def test_finished_job_reports_trials_health_and_plots(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "completed" and job["result"]["best_model_file"].endswith(".keras")
    assert job["has_model"] is True and job["weights"]["accuracy_weight"] == 0.7
    status = client.get(f"/api/jobs/{job_id}/status").json()
    assert status["progress"]["complete"] == 2 and status["progress"]["running"] == 0
    assert status["progress"]["best_trial"] == job["result"]["best_trial"]
    trials = client.get(f"/api/jobs/{job_id}/trials").json()
    assert [t["state"] for t in trials] == ["complete", "complete"]
    best = job["result"]["best_trial"]
    detail = client.get(f"/api/jobs/{job_id}/trials/{best}").json()
    assert detail["has_model"] and detail["has_architecture"]
    assert set(detail["health"]["metrics"]) >= {"neuron_utilization", "gradient_health"}
    assert "confusion_matrix" in detail["plots"]  # plot_mode=best draws the best trial's plots
    listed = client.get(f"/api/jobs/{job_id}/trials/{best}/plots").json()["plots"]
    assert listed == detail["plots"]
    png = client.get(f"/api/jobs/{job_id}/trials/{best}/plots/confusion_matrix")
    assert (
        png.status_code == 200
        and png.headers["content-type"] == "image/png"
        and png.content[:4] == b"\x89PNG"
    )
    data = client.get(f"/api/jobs/{job_id}/trials/{best}/plots/confusion_matrix.json").json()
    assert data["plot"] == "confusion_matrix"
    graph = client.get(f"/api/jobs/{job_id}/trials/{best}/architecture").json()
    assert graph["cytoscape"]["elements"]["nodes"]
    history = client.get(f"/api/jobs/{job_id}/study-plots/optimization_history.json")
    assert history.status_code == 200
    events = client.get(f"/api/jobs/{job_id}/events").json()
    assert events[0]["type"] == "run_started" and events[-1]["type"] == "run_finished"
    later = client.get(f"/api/jobs/{job_id}/events", params={"after": events[-3]["seq"]}).json()
    assert later == events[-2:]


def test_a_trial_s_health_report_is_typed_and_a_damaged_field_is_left_out(
    finished: tuple[TestClient, str],
) -> None:
    client, job_id = finished
    state = client.app.state.healthtune  # type: ignore[attr-defined]
    report = client.get(f"/api/jobs/{job_id}/trials/0").json()["health"]
    assert set(report["gate"]) == {"gain", "chance", "learning_factor", "cap", "worst_severity", "learned"}
    assert all(f["severity"] in ("info", "warning", "critical") for f in report["findings"])
    path = state.run_paths(state.job(job_id)).trial(0).health
    stored = path.read_text()
    damaged = {**json.loads(stored), "findings": [{"severity": "fatal"}], "gate": "open"}
    try:
        path.write_text(json.dumps(damaged))
        response = client.get(f"/api/jobs/{job_id}/trials/0")
        assert response.status_code == 200, response.text
        served = response.json()["health"]
        assert served["findings"] == [] and served["gate"] is None  # the damaged fields, not the report
        assert served["metrics"] == report["metrics"]
    finally:
        path.write_text(stored)


def test_a_hand_edited_or_damaged_architecture_file_is_never_a_500(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    state = client.app.state.healthtune  # type: ignore[attr-defined]
    path = state.run_paths(state.job(job_id)).trial(0).architecture
    stored = path.read_text()
    try:
        path.write_text(stored.replace('"model_depth": ', '"nan_field": NaN, "model_depth": ', 1))
        response = client.get(f"/api/jobs/{job_id}/trials/0/architecture")
        assert response.status_code == 200 and response.json()["visualization"]["nan_field"] is None
        path.write_text(stored[: len(stored) // 2])
        assert client.get(f"/api/jobs/{job_id}/trials/0/architecture").status_code == 404
    finally:
        path.write_text(stored)


def test_best_model_and_downloads(finished: tuple[TestClient, str], tmp_path: Path) -> None:
    client, job_id = finished
    best = client.get(f"/api/jobs/{job_id}/best-model").json()
    assert best["model_file"].startswith("optimized_digits_acc_") and best["architecture"]["cytoscape"]
    attachment = client.get(f"/api/jobs/{job_id}/best-model/download")
    assert "attachment" in attachment.headers["content-disposition"]
    assert json.loads(attachment.content)["summary"] == best["summary"]
    model = client.get(f"/api/download/{job_id}")
    assert model.status_code == 200 and best["model_file"] in model.headers["content-disposition"]
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job_id}/download").content))
    names = set(bundle.namelist())
    assert f"optimized_model/{best['model_file']}" in names and "optimized_model/summary.json" in names
    assert any(n.startswith("optimized_model/plots/") for n in names)
    assert any(n.startswith("study_plots/") for n in names)
    assert "trials.csv" in names


def test_what_health_bought_is_served_and_follows_a_rescore(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    bought = client.get(f"/api/jobs/{job_id}/health-bought").json()
    best = client.get(f"/api/jobs/{job_id}").json()["result"]["best_trial"]
    assert bought["chosen"]["trial"] == best and bought["chosen"]["measured"]
    assert 0 <= bought["chosen"]["calibration_error"] <= 1 and set(bought["chosen"]["corruptions"]) >= {
        "blur"
    }
    assert bought["summary"].startswith(("Trial", "Health-aware"))
    rescored = client.post(f"/api/jobs/{job_id}/rescore", json={"accuracy_weight": 1.0}).json()
    assert rescored["health_bought"]["chosen"]["trial"] == rescored["best_trial"]
    assert rescored["health_bought"]["same_trial"]  # accuracy alone picks the accuracy-only pick
    assert client.get("/api/jobs/nope/health-bought").status_code == 404


def test_status_carries_the_baselines_and_the_verdict(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    progress = client.get(f"/api/jobs/{job_id}/status").json()["progress"]
    assert [b["name"] for b in progress["baselines"]] == ["majority", "linear"]
    verdict = progress["baseline_verdict"]
    assert verdict["linear_val_accuracy"] == progress["baselines"][1]["val_accuracy"]
    assert verdict["beats_linear"] == (progress["best_val_accuracy"] > verdict["linear_val_accuracy"])


def test_state_changes_that_make_no_sense_are_409(
    finished: tuple[TestClient, str], small_job: dict[str, object]
) -> None:
    client, job_id = finished
    assert client.post(f"/api/jobs/{job_id}/resume").status_code == 409
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 409
    taken = client.post("/api/optimize", json={**small_job, "run_name": "finished"})
    assert taken.status_code == 409 and "finished" in taken.json()["detail"]


def test_rescore_picks_a_new_best_without_training(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    for weights in ({"accuracy_weight": 1.0}, {"accuracy_weight": 0.0}):
        result = client.post(f"/api/jobs/{job_id}/rescore", json=weights).json()
        scores = {t["number"]: t["score"] for t in result["trials"]}
        assert result["best_score"] == max(scores.values())
        job = client.get(f"/api/jobs/{job_id}").json()
        assert job["result"]["best_trial"] == result["best_trial"]
        assert job["weights"]["accuracy_weight"] == weights["accuracy_weight"]  # in force after the rescore
        progress = client.get(f"/api/jobs/{job_id}/status").json()["progress"]
        assert (progress["best_trial"], progress["best_score"]) == (
            result["best_trial"],
            result["best_score"],
        )
        best = next(t for t in result["trials"] if t["number"] == result["best_trial"])
        assert progress["best_val_accuracy"] == best["metrics"]["val_accuracy"]
    bad = client.post(f"/api/jobs/{job_id}/rescore", json={"accuracy_weight": 2})
    assert bad.status_code == 422


def test_rescore_errors_are_fastapis_list_naming_the_field(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    for body, loc, text in [
        ({"accuracy_weight": 0.5, "health_overall_weight": 0.2}, ["body", "accuracy_weight"], "must be 1"),
        ({"health_component_proportions": {"x": 1}}, ["body", "health_component_proportions"], "'x'"),
        ({"accuracy_weight": 2}, ["body", "accuracy_weight"], "less than or equal to 1"),  # the schema's
    ]:
        response = client.post(f"/api/jobs/{job_id}/rescore", json=body)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail[0]["loc"] == loc and text in detail[0]["msg"], detail


def test_rescore_keeps_the_weights_it_is_not_given(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    defaults = client.get("/api/default-scoring-weights").json()["health_component_proportions"]
    first, *others = sorted(defaults)
    proportions = {first: 1.0, **{name: 0.0 for name in others}}

    def rescored(body: dict[str, object]) -> dict[str, object]:
        response = client.post(f"/api/jobs/{job_id}/rescore", json=body)
        assert response.status_code == 200, response.text
        weights: dict[str, object] = client.get(f"/api/jobs/{job_id}").json()["weights"]
        return weights

    set_both = rescored({"accuracy_weight": 0.4, "health_component_proportions": proportions})
    assert set_both["accuracy_weight"] == 0.4 and set_both["health_component_proportions"] == proportions
    assert rescored({}) == set_both  # nothing given: the weights in force stay
    health_only = rescored({"health_overall_weight": 0.1})  # the pair moves together
    assert health_only["accuracy_weight"] == pytest.approx(0.9)
    assert health_only["health_component_proportions"] == proportions
    back = rescored({"health_component_proportions": defaults})
    assert back["accuracy_weight"] == pytest.approx(0.9) and back["health_component_proportions"] == defaults


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"conv_blocks": "abc"}, ["body", "search_space_overrides", "conv_blocks"]),
        ({"optimizer": "bogus"}, ["body", "search_space_overrides", "optimizer"]),
        ({"conv_blocks": {"low": 5, "high": 1}}, ["body", "search_space_overrides", "conv_blocks"]),
        ({"wings": 2}, ["body", "search_space_overrides", "wings"]),
    ],
)
def test_search_space_errors_point_at_the_parameter(
    client: TestClient, overrides: dict[str, object], loc: list[str]
) -> None:
    response = client.post("/api/optimize", json={"search_space_overrides": overrides})
    assert response.status_code == 422, response.text
    assert [d["loc"] for d in response.json()["detail"]] == [loc]


def test_jobs_are_paged_newest_first_and_deleted_with_their_files(
    client: TestClient, tmp_path: Path, small_job: dict[str, object]
) -> None:
    ids = [
        client.post("/api/optimize", json={**small_job, "run_name": f"queued_{i}"}).json()["id"]
        for i in range(3)
    ]
    statuses = [client.get(f"/api/jobs/{job_id}").json()["status"] for job_id in ids]
    assert statuses.count("running") <= 1 and statuses.count("queued") >= 2  # max_concurrent_jobs=1
    early = client.get(f"/api/download/{ids[-1]}")
    assert early.status_code == 409
    assert (
        early.json()["detail"]
        == f"job {ids[-1]} is queued: its optimized model is saved when the job completes"
    )
    # cancel the queue before it trains: the first may already run, the others are still queued
    for job_id in reversed(ids):
        client.post(f"/api/jobs/{job_id}/cancel")
    page = client.get("/api/jobs", params={"limit": 2}).json()
    assert page["total"] == 3 and [j["id"] for j in page["items"]] == ids[::-1][:2]
    assert client.get("/api/jobs", params={"limit": 0}).status_code == 422
    last = ids[-1]
    assert client.get(f"/api/jobs/{last}").json()["status"] == "cancelled"
    for path in ("/api/download/{}", "/api/jobs/{}/download", "/api/jobs/{}/best-model"):
        missing = client.get(path.format(last))
        assert missing.status_code == 404
        assert (
            missing.json()["detail"]
            == f"job {last} (cancelled) has no optimized model: none of its trials finished"
        )
    assert client.delete(f"/api/jobs/{last}").status_code == 204
    assert client.get(f"/api/jobs/{last}").status_code == 404
    assert not (tmp_path / "results" / "queued_2").exists()
