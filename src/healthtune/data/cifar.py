"""CIFAR-10 and CIFAR-100: the official "python version" tarballs of pickled batches (read, never extracted)."""

from __future__ import annotations

import io
import tarfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.download import RemoteFile
from healthtune.data.remote import RemoteSource, locate
from healthtune.data.safeload import load_pickle

_BASE_URL = "https://www.cs.toronto.edu/~kriz/"


# CIFAR-100 fine label names in label order, as published in the archive's `meta` file.
_CIFAR100_FINE_NAMES = (
    "apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus "
    "butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch "
    "crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo "
    "keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse "
    "mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy "
    "porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper "
    "snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television "
    "tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm"
)


def _normalize(obj: Any) -> Any:
    """Python 2 pickles give bytes keys and bytes strings; turn them into str."""
    if isinstance(obj, dict):
        return {_normalize(k): v if isinstance(v, np.ndarray) else _normalize(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return obj.decode("utf-8", errors="replace")
    if isinstance(obj, list):
        return [_normalize(v) for v in obj]
    return obj


def _read_members(path: Path, folder: str, members: tuple[str, ...], archive: str) -> dict[str, bytes]:
    """Read {folder}/{member} files from the tarball or from an extracted directory."""
    found: dict[str, bytes] = {}
    tarball = path if path.is_file() else locate(path, (archive,))
    if tarball is not None and tarball.is_file():
        try:
            with tarfile.open(tarball, "r:*") as tar:
                for info in tar:
                    parts = Path(info.name).parts
                    if info.isfile() and len(parts) >= 2 and parts[-2] == folder and parts[-1] in members:
                        handle = tar.extractfile(info)
                        if handle is not None:
                            found[parts[-1]] = handle.read()
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise DatasetError(f"cannot read {tarball}: {exc}") from exc
        where = str(tarball)
    else:
        directory = locate(path, (folder,))
        if directory is None or not directory.is_dir():
            raise DatasetError(
                f"{path} holds neither {archive} nor an extracted {folder}/ directory with {', '.join(members)}"
            )
        found = {m: (directory / m).read_bytes() for m in members if (directory / m).is_file()}
        where = str(directory)
    missing = [m for m in members if m not in found]
    if missing:
        raise DatasetError(f"{where} is incomplete: missing {folder}/{', '.join(missing)}")
    return found


def _batch(data: bytes, name: str, label_key: str) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32]]:
    batch = _normalize(load_pickle(io.BytesIO(data), name))
    if not isinstance(batch, dict) or "data" not in batch or label_key not in batch:
        keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise DatasetError(f"{name}: expected a dict with 'data' and {label_key!r}, found {keys}")
    pixels = np.asarray(batch["data"], dtype=np.uint8)
    if pixels.ndim != 2 or pixels.shape[1] != 3 * 32 * 32:
        raise DatasetError(f"{name}: 'data' is shaped {pixels.shape}, expected (n, 3072)")
    images = pixels.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # rows are R, G, B planes
    labels = np.asarray(batch[label_key], dtype=np.int32).ravel()
    if len(labels) != len(images):
        raise DatasetError(f"{name}: {len(images)} images but {len(labels)} labels")
    return np.ascontiguousarray(images), labels


def _names(data: bytes, name: str, key: str) -> tuple[str, ...]:
    meta = _normalize(load_pickle(io.BytesIO(data), name))
    if not isinstance(meta, dict) or key not in meta:
        raise DatasetError(f"{name}: expected a dict with {key!r}")
    return tuple(str(n) for n in meta[key])


class Cifar10Source(RemoteSource):
    """CIFAR-10 (Krizhevsky, 2009): 50,000 + 10,000 32x32 colour images, 10 classes."""

    name = "cifar10"
    kind = DataKind.IMAGE
    input_shape = (32, 32, 3)
    class_names = (
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    )
    description = "Tiny colour photos of 10 object classes, 32x32 RGB; 50,000 train + 10,000 test"
    download_size_mb = 170.5
    archive = "cifar-10-python.tar.gz"
    folder = "cifar-10-batches-py"
    files = (RemoteFile(archive, (_BASE_URL + archive,), "md5:c58f30108f718f92721af3b95e74349a"),)

    def read_distribution(self, path: Path) -> RawSplits:
        train_names = tuple(f"data_batch_{i}" for i in range(1, 6))
        members = _read_members(path, self.folder, (*train_names, "test_batch", "batches.meta"), self.archive)
        train = [_batch(members[n], n, "labels") for n in train_names]
        x_test, y_test = _batch(members["test_batch"], "test_batch", "labels")
        return RawSplits(
            x_train=np.concatenate([x for x, _ in train]),
            y_train=np.concatenate([y for _, y in train]),
            x_test=x_test,
            y_test=y_test,
            class_names=_names(members["batches.meta"], "batches.meta", "label_names"),
            kind=self.kind,
        )


class Cifar100Source(RemoteSource):
    """CIFAR-100 (Krizhevsky, 2009): 50,000 + 10,000 32x32 colour images, 100 fine classes."""

    name = "cifar100"
    kind = DataKind.IMAGE
    input_shape = (32, 32, 3)
    description = "Tiny colour photos of 100 object classes (fine labels), 32x32 RGB; 50,000 + 10,000"
    download_size_mb = 169.0
    archive = "cifar-100-python.tar.gz"
    folder = "cifar-100-python"
    files = (RemoteFile(archive, (_BASE_URL + archive,), "md5:eb9058c3a382ffc7106e4002c42a8d85"),)
    class_names = tuple(_CIFAR100_FINE_NAMES.split())

    def read_distribution(self, path: Path) -> RawSplits:
        members = _read_members(path, self.folder, ("train", "test", "meta"), self.archive)
        x_train, y_train = _batch(members["train"], "train", "fine_labels")
        x_test, y_test = _batch(members["test"], "test", "fine_labels")
        return RawSplits(
            x_train=x_train,
            y_train=y_train,
            x_test=x_test,
            y_test=y_test,
            class_names=_names(members["meta"], "meta", "fine_label_names"),
            kind=self.kind,
        )
