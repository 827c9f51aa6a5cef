"""POST /api/jobs/{id}/predict: a finished job's best model classifies uploaded images ("Try the model")."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from tests.fashion import png_bytes

from healthtune import load_predictor
from healthtune.data import load_dataset


def test_uploaded_images_are_classified_like_the_python_predictor_does(
    finished: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, job_id = finished
    info = client.get(f"/api/jobs/{job_id}/predictor").json()
    assert info == {"kind": "image", "class_names": [str(i) for i in range(10)], "input_shape": [8, 8, 1]}
    digits = load_dataset("digits", validation_split=0.2, seed=0)
    images = [np.round(x[..., 0] * 255).astype(np.uint8) for x in digits.x_test[:3]]
    bigger = np.asarray(Image.fromarray(images[2]).resize((32, 32)).convert("RGB"))  # any size and colour
    files = [png_bytes(images[0]), png_bytes(images[1]), png_bytes(bigger)]
    body = {"images": ["data:image/png;base64," + base64.b64encode(files[0]).decode(),
                       *(base64.b64encode(f).decode() for f in files[1:])], "top": 2}  # fmt: skip
    response = client.post(f"/api/jobs/{job_id}/predict", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["kind"] == "image" and [p["index"] for p in result["predictions"]] == [0, 1, 2]
    assert all(len(p["top"]) == 2 for p in result["predictions"])

    run_dir = Path(client.app.state.healthtune.settings.results_root) / "finished"  # type: ignore[attr-defined]
    paths = []
    for i, data in enumerate(files):
        paths.append(tmp_path / f"{i}.png")
        paths[-1].write_bytes(data)
    expected = load_predictor(run_dir).predict_proba(paths)
    for prediction, row in zip(result["predictions"], expected, strict=True):
        assert prediction["top"][0]["label"] == str(int(np.argmax(row)))
        assert abs(prediction["top"][0]["probability"] - float(row.max())) < 1e-5


def test_bad_inputs_get_a_clear_422(finished: tuple[TestClient, str]) -> None:
    client, job_id = finished
    for body, words in (
        ({"texts": ["a digit"]}, "classifies images: send a non-empty images list, not texts"),
        ({"images": []}, "send a non-empty images list"),
        ({"images": ["not base64!"]}, "images[0] is not base64"),
        ({"images": [base64.b64encode(b"plain text").decode()]}, "images[0] is not an image file"),
        (
            {"images": [base64.b64encode(png_bytes(np.zeros((6000, 5000), np.uint8))).decode()]},
            "at most 25,000,000 pixels",
        ),
    ):
        response = client.post(f"/api/jobs/{job_id}/predict", json=body)
        assert response.status_code == 422 and words in response.json()["detail"][0]["msg"], response.text
    response = client.post(f"/api/jobs/{job_id}/predict", json={"images": ["x"] * 33})
    assert response.status_code == 422 and "images" in response.text
    assert client.post("/api/jobs/nope/predict", json={"images": ["x"]}).status_code == 404
