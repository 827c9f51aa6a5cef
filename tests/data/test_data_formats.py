"""Importers for the official distribution formats, exercised with tiny files written in those formats."""

from __future__ import annotations

import os
import pickle
import re
import tarfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from healthtune.core.exceptions import DatasetError
from healthtune.data import DataKind, import_dataset, load_dataset
from healthtune.data.cifar import Cifar10Source, Cifar100Source
from healthtune.data.gtsrb import GTSRB_CLASS_NAMES
from healthtune.data.reuters import REUTERS_TOPICS

Builders = dict[str, Callable[..., Path]]


@pytest.mark.parametrize("form", ["file", "directory", "extracted"])
def test_cifar10_tarball(tmp_path: Path, data_dir: Path, write_files: Builders, form: str) -> None:
    tarball = write_files["cifar10"](tmp_path / "dl")
    if form == "extracted":
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp_path / "dl", filter="data")
        tarball.unlink()
    path = {
        "file": tarball,
        "directory": tmp_path / "dl",
        "extracted": tmp_path / "dl" / "cifar-10-batches-py",
    }[form]
    import_dataset("cifar10", path)
    raw = Cifar10Source().load_raw(data_dir)
    assert isinstance(raw.x_train, np.ndarray)
    assert raw.x_train.shape == (100, 32, 32, 3) and raw.x_test.shape == (20, 32, 32, 3)
    assert raw.class_names == Cifar10Source.class_names
    ds = load_dataset("cifar10", validation_split=0.2, seed=0)
    assert ds.x_train.shape == (80, 32, 32, 3) and ds.x_val.shape == (20, 32, 32, 3)
    assert ds.x_train.dtype == np.float32 and ds.x_train.max() <= 1.0
    assert set(np.unique(ds.y_val)) == set(range(10))


def test_cifar_channel_order(tmp_path: Path, data_dir: Path, write_files: Builders) -> None:
    """A row of the official data is 1024 red, then 1024 green, then 1024 blue values."""
    tarball = write_files["cifar10"](tmp_path)
    import_dataset("cifar10", tarball)
    raw = Cifar10Source().load_raw(data_dir)
    with tarfile.open(tarball) as tar:
        handle = tar.extractfile("cifar-10-batches-py/data_batch_1")
        assert handle is not None
        row = pickle.loads(handle.read(), encoding="bytes")[b"data"][0]
    assert isinstance(raw.x_train, np.ndarray)
    assert np.array_equal(raw.x_train[0, :, :, 0].ravel(), row[:1024])
    assert np.array_equal(raw.x_train[0, :, :, 2].ravel(), row[2048:])


def test_cifar100(tmp_path: Path, data_dir: Path, write_files: Builders) -> None:
    import_dataset("cifar100", write_files["cifar100"](tmp_path))
    raw = Cifar100Source().load_raw(data_dir)
    assert raw.class_names[:3] == ("apple", "aquarium_fish", "baby") and len(raw.class_names) == 100
    assert isinstance(raw.x_test, np.ndarray) and raw.x_test.shape == (200, 32, 32, 3)
    ds = load_dataset("cifar100", validation_split=0.5, seed=1)
    assert ds.num_classes == 100 and ds.y_train.max() <= 99


@pytest.mark.parametrize("extracted", [False, True], ids=["zips", "extracted"])
def test_gtsrb(tmp_path: Path, data_dir: Path, write_files: Builders, extracted: bool) -> None:
    import_dataset("gtsrb", write_files["gtsrb"](tmp_path / "gtsrb", extracted=extracted))
    ds = load_dataset("gtsrb", validation_split=0.25, seed=0)
    assert ds.class_names == GTSRB_CLASS_NAMES and ds.num_classes == 43
    assert ds.input_shape == (32, 32, 3)
    assert len(ds.y_train) + len(ds.y_val) == 12 and len(ds.y_test) == 6
    assert sorted(np.unique(ds.y_test)) == [0, 1, 2]
    assert ds.x_test.dtype == np.float32 and ds.x_test.max() <= 1.0


def test_gtsrb_without_test_ground_truth(tmp_path: Path, data_dir: Path, write_files: Builders) -> None:
    directory = write_files["gtsrb"](tmp_path / "gtsrb")
    (directory / "GTSRB_Final_Test_GT.zip").unlink()
    with pytest.raises(DatasetError, match=re.escape("GTSRB_Final_Test_GT.zip")):
        import_dataset("gtsrb", directory)


@pytest.mark.parametrize("tarball", [False, True], ids=["tree", "tarball"])
def test_imdb(tmp_path: Path, data_dir: Path, write_files: Builders, tarball: bool) -> None:
    import_dataset("imdb", write_files["imdb"](tmp_path / "imdb", tarball=tarball))
    ds = load_dataset("imdb", validation_split=0.34, seed=0, sequence_length=6)
    assert ds.kind is DataKind.TEXT and ds.class_names == ("negative", "positive")
    assert len(ds.y_train) + len(ds.y_val) == 6 and len(ds.y_test) == 4  # the unsup review is ignored
    assert ds.x_train.shape[1] == 6 and ds.x_train.dtype == np.int32
    vocabulary = ds.extras["vocabulary"]
    assert isinstance(vocabulary, list) and vocabulary[:2] == ["<pad>", "<oov>"]
    assert "br" not in vocabulary  # <br /> markup is removed


def test_keras_image_npz(tmp_path: Path, data_dir: Path) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
        y_train=np.arange(50) % 10,
        x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_test=np.arange(20) % 10,
    )
    import_dataset("mnist", path)
    ds = load_dataset("mnist", validation_split=0.2, seed=0)
    assert ds.x_train.shape == (40, 28, 28, 1) and ds.x_test.shape == (20, 28, 28, 1)


def test_keras_npz_shape_mismatch(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "wrong.npz"
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    np.savez(path, x_train=images, y_train=np.arange(4), x_test=images, y_test=np.arange(4))
    with pytest.raises(DatasetError, match=r"expected \(32, 32, 3\)"):
        import_dataset("cifar10", path)


def test_keras_imdb_npz_token_sequences(tmp_path: Path, data_dir: Path) -> None:
    sequences = np.empty(6, dtype=object)
    sequences[:] = [[1, 2, 3], [4, 5], [1, 50, 2, 9, 9, 9, 9], [7], [2, 2], [3, 1]]
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=sequences, y_train=[0, 1, 0, 1, 0, 1], x_test=sequences[:2], y_test=[0, 1])
    import_dataset("imdb", path)
    ds = load_dataset("imdb", validation_split=0.34, seed=0, vocab_size=10, sequence_length=5)
    assert ds.vocab_size == 10 and ds.sequence_length == 5
    assert ds.x_test.tolist() == [[2, 3, 4, 0, 0], [5, 6, 0, 0, 0]]  # rank r -> index r + 1, post-padded
    assert int(np.concatenate([ds.x_train, ds.x_val]).max()) <= 9  # rank 50 became out-of-vocabulary
    assert "vocabulary" not in ds.extras


def test_keras_reuters_npz(tmp_path: Path, data_dir: Path, write_files: Builders) -> None:
    import_dataset("reuters", write_files["reuters"](tmp_path))
    ds = load_dataset("reuters", validation_split=0.2, seed=0, vocab_size=30, sequence_length=12)
    assert ds.class_names == REUTERS_TOPICS and ds.num_classes == 46
    assert len(ds.y_train) + len(ds.y_val) == 184 and len(ds.y_test) == 46  # Keras' 80/20 split of 230
    assert ds.x_train.shape == (len(ds.y_train), 12) and ds.x_train.max() < 30


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned",))


def test_npz_with_code_in_pickle_is_refused(tmp_path: Path, data_dir: Path) -> None:
    evil = np.empty(1, dtype=object)
    evil[0] = _Payload()
    path = tmp_path / "reuters.npz"
    np.savez(path, x=evil, y=np.zeros(1))
    with pytest.raises(DatasetError, match="refusing to load"):
        import_dataset("reuters", path)


def test_truncated_tarball(tmp_path: Path, data_dir: Path, write_files: Builders) -> None:
    tarball = write_files["cifar10"](tmp_path)
    tarball.write_bytes(tarball.read_bytes()[:2000])
    with pytest.raises(DatasetError, match=re.escape("cifar-10-python.tar.gz")):
        import_dataset("cifar10", tarball)
    assert not (data_dir / "cifar10").exists()


def test_import_missing_path(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        import_dataset("imdb", tmp_path / "absent")
