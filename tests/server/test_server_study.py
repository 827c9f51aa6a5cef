"""Live study views (importances, Pareto flags, TensorBoard), dataset checks and the sub-path redirect."""

from __future__ import annotations

import json
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from healthtune.server import ServerSettings, create_app

SMALL_JOB: dict[str, Any] = {
    "dataset_name": "digits", "trials": 2, "max_epochs_per_trial": 1, "batch_size": 64, "tensorboard": False,
}  # fmt: skip
PARETO_JOB: dict[str, Any] = {
    **SMALL_JOB, "run_name": "pareto_live", "mode": "pareto", "trials": 40, "plot_mode": "none",
    "tensorboard": True,
}  # fmt: skip


def settings(root: Path, **values: Any) -> ServerSettings:
    values.setdefault("allowed_hosts", ("testserver",))
    return ServerSettings(results_root=root / "results", log_dir=root / "logs", poll_seconds=0.1, **values)


def wait_until_ended(client: TestClient, job_id: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = str(client.get(f"/api/jobs/{job_id}").json()["status"])
        if status not in ("queued", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not end in {timeout} s")


def wait_for_complete(client: TestClient, job_id: str, count: int, timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(f"/api/jobs/{job_id}/status").json()
        if status["progress"]["complete"] >= count or status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish {count} trials in {timeout} s")


@pytest.fixture(scope="module")
def pareto_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Path]]:
    """A long pareto job with TensorBoard logs, caught while it trains (it is cancelled at teardown)."""
    root = tmp_path_factory.mktemp("pareto")
    with TestClient(create_app(settings(root))) as client:
        job_id = client.post("/api/optimize", json=PARETO_JOB).json()["id"]
        yield client, job_id, root
        client.post(f"/api/jobs/{job_id}/cancel")
        wait_until_ended(client, job_id)


def test_importances_are_computed_while_the_run_trains(pareto_live: tuple[TestClient, str, Path]) -> None:
    client, job_id, _ = pareto_live
    status = wait_for_complete(client, job_id, 2)
    assert status["status"] == "running", "the job should still train: it has 40 trials"
    out = client.get(f"/api/jobs/{job_id}/importances").json()
    assert out["complete_trials"] >= 2 and out["reason"] is None, out
    assert out["importances"] and sum(out["importances"].values()) == pytest.approx(1.0)
    assert list(out["importances"].values()) == sorted(out["importances"].values(), reverse=True)
    assert "score" in out["target"]


def test_tensorboard_starts_once_per_run_on_localhost(pareto_live: tuple[TestClient, str, Path]) -> None:
    client, job_id, _ = pareto_live
    wait_for_complete(client, job_id, 1)
    first = client.get(f"/api/jobs/{job_id}/tensorboard").json()
    assert first["reason"] is None and first["url"].startswith("http://127.0.0.1:"), first
    assert client.get(f"/api/jobs/{job_id}/tensorboard").json()["url"] == first["url"]  # reused
    with urllib.request.urlopen(first["url"] + "data/runs", timeout=60) as response:
        runs = json.loads(response.read())
    assert any(run.startswith("trial_") for run in runs), runs


def test_trials_flag_the_pareto_front_the_server_selects_from(
    pareto_live: tuple[TestClient, str, Path],
) -> None:
    import optuna

    from healthtune.run.selection import pareto_numbers

    client, job_id, root = pareto_live
    wait_for_complete(client, job_id, 2)
    live = client.get(f"/api/jobs/{job_id}/trials").json()
    assert any(t["pareto"] for t in live) and all(t["state"] == "complete" for t in live if t["pareto"])
    client.post(f"/api/jobs/{job_id}/cancel")
    assert wait_until_ended(client, job_id) == "cancelled"
    study = optuna.load_study(study_name="pareto_live", storage=f"sqlite:///{root / 'results/studies.db'}")
    trials = client.get(f"/api/jobs/{job_id}/trials").json()
    flagged = [t["number"] for t in trials if t["pareto"]]
    assert flagged == pareto_numbers(study)
    run = json.loads((root / "results/pareto_live/run.json").read_text(encoding="utf-8"))
    assert flagged == run["pareto_front"]
    assert client.get(f"/api/jobs/{job_id}").json()["result"]["best_trial"] in flagged
    detail = client.get(f"/api/jobs/{job_id}/trials/{flagged[0]}").json()
    assert detail["pareto"] is True
    rescored = client.post(f"/api/jobs/{job_id}/rescore", json={"accuracy_weight": 0.2}).json()
    assert [t["number"] for t in rescored["trials"] if t["pareto"]] == flagged
    assert rescored["best_trial"] in flagged


def test_tensorboard_off_and_unknown_jobs(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished  # SMALL_JOB trains with tensorboard=false
    out = client.get(f"/api/jobs/{job_id}/tensorboard").json()
    assert out["url"] is None and "tensorboard=false" in out["reason"]
    for path in ("/api/jobs/nope/tensorboard", "/api/jobs/nope/importances"):
        response = client.get(path)
        assert response.status_code == 404 and "nope" in response.json()["detail"]


def test_importances_of_a_finished_run_and_the_empty_state(
    finished: tuple[TestClient, str], client: TestClient
) -> None:
    done, job_id = finished
    out = done.get(f"/api/jobs/{job_id}/importances").json()
    assert out["complete_trials"] == 2 and out["min_trials"] == 2
    assert out["importances"] or out["reason"]
    queued = client.post("/api/optimize", json={**SMALL_JOB, "trials": 3}).json()["id"]
    empty = client.get(f"/api/jobs/{queued}/importances").json()
    assert empty["importances"] == {} and empty["complete_trials"] < 2
    assert "at least 2 finished trials" in empty["reason"]
    client.post(f"/api/jobs/{queued}/cancel")


def test_a_queued_job_never_touches_the_study_storage(tmp_path: Path) -> None:
    """Before a worker starts a run, reading its trials or importances must not create the storage:
    the worker creates the tables, and two processes creating them at once fail one of them."""
    client = TestClient(create_app(settings(tmp_path)))  # no lifespan: no supervisor, the job stays queued
    job_id = client.post("/api/optimize", json=SMALL_JOB).json()["id"]
    assert client.get(f"/api/jobs/{job_id}/trials").json() == []
    empty = client.get(f"/api/jobs/{job_id}/importances").json()
    assert empty["complete_trials"] == 0 and "at least 2" in empty["reason"]
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "queued"
    assert not (tmp_path / "results" / "studies.db").exists()


def test_rescore_keeps_the_pareto_flags(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished  # health mode: one objective, no Pareto front
    result = client.post(f"/api/jobs/{job_id}/rescore", json={"accuracy_weight": 0.7}).json()
    assert [t["pareto"] for t in result["trials"]] == [False, False]


def test_dataset_check_accepts_registry_names_and_the_users_own_data(tmp_path: Path) -> None:
    data = tmp_path / "data"  # the operator's data root: inside it, the check may say what is missing
    with TestClient(create_app(settings(tmp_path / "server", data_roots=(data,)))) as client:

        def check(name: str) -> dict[str, Any]:
            response = client.get("/api/datasets/check", params={"name": name})
            assert response.status_code == 200, response.text
            return dict(response.json())

        digits = check("digits")
        assert digits["valid"] and digits["source"] == "registry" and digits["architecture"] == "cnn"
        folder = data / "shapes"
        for label in ("circle", "square"):
            (folder / label).mkdir(parents=True)
        images = check(f"images:{folder}")
        assert images["valid"] and images["source"] == "images" and images["architecture"] == "cnn"
        table = data / "reviews.csv"
        table.write_text("label,text\npos,good film\nneg,bad film\n", encoding="utf-8")
        text = check(f"csv:{table}")
        assert text["source"] == "csv" and text["kind"] == "text" and text["architecture"] == "lstm"
        arrays, wrong = data / "arrays.npz", data / "wrong.npz"
        np.savez(arrays, x_train=np.zeros((4, 8, 8), np.uint8), y_train=np.arange(4) % 2)
        np.savez(wrong, images=np.zeros((4, 8, 8), np.uint8))
        npz = check(f"npz:{arrays}")
        assert npz["source"] == "npz" and npz["kind"] == "image" and npz["architecture"] == "cnn"
        for name, words in ((f"images:{data / 'missing'}", "does not exist"),
                            (f"images:{tmp_path}", "outside what this server may read"),
                            (f"images:{table}", "is not a directory"), ("mnsit", "valid names"),
                            (f"npz:{wrong}", "holds arrays ['images']; expected x_train, y_train")):  # fmt: skip
            refused = check(name)
            assert refused["valid"] is False and words in refused["message"] and refused["kind"] is None
            submitted = client.post("/api/optimize", json={**SMALL_JOB, "dataset_name": name})
            assert submitted.status_code == 422
            detail = submitted.json()["detail"][0]
            assert detail["loc"] == ["body", "dataset_name"] and detail["msg"] == refused["message"]
        assert client.get("/api/datasets/check", params={"name": ""}).status_code == 422


def test_the_sub_path_without_its_slash_redirects(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text(
        "<!doctype html><html><head><title>healthtune</title></head></html>", encoding="utf-8"
    )
    root = "/hyperparameter-tuning/demo"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI's own root_path= is deprecated (a UserWarning)
        app = create_app(settings(tmp_path, root_path=root, static_dir=static))
    with TestClient(app) as client:
        response = client.get(root, follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == f"{root}/"
        with_query = client.get(f"{root}?theme=dark", follow_redirects=False)
        assert with_query.headers["location"] == f"{root}/?theme=dark"
        page = client.get(root)  # followed
        assert page.status_code == 200 and "<title>healthtune</title>" in page.text
        assert str(page.url).endswith(f"{root}/")
        assert client.get(f"{root}/api/health").json()["status"] == "ok"
        assert client.get(f"{root}/openapi.json").json()["servers"] == [{"url": root}]
        assert client.get(f"{root}/jobs", follow_redirects=False).status_code == 200  # a client-side route
        # the page is told how far up its root is, so its relative assets load from any route
        for route, up in (("", "./"), ("/jobs", "./"), ("/jobs/ab12/trials/3", "../../../"), ("/a/b", "../")):
            assert f'window.__HEALTHTUNE_ROOT__ = "{up}"' in client.get(f"{root}{route}").text, route
        assert client.get(f"{root}/assets/index-stale.js").status_code == 404  # not index.html as a script
