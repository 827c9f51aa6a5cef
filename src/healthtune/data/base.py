"""Dataset contract: the prepared Dataset every trial trains on and the DatasetSource base class."""

from __future__ import annotations

import abc
import enum
import os
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class DataKind(enum.StrEnum):
    """What a dataset holds; it decides the architecture (images -> CNN, text -> LSTM)."""

    IMAGE = "image"
    TEXT = "text"


@dataclass(frozen=True)
class DatasetInfo:
    """What `healthtune datasets list` and the API show about a dataset before loading it."""

    name: str
    kind: DataKind
    input_shape: tuple[int, ...] | None  # None when it depends on the files (user folders)
    num_classes: int | None
    class_names: tuple[str, ...] = ()
    description: str = ""
    download_size_mb: float | None = None
    cached: bool = False


@dataclass(frozen=True)
class RawSplits:
    """A source's data as distributed: train and test, before normalization or tokenization.

    Images are uint8 or float arrays shaped (n, height, width, channels). Text is either a
    list of strings or a list of integer token sequences (Keras `.npz` files ship those).
    Labels are integer class indices 0..len(class_names)-1.
    """

    x_train: np.ndarray | list[str] | list[list[int]]
    y_train: np.ndarray
    x_test: np.ndarray | list[str] | list[list[int]]
    y_test: np.ndarray
    class_names: tuple[str, ...]
    kind: DataKind


@dataclass
class Dataset:
    """Arrays ready for `model.fit`: images float32 in [0, 1] (n, h, w, c); text int32 (n, length).

    The validation split is carved out of the training data (stratified, seeded); the test
    split is only used to report accuracy, never to select a trial.
    """

    name: str
    kind: DataKind
    class_names: tuple[str, ...]
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    vocab_size: int | None = None  # text only: embedding input size, 0 = padding, 1 = out-of-vocabulary
    sequence_length: int | None = None  # text only
    extras: dict[str, object] = field(default_factory=dict)  # e.g. the vocabulary (index -> word)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])


class DatasetSource(abc.ABC):
    """One place data comes from (a named public dataset, an image folder, a text CSV)."""

    name: str
    kind: DataKind

    @abc.abstractmethod
    def info(self, data_dir: Path) -> DatasetInfo:
        """Describe the dataset without loading it (cheap: used by `datasets list`)."""

    @abc.abstractmethod
    def load_raw(self, data_dir: Path) -> RawSplits:
        """Return train and test splits as distributed, downloading into data_dir if needed."""

    def fingerprint(self) -> Hashable:
        """Changes when the data does (user files); None for public data, which never changes."""
        return None


def files_fingerprint(path: Path) -> tuple[int, int, int]:
    """(files, newest modification in ns, total bytes) of a file or of every file below a folder."""
    if path.is_file():
        stat = path.stat()
        return 1, stat.st_mtime_ns, stat.st_size
    count = newest = total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:  # a dangling link or an unreadable entry is not data
                continue
            count, newest, total = count + 1, max(newest, stat.st_mtime_ns), total + stat.st_size
    return count, newest, total
