"""Real MNIST and Fashion-MNIST IDX files imported into the cache, then loaded and subsampled."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from healthtune.core.exceptions import DatasetError
from healthtune.data import import_dataset, list_datasets, load_dataset
from healthtune.data.mnist import FashionMnistSource, MnistSource

FASHION_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, shared_datasets: Path) -> Path:
    """One cache with the real MNIST and Fashion-MNIST imported (done once for this module)."""
    directory = tmp_path_factory.mktemp("mnist-cache")
    assert (
        import_dataset("mnist", shared_datasets / "mnist", data_dir=directory)
        == directory / "mnist" / "prepared.npz"
    )
    import_dataset("fashion_mnist", shared_datasets / "fashion-mnist", data_dir=directory)
    return directory


@pytest.mark.parametrize("source", [MnistSource(), FashionMnistSource()], ids=["mnist", "fashion_mnist"])
def test_imported_raw_splits(cache: Path, source: MnistSource) -> None:
    raw = source.load_raw(cache)
    assert isinstance(raw.x_train, np.ndarray) and isinstance(raw.x_test, np.ndarray)
    assert raw.x_train.shape == (60000, 28, 28, 1) and raw.x_train.dtype == np.uint8
    assert raw.x_test.shape == (10000, 28, 28, 1)
    assert raw.y_train.shape == (60000,) and raw.y_test.shape == (10000,)
    assert set(np.unique(raw.y_train)) == set(range(10))
    assert raw.x_train.max() == 255


def test_mnist_full_load(cache: Path) -> None:
    ds = load_dataset("mnist", validation_split=0.1, seed=3, data_dir=cache)
    assert ds.class_names == tuple(str(d) for d in range(10))
    assert ds.x_train.shape == (54000, 28, 28, 1) and ds.x_val.shape == (6000, 28, 28, 1)
    assert ds.x_test.shape == (10000, 28, 28, 1)
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() >= 0.0 and ds.x_train.max() == 1.0
    assert ds.y_train.dtype == np.int32 and ds.num_classes == 10 and ds.input_shape == (28, 28, 1)
    # stratified validation split: every digit keeps its share
    share = np.bincount(ds.y_val, minlength=10) / len(ds.y_val)
    full = np.bincount(np.concatenate([ds.y_train, ds.y_val]), minlength=10) / 60000
    assert np.allclose(share, full, atol=0.002)
    assert ds.vocab_size is None and ds.sequence_length is None


def test_fashion_mnist_class_names(cache: Path) -> None:
    ds = load_dataset("fashion_mnist", validation_split=0.2, seed=0, data_dir=cache, max_samples=200)
    assert ds.class_names == FASHION_NAMES
    assert ds.input_shape == (28, 28, 1)


def test_max_samples_gives_stratified_subsets(cache: Path) -> None:
    ds = load_dataset("mnist", validation_split=0.2, seed=7, data_dir=cache, max_samples=500)
    assert len(ds.y_train) + len(ds.y_val) == 500
    assert len(ds.y_val) == 100
    assert len(ds.y_test) == 125  # max(500 // 4, 1)
    full = np.bincount(MnistSource().load_raw(cache).y_train, minlength=10) / 60000
    counts = np.bincount(np.concatenate([ds.y_train, ds.y_val]), minlength=10)
    assert np.all(np.abs(counts - full * 500) <= 1)
    assert np.all(np.bincount(ds.y_test, minlength=10) >= 10)


def test_identical_calls_reuse_the_result(cache: Path) -> None:
    kwargs = {"validation_split": 0.2, "data_dir": cache, "max_samples": 300}
    first = load_dataset("mnist", seed=1, **kwargs)
    assert load_dataset("mnist", seed=1, **kwargs) is first
    other = load_dataset("mnist", seed=2, **kwargs)
    assert other is not first
    assert not np.array_equal(other.x_train, first.x_train)


def test_cached_flag_and_image_size(cache: Path) -> None:
    info = {i.name: i for i in list_datasets(cache)}
    assert info["mnist"].cached and info["fashion_mnist"].cached and not info["cifar10"].cached
    ds = load_dataset(
        "mnist", validation_split=0.2, seed=0, data_dir=cache, max_samples=40, image_size=(14, 16)
    )
    assert ds.input_shape == (14, 16, 1)


def test_incomplete_idx_directory(tmp_path: Path, shared_datasets: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(shared_datasets / "mnist" / "train-labels-idx1-ubyte.gz", partial)
    with pytest.raises(DatasetError, match=re.escape("missing train-images-idx3-ubyte.gz")):
        import_dataset("mnist", partial, data_dir=tmp_path / "cache")
    assert not (tmp_path / "cache" / "mnist").exists()
