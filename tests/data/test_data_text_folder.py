"""texts:PATH: folders of .txt files per class (Keras' text_dataset_from_directory layout), from real Reuters R8."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import healthtune
from healthtune import OptimizationConfig, load_predictor
from healthtune.core.exceptions import DatasetError
from healthtune.data import DataKind, dataset_kind, load_dataset


def _r8_folder(
    shared_datasets: Path, root: Path, split: str = "train", count: int = 240
) -> list[tuple[str, str]]:
    """The first `count` R8 articles of `split` as root/<topic>/<n>.txt; returns (topic, text) pairs."""
    with (shared_datasets / "reuters-r8" / f"{split}.csv").open(newline="") as handle:
        rows = [(row["label"], row["text"]) for row in csv.DictReader(handle)][:count]
    for i, (label, text) in enumerate(rows):
        (root / label).mkdir(parents=True, exist_ok=True)
        (root / label / f"{i}.txt").write_text(text, encoding="utf-8")
    return rows


def test_a_folder_of_txt_files_per_class_is_a_text_dataset(
    tmp_path: Path, data_dir: Path, shared_datasets: Path
) -> None:
    rows = _r8_folder(shared_datasets, tmp_path / "news")
    (tmp_path / "news" / "earn" / "notes.md").write_text("not an example")  # only .txt files count
    topics = tuple(sorted({label for label, _ in rows}))
    for name in (f"texts:{tmp_path / 'news'}", str(tmp_path / "news")):  # a bare folder is recognised
        assert dataset_kind(name) is DataKind.TEXT
        ds = load_dataset(name, validation_split=0.2, seed=0, sequence_length=50)
        assert ds.kind is DataKind.TEXT and ds.class_names == topics
        assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == len(rows)
        assert ds.x_train.shape[1] == 50


def test_train_and_test_folders_are_the_splits_and_bad_files_are_named(
    tmp_path: Path, data_dir: Path, shared_datasets: Path
) -> None:
    train = _r8_folder(shared_datasets, tmp_path / "news" / "train", "train", 200)
    test = _r8_folder(shared_datasets, tmp_path / "news" / "test", "test", 400)
    ds = load_dataset(f"texts:{tmp_path / 'news'}", validation_split=0.2, seed=0)
    assert len(ds.y_train) + len(ds.y_val) == len(train) and len(ds.y_test) == len(test)

    latin = tmp_path / "news" / "train" / "earn" / "latin1.txt"
    latin.write_bytes("prix du pétrole".encode("latin-1"))
    with pytest.raises(DatasetError, match=r"latin1\.txt is not UTF-8 text"):
        load_dataset(f"texts:{tmp_path / 'news'}", validation_split=0.2, seed=0)


def test_a_search_on_a_text_folder_gives_a_predictor_for_raw_texts(
    tmp_path: Path, data_dir: Path, shared_datasets: Path
) -> None:
    rows = _r8_folder(shared_datasets, tmp_path / "news", count=300)
    config = OptimizationConfig(
        dataset=f"texts:{tmp_path / 'news'}", results_root=tmp_path / "results", trials=1,
        max_epochs_per_trial=1, executor="inline", plot_mode="none", tensorboard=False, sequence_length=60,  # type: ignore[arg-type]
    )  # fmt: skip
    result = healthtune.optimize(config)
    assert result.run_name.startswith("news_") and result.best_trial is not None
    predictor = load_predictor(result.run_dir)
    assert predictor.kind == "text" and predictor.class_names == tuple(sorted({label for label, _ in rows}))
    assert all(label in predictor.class_names for label in predictor.predict([rows[0][1], "oil prices rose"]))


def test_an_image_folder_with_readme_files_stays_an_image_folder(
    tmp_path: Path, shared_datasets: Path
) -> None:
    from PIL import Image
    from tests.fashion import fashion_mnist

    images, _ = fashion_mnist(shared_datasets, "train", 6)
    for name in ("bags", "shirts"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        (tmp_path / "photos" / name / "README.txt").write_text("where these came from")
        for i in range(3):
            Image.fromarray(images[i]).save(tmp_path / "photos" / name / f"{i}.png")
    assert dataset_kind(str(tmp_path / "photos")) is DataKind.IMAGE
    assert dataset_kind(f"texts:{tmp_path / 'photos'}") is DataKind.TEXT  # the prefix decides
