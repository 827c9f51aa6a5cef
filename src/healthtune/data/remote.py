"""Base class of the named public datasets: cache lookup, download + import on first use, offline import."""

from __future__ import annotations

import abc
import logging
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.data.base import DataKind, DatasetInfo, DatasetSource, RawSplits
from healthtune.data.download import RemoteFile, fetch_all
from healthtune.data.keras_npz import read_keras_npz
from healthtune.data.store import cache_file, load_prepared, save_prepared

logger = logging.getLogger(__name__)


class RemoteSource(DatasetSource):
    """A public dataset fetched from its official source, verified, and cached as prepared.npz.

    `mirror_url` replaces the official URLs by {mirror}/{name}/{filename} (default: the
    HEALTHTUNE_DATASET_MIRROR variable). `checksums` maps a filename to "md5:..."/"sha256:..." and
    overrides the published checksum of that file (for private mirrors and tests).
    """

    name: str
    kind: DataKind
    files: tuple[RemoteFile, ...]
    class_names: tuple[str, ...]
    input_shape: tuple[int, ...] | None
    description: str
    download_size_mb: float

    def __init__(self, *, mirror_url: str | None = None, checksums: Mapping[str, str] | None = None) -> None:
        self.mirror_url = mirror_url
        self.checksums = dict(checksums or {})
        unknown = set(self.checksums) - {f.filename for f in self.files}
        if unknown:
            raise ConfigError(
                f"checksums given for unknown files {sorted(unknown)} of {self.name}; "
                f"its files are: {', '.join(f.filename for f in self.files)}"
            )

    @abc.abstractmethod
    def read_distribution(self, path: Path) -> RawSplits:
        """Parse the files as officially distributed (a file or a directory holding them)."""

    def info(self, data_dir: Path) -> DatasetInfo:
        return DatasetInfo(
            name=self.name,
            kind=self.kind,
            input_shape=self.input_shape,
            num_classes=len(self.class_names),
            class_names=self.class_names,
            description=self.description,
            download_size_mb=self.download_size_mb,
            cached=cache_file(data_dir, self.name).is_file(),
        )

    def load_raw(self, data_dir: Path) -> RawSplits:
        """The cached splits; downloads, verifies and imports the official files first when not cached."""
        target = cache_file(data_dir, self.name)
        cached = load_prepared(target)
        if cached is not None:
            return cached
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".download-{self.name}-", dir=data_dir))
        try:
            fetch_all(
                self.name,
                self.files,
                tmp,
                mirror_url=self.mirror_url,
                checksums=self.checksums,
                cache_hint=target,
            )
            raw = self.check(self.read_distribution(tmp))
            save_prepared(target, raw)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return raw

    def import_path(self, path: Path, data_dir: Path) -> Path:
        """Import local copies of the official files (or a Keras .npz) into the cache; returns the cache file."""
        path = Path(path).expanduser()
        if not path.exists():
            raise DatasetError(f"cannot import {self.name}: {path} does not exist")
        if path.is_file() and path.suffix == ".npz":
            raw = read_keras_npz(path, self.kind, self.class_names)
        else:
            raw = self.read_distribution(path)
        return save_prepared(cache_file(data_dir, self.name), self.check(raw))

    def expected_files_text(self) -> str:
        return ", ".join(f.filename for f in self.files)

    def check(self, raw: RawSplits) -> RawSplits:
        """Reject splits that do not match this dataset (wrong shape, labels out of range, empty)."""
        if len(raw.class_names) != len(self.class_names):
            raise DatasetError(
                f"{self.name}: found {len(raw.class_names)} class names, expected {len(self.class_names)}"
            )
        for split, x, y in (("train", raw.x_train, raw.y_train), ("test", raw.x_test, raw.y_test)):
            if len(x) == 0:
                raise DatasetError(f"{self.name}: the {split} split is empty")
            if len(x) != len(y):
                raise DatasetError(f"{self.name}: {split} has {len(x)} examples but {len(y)} labels")
            labels = np.asarray(y)
            if labels.min() < 0 or labels.max() >= len(self.class_names):
                raise DatasetError(
                    f"{self.name}: {split} labels span {labels.min()}..{labels.max()}, "
                    f"expected 0..{len(self.class_names) - 1}"
                )
            if self.kind is DataKind.IMAGE:
                shape = tuple(np.asarray(x).shape[1:])
                if self.input_shape is not None and shape != self.input_shape:
                    raise DatasetError(
                        f"{self.name}: {split} images are shaped {shape}, expected {self.input_shape}"
                    )
        return raw


def locate(path: Path, names: tuple[str, ...], *, depth: int = 2) -> Path | None:
    """Find the first of `names` at `path` itself, or in it up to `depth` directory levels down."""
    if path.name in names and path.exists():
        return path
    if not path.is_dir():
        return None
    for name in names:
        if (path / name).exists():
            return path / name
    if depth > 0:
        for child in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
            found = locate(child, names, depth=depth - 1)
            if found is not None:
                return found
    return None
