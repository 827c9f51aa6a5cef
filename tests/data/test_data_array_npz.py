"""npz:PATH: arrays users already hold (real Fashion-MNIST pixels, real Reuters texts) saved with numpy."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from tests.fashion import CLASS_NAMES, fashion_mnist

from healthtune import OptimizationConfig, optimize
from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.data import DataKind, dataset_kind, dataset_slug, load_dataset, validate_dataset_name


@pytest.fixture(scope="module")
def fashion(shared_datasets: Path) -> tuple[np.ndarray, np.ndarray]:
    """The first 600 Fashion-MNIST training images (uint8, (n, 28, 28)) and labels."""
    return fashion_mnist(shared_datasets, "train", 600)


@pytest.fixture(scope="module")
def reuters(shared_datasets: Path) -> tuple[list[str], list[str]]:
    with (shared_datasets / "reuters-r8" / "train.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:300]
    return [row["text"] for row in rows], [row["label"] for row in rows]


def test_images_with_class_names_and_a_carved_test_split(
    tmp_path: Path, data_dir: Path, fashion: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = fashion
    path = tmp_path / "my fashion.npz"
    np.savez(path, x_train=x, y_train=y, class_names=np.array(CLASS_NAMES))
    assert dataset_kind(f"npz:{path}") is DataKind.IMAGE and dataset_slug(f"npz:{path}") == "my_fashion"
    ds = load_dataset(f"npz:{path}", validation_split=0.25, seed=0)
    assert ds.class_names == CLASS_NAMES and ds.input_shape == (28, 28, 1)
    assert len(ds.y_test) == 120 and len(ds.y_train) + len(ds.y_val) == 480  # a stratified 20% test split
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() >= 0.0 and ds.x_train.max() == 1.0


def test_float_pixels_one_hot_labels_and_a_given_test_split_are_kept_as_they_are(
    tmp_path: Path, data_dir: Path, fashion: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = fashion
    unit = (x / 255.0).astype(np.float32)[..., np.newaxis]
    path = tmp_path / "float.npz"
    np.savez_compressed(
        path, x_train=unit[:500], y_train=np.eye(10)[y[:500]], x_test=unit[500:], y_test=y[500:]
    )
    ds = load_dataset(str(path), validation_split=0.2, seed=0)  # a bare .npz path works too
    assert ds.class_names == tuple(str(i) for i in range(10))
    np.testing.assert_array_equal(ds.x_test, unit[500:])
    np.testing.assert_array_equal(ds.y_test, y[500:])
    assert sorted(np.concatenate([ds.y_train, ds.y_val]).tolist()) == sorted(y[:500].tolist())


def test_texts_with_string_labels(
    tmp_path: Path, data_dir: Path, reuters: tuple[list[str], list[str]]
) -> None:
    texts, labels = reuters
    path = tmp_path / "news.npz"
    np.savez(path, x_train=np.array(texts), y_train=np.array(labels))
    assert dataset_kind(f"npz:{path}") is DataKind.TEXT
    ds = load_dataset(f"npz:{path}", validation_split=0.2, seed=0, vocab_size=2000, sequence_length=50)
    assert ds.class_names == tuple(sorted(set(labels)))
    assert ds.x_train.shape[1] == 50 and ds.vocab_size == 2000
    assert "vocabulary" in ds.extras  # tokenized by healthtune, vocabulary from the training part


def test_token_ids_padded_with_zero(tmp_path: Path, data_dir: Path) -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 300, size=(80, 12))
    ids[:, 8:] = 0  # padding
    path = tmp_path / "ids.npz"
    np.savez(path, x_train=ids, y_train=np.arange(80) % 2)
    ds = load_dataset(f"npz:{path}", validation_split=0.2, seed=0, vocab_size=1000, sequence_length=10)
    assert dataset_kind(f"npz:{path}") is DataKind.TEXT and ds.class_names == ("0", "1")
    row = ds.x_test[0]
    assert (row[:8] >= 2).all() and (
        row[8:] == 0
    ).all()  # ids shift by one past padding and out-of-vocabulary


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x_train": np.zeros((4, 8, 8))}, "expected x_train, y_train"),
        ({"images": np.zeros((4, 8, 8)), "labels": np.zeros(4)}, r"holds arrays \['images', 'labels'\]"),
    ],
)
def test_an_npz_without_the_required_arrays_is_refused_before_a_run_starts(
    tmp_path: Path, arrays: dict[str, np.ndarray], message: str
) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    with pytest.raises(ConfigError, match=message) as error:
        validate_dataset_name(f"npz:{path}")  # what a run, the server and the CLI check first
    assert "dataset" in str(error.value)
    flat = tmp_path / "flat.npz"
    np.savez(flat, x_train=np.zeros((4, 784), np.uint8), y_train=np.zeros(4))
    with pytest.raises(ConfigError, match=r"flattened images\? Reshape them"):
        validate_dataset_name(f"npz:{flat}")
    with pytest.raises(ConfigError, match="not a file"):
        validate_dataset_name(f"npz:{tmp_path}")
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match=r"not a readable \.npz"):
        validate_dataset_name(f"npz:{tmp_path / 'broken.npz'}")


def _bad(**arrays: object) -> dict[str, object]:
    images = np.zeros((20, 8, 8), np.uint8)
    return {"x_train": images, "y_train": np.arange(20) % 2, **arrays}


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            _bad(x_train=np.random.default_rng(0).normal(size=(20, 8, 8))),
            r"pixel values -\d.*healthtune scales",
        ),
        (_bad(x_train=np.full((20, 8, 8), np.nan)), "not finite"),
        (_bad(x_train=np.zeros((20, 8, 8, 4))), "4 channels.*drop the alpha channel"),
        (_bad(y_train=np.arange(19) % 2), "x_train has 20 examples but y_train has 19 labels"),
        (_bad(y_train=np.full((20, 3), 0.5)), "not one-hot"),
        (_bad(y_train=np.arange(20) * 0.5), "integer class indices"),
        (_bad(y_train=np.array(["a", " "] * 10)), r"y_train has empty labels \(at index 1\)"),
        (_bad(y_train=np.arange(20) % 3, class_names=np.array(["a", "b"])), "label 2 needs 3 class_names"),
        (_bad(x_test=np.zeros((5, 8, 8), np.uint8)), "x_test and y_test together"),
        (
            _bad(x_test=np.zeros((5, 9, 8), np.uint8), y_test=np.zeros(5)),
            r"shaped \(8, 8\) but x_test .*\(9, 8\)",
        ),
        (_bad(x_test=np.zeros((5, 8, 8), np.uint8), y_test=np.array(["a"] * 5)), "both be class indices"),
        (
            {
                "x_train": np.array(["a b"] * 6),
                "y_train": np.array(["x", "y"] * 3),
                "x_test": np.array(["c"]),
                "y_test": np.array(["z"]),
            },
            r"labels \['z'\] are not among the class names",
        ),
        (
            {"x_train": np.zeros((6, 3, 2, 2, 2)), "y_train": np.zeros(6)},
            "expected images .* texts .* token ids",
        ),
    ],
)
def test_bad_arrays_get_a_message_naming_the_array_and_what_is_allowed(
    tmp_path: Path, data_dir: Path, arrays: dict[str, np.ndarray], message: str
) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match=message):
        load_dataset(f"npz:{path}", validation_split=0.2, seed=0)


def test_a_search_on_arrays_trains_and_its_plots_name_the_classes(
    tmp_path: Path, data_dir: Path, fashion: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = fashion
    path = tmp_path / "fashion.npz"
    np.savez(path, x_train=x, y_train=y, class_names=np.array(CLASS_NAMES))
    config = OptimizationConfig(
        dataset=f"npz:{path}", trials=1, max_epochs_per_trial=3, executor="inline", tensorboard=False,
        results_root=tmp_path / "results", data_dir=data_dir,
        search_space_overrides={"filters": 8, "dense_units": 64, "batch_norm": False, "learning_rate": 0.003,
                                "lr_schedule": "constant"},
    )  # fmt: skip
    result = optimize(config)
    assert result.best_trial is not None and result.best_trial.state == "complete"
    assert result.best_trial.metrics["val_accuracy"] > 0.3  # 0.54 here; ten classes: chance is 0.1
    assert result.run_dir.name.startswith("fashion_")
    confusion = json.loads((result.run_dir / "optimized_model/plots/confusion_matrix.json").read_text())
    assert "Ankle boot" in json.dumps(confusion)
