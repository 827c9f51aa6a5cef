"""load_predictor: a run's best model on raw images and texts reproduces the run's test accuracy exactly."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.fashion import CLASS_NAMES, fashion_mnist

import healthtune
from healthtune import OptimizationConfig, load_predictor
from healthtune.cli.commands import main
from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.run.results import OptimizationResult

QUICK = {
    "trials": 1,
    "max_epochs_per_trial": 2,
    "executor": "inline",
    "plot_mode": "none",
    "tensorboard": False,
}


@pytest.fixture(scope="module")
def fashion_arrays(shared_datasets: Path) -> dict[str, np.ndarray]:
    x, y = fashion_mnist(shared_datasets, "t10k", 700)
    return {"x_train": x[:500], "y_train": y[:500], "x_test": x[500:], "y_test": y[500:]}


@pytest.fixture(scope="module")
def image_run(
    fashion_arrays: dict[str, np.ndarray], tmp_path_factory: pytest.TempPathFactory
) -> OptimizationResult:
    root = tmp_path_factory.mktemp("image_run")
    np.savez(root / "fashion.npz", **fashion_arrays, class_names=np.array(CLASS_NAMES))
    config = OptimizationConfig(
        dataset=f"npz:{root / 'fashion.npz'}", results_root=root / "results", **QUICK,  # type: ignore[arg-type]
        search_space_overrides={"filters": 8, "dense_units": 64, "batch_norm": False, "lr_schedule": "constant"},
    )  # fmt: skip
    return healthtune.optimize(config)


def test_an_image_run_predicts_raw_pixels_as_it_was_tested(
    image_run: OptimizationResult, fashion_arrays: dict[str, np.ndarray]
) -> None:
    predictor = load_predictor(image_run.run_dir)
    assert predictor.kind == "image" and predictor.class_names == CLASS_NAMES
    labels = predictor.predict(fashion_arrays["x_test"])  # uint8 (n, 28, 28), as the user holds them
    accuracy = np.mean(
        [label == CLASS_NAMES[y] for label, y in zip(labels, fashion_arrays["y_test"], strict=True)]
    )
    assert image_run.best_trial is not None
    assert accuracy == pytest.approx(image_run.best_trial.metrics["test_accuracy"], abs=1e-9)
    record = json.loads((image_run.run_dir / "optimized_model" / "preprocessing.json").read_text())
    assert record["image"]["color_mode"] == "grayscale" and record["input_shape"] == [28, 28, 1]


def test_image_files_of_any_size_and_colour_are_prepared_like_the_training_images(
    image_run: OptimizationResult, fashion_arrays: dict[str, np.ndarray], tmp_path: Path
) -> None:
    predictor = load_predictor(image_run.run_dir / "optimized_model")
    same = tmp_path / "same.png"
    Image.fromarray(fashion_arrays["x_test"][0]).save(same)
    bigger = tmp_path / "bigger.jpg"
    Image.fromarray(fashion_arrays["x_test"][1]).convert("RGB").resize((56, 56)).save(bigger, quality=95)
    probabilities = predictor.predict_proba([same, str(bigger), Image.open(same)])
    assert probabilities.shape == (3, 10) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(
        probabilities[0], predictor.predict_proba(fashion_arrays["x_test"][:1])[0], atol=1e-6
    )
    np.testing.assert_allclose(probabilities[2], probabilities[0], atol=1e-6)
    rgb_batch = np.stack([np.asarray(Image.open(bigger))] * 2)  # (2, 56, 56, 3): converted per image
    np.testing.assert_allclose(predictor.predict_proba(rgb_batch)[0], probabilities[1], atol=1e-6)
    with pytest.raises(DatasetError, match="no images"):
        predictor.predict([])
    with pytest.raises(DatasetError, match=r"pixel values -1\.\.1"):
        predictor.predict(np.linspace(-1, 1, 28 * 28).reshape(1, 28, 28))  # standardized pixels


def test_every_path_to_the_model_works_and_old_runs_rebuild_their_preprocessing(
    image_run: OptimizationResult, fashion_arrays: dict[str, np.ndarray], tmp_path: Path
) -> None:
    assert image_run.best_trial is not None and image_run.best_model_path is not None
    x = fashion_arrays["x_test"][:20]
    expected = load_predictor(image_run.run_dir).predict_proba(x)
    trial_dir = image_run.run_dir / "trials" / f"trial_{image_run.best_trial.number}"
    for path in (image_run.best_model_path, trial_dir):
        np.testing.assert_allclose(load_predictor(path).predict_proba(x), expected, atol=1e-6)
    old = tmp_path / "old_run"
    shutil.copytree(image_run.run_dir, old)
    for record in old.rglob("preprocessing.json"):
        record.unlink()  # a run from before preprocessing.json existed
    np.testing.assert_allclose(load_predictor(old).predict_proba(x), expected, atol=1e-6)
    with pytest.raises(ConfigError, match="does not exist"):
        load_predictor(tmp_path / "nothing")
    with pytest.raises(ConfigError, match="holds no model"):
        load_predictor(tmp_path)


def test_a_text_run_predicts_raw_texts_as_it_was_tested(
    shared_datasets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (shared_datasets / "reuters-r8" / "train.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:400]
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    np.savez(tmp_path / "news.npz", x_train=np.array(texts[:300]), y_train=np.array(labels[:300]),
             x_test=np.array(texts[300:]), y_test=np.array(labels[300:]))  # fmt: skip
    config = OptimizationConfig(
        dataset=f"npz:{tmp_path / 'news.npz'}", results_root=tmp_path / "results", vocab_size=1000,
        sequence_length=40, **QUICK,  # type: ignore[arg-type]
    )  # fmt: skip
    result = healthtune.optimize(config)
    predictor = load_predictor(result.run_dir)
    assert predictor.kind == "text" and predictor.class_names == tuple(sorted(set(labels[:300])))
    predicted = predictor.predict(texts[300:])
    accuracy = np.mean([a == b for a, b in zip(predicted, labels[300:], strict=True)])
    assert result.best_trial is not None
    assert accuracy == pytest.approx(result.best_trial.metrics["test_accuracy"], abs=1e-9)
    assert predictor.predict(texts[300]) == predicted[:1]  # one text, not a list
    with pytest.raises(DatasetError, match="texts"):
        predictor.predict([[1, 2, 3]])

    assert main(["predict", str(result.run_dir), texts[300], texts[301], "--top", "2", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [entry["predictions"][0]["class"] for entry in shown] == predicted[:2]
    assert all(len(entry["predictions"]) == 2 for entry in shown)
    assert main(["predict", str(result.run_dir)]) == 1
    assert "predict needs inputs" in capsys.readouterr().err
