"""POST /api/datasets/uploads: a zipped image folder is stored, listed, trained on by name, and deleted."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.fashion import clothes_folder

from healthtune.server import create_app


def _zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_uploaded_image_folder_trains_and_cannot_be_deleted_while_in_use(
    client: TestClient,
    shared_datasets: Path,
    small_job: dict[str, Any],
    wait_for: Callable[..., dict[str, Any]],
) -> None:
    body = _zipped(clothes_folder(shared_datasets, prefix="clothes/", per_class=30))
    response = client.post("/api/datasets/uploads", params={"filename": "clothes.zip"}, content=body)
    assert response.status_code == 201, response.text
    upload = response.json()
    assert upload["classes"] == ["Bag", "Trouser"] and upload["examples"] == 60
    assert (upload["kind"], upload["size_bytes"]) == ("image", len(body))
    assert client.get("/api/datasets/uploads").json() == [upload]
    check = client.get("/api/datasets/check", params={"name": upload["dataset_name"]}).json()
    assert check["valid"] and check["architecture"] == "cnn"

    job = client.post(
        "/api/optimize", json={**small_job, "dataset_name": upload["dataset_name"], "trials": 1}
    )
    assert job.status_code == 202, job.text
    busy = client.delete(f"/api/datasets/uploads/{upload['upload_id']}")
    assert busy.status_code == 409 and "cancel it or let it finish" in busy.json()["detail"]
    finished = wait_for(client, job.json()["id"], "completed", "failed")
    assert finished["status"] == "completed", finished
    classes = client.get(f"/api/jobs/{finished['id']}/predictor").json()["class_names"]
    assert classes == ["Bag", "Trouser"]

    assert client.delete(f"/api/datasets/uploads/{upload['upload_id']}").status_code == 204
    assert client.get("/api/datasets/uploads").json() == []
    assert client.delete(f"/api/datasets/uploads/{upload['upload_id']}").status_code == 404


def test_uploads_over_the_limit_or_without_a_dataset_are_refused_and_leave_nothing(
    tmp_path: Path, settings_for: Callable[..., Any]
) -> None:
    settings = settings_for(tmp_path, max_upload_mb=1)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").json()["max_upload_mb"] == 1
        big = client.post("/api/datasets/uploads", params={"filename": "big.zip"}, content=bytes(2 * 2**20))
        assert big.status_code == 413 and "upload limit of 1 MB (max_upload_mb)" in big.json()["detail"]

        wrong = client.post("/api/datasets/uploads", params={"filename": "pets.rar"}, content=b"x")
        assert (
            wrong.status_code == 422
            and "filename must end in one of .zip" in wrong.json()["detail"][0]["msg"]
        )
        empty = client.post("/api/datasets/uploads", params={"filename": "pets.zip"}, content=b"")
        assert empty.status_code == 422 and "body is empty" in empty.json()["detail"][0]["msg"]
        notes = _zipped({"notes/a.txt": b"hello", "notes/b.txt": b"world"})
        useless = client.post("/api/datasets/uploads", params={"filename": "notes.zip"}, content=notes)
        assert useless.status_code == 422 and "holds no dataset" in useless.json()["detail"][0]["msg"]
        missing = client.post("/api/datasets/uploads", content=notes)
        assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "filename"]

    assert list(settings.uploads_dir.iterdir()) == []  # no upload folder, no half-received file


def test_a_starting_server_drops_uploads_a_previous_one_was_cut_off_in(
    tmp_path: Path, settings_for: Callable[..., Any], shared_datasets: Path
) -> None:
    settings = settings_for(tmp_path)
    with TestClient(create_app(settings)) as client:
        body = _zipped(clothes_folder(shared_datasets, prefix="clothes/", per_class=3))
        kept = client.post("/api/datasets/uploads", params={"filename": "clothes.zip"}, content=body).json()
    (settings.uploads_dir / ".incoming-abc").write_bytes(b"half a file")
    (settings.uploads_dir / "half" / "half" / "cats").mkdir(parents=True)  # unpacking, no record yet
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/datasets/uploads").json() == [kept]
    assert sorted(p.name for p in settings.uploads_dir.iterdir()) == ["clothes"]
