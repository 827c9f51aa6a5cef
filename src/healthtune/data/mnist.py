"""MNIST and Fashion-MNIST: the official IDX files (gzipped or not), parsed with numpy."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.download import RemoteFile
from healthtune.data.remote import RemoteSource

_IDX_DTYPES: dict[int, str] = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
IDX_STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def read_idx(path: Path) -> npt.NDArray[Any]:
    """Parse one IDX file (magic 0x0000 dtype ndim, big-endian int32 dims, data); .gz is decompressed."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DatasetError(f"{path} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">u4"))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DatasetError(
            f"{path} is truncated or corrupt: header announces shape {dims} ({expected} bytes), "
            f"found {len(raw) - header} bytes"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).copy()


def _find_idx(directory: Path, stem: str) -> Path | None:
    variants = (stem, stem.replace("-idx", ".idx"))
    for variant in variants:
        for suffix in (".gz", ""):
            candidate = directory / f"{variant}{suffix}"
            if candidate.is_file():
                return candidate
    return None


class IdxSource(RemoteSource):
    """A dataset distributed as the four MNIST-style IDX files."""

    kind = DataKind.IMAGE
    input_shape = (28, 28, 1)

    def read_distribution(self, path: Path) -> RawSplits:
        directory = path.parent if path.is_file() else path
        found = {stem: _find_idx(directory, stem) for stem in IDX_STEMS}
        missing = [f"{stem}.gz" for stem, p in found.items() if p is None]
        if missing:
            raise DatasetError(
                f"{directory} is not a complete {self.name} directory: missing {', '.join(missing)}; "
                f"expected the four IDX files {', '.join(f.filename for f in self.files)}"
            )
        arrays = {stem: read_idx(p) for stem, p in found.items() if p is not None}
        x_train, y_train, x_test, y_test = (arrays[stem] for stem in IDX_STEMS)
        for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
            if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
                raise DatasetError(
                    f"{directory}: {split} images {x.shape} and labels {y.shape} do not match "
                    "(expected (n, 28, 28) and (n,))"
                )
        return RawSplits(
            x_train=x_train.astype(np.uint8)[..., np.newaxis],
            y_train=y_train.astype(np.int32),
            x_test=x_test.astype(np.uint8)[..., np.newaxis],
            y_test=y_test.astype(np.int32),
            class_names=self.class_names,
            kind=self.kind,
        )


def _files(base_urls: tuple[str, ...], md5s: tuple[str, ...]) -> tuple[RemoteFile, ...]:
    return tuple(
        RemoteFile(f"{stem}.gz", tuple(f"{base}{stem}.gz" for base in base_urls), f"md5:{md5}")
        for stem, md5 in zip(IDX_STEMS, md5s, strict=True)
    )


class MnistSource(IdxSource):
    """MNIST handwritten digits (LeCun, Cortes, Burges), 60,000 + 10,000 28x28 grayscale images."""

    name = "mnist"
    class_names = tuple(str(d) for d in range(10))
    description = "Handwritten digits 0-9, 28x28 grayscale; 60,000 train + 10,000 test (LeCun et al.)"
    download_size_mb = 11.6
    files = _files(
        ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
        (
            "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "d53e105ee54ea40749a09fcbcd1e9432",
            "9fb629c4189551a2d022fa330f9573f3",
            "ec29112dd5afa0611ce80d1b7f02629c",
        ),
    )


class FashionMnistSource(IdxSource):
    """Fashion-MNIST (Zalando Research), a drop-in MNIST replacement with clothing articles."""

    name = "fashion_mnist"
    class_names = (
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
    description = "Zalando clothing articles, 28x28 grayscale, 10 classes; 60,000 train + 10,000 test"
    download_size_mb = 30.9
    files = _files(
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        (
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "25c81989df183df01b3e8a0aad5dffbe",
            "bef4ecab320f06d8554ea6380940ec79",
            "bb300cfdad3c16e7a12a480ee83cd310",
        ),
    )
