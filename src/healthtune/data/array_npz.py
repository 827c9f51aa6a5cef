"""User arrays in one .npz file (x_train, y_train[, x_test, y_test, class_names]): images, token ids or texts."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, DatasetInfo, DatasetSource, RawSplits, files_fingerprint
from healthtune.data.defaults import FIXED_SPLIT_SEED, USER_TEST_FRACTION
from healthtune.data.keras_npz import token_sequences
from healthtune.data.prepare import split_validation
from healthtune.data.preprocessing import unit_pixels
from healthtune.data.safeload import load_npz, npz_headers
from healthtune.data.text_csv import sorted_labels

ARRAY_KEYS = "x_train, y_train (required), x_test, y_test (optional, together), class_names (optional)"
IMAGE_CHANNELS = (1, 3)
_NUMERIC_KINDS = frozenset("buif")
_STRING_KINDS = frozenset("US")


def npz_kind(path: Path) -> DataKind:
    """IMAGE when x_train is a numeric (n, height, width[, channels]) array, else TEXT; read from headers only."""
    headers = npz_headers(path)
    if "x_train" not in headers or "y_train" not in headers:
        raise DatasetError(f"{path} holds arrays {sorted(headers)}; expected {ARRAY_KEYS}")
    shape, dtype = headers["x_train"]
    if dtype == np.uint8 and len(shape) == 2:  # token ids are never bytes; pixels often are
        raise DatasetError(
            f"{path}: x_train is uint8 shaped {shape}: flattened images? Reshape them to (n, height, width"
            "[, channels]), e.g. x.reshape(-1, 28, 28); token ids must be a wider integer type (int32, int64)"
        )
    return DataKind.IMAGE if dtype.kind in _NUMERIC_KINDS and len(shape) in (3, 4) else DataKind.TEXT


def _label_array(y: npt.NDArray[Any], key: str, path: Path) -> npt.NDArray[Any]:
    """1-D labels: integers (from ints, integral floats or one-hot rows) or strings."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    elif y.ndim == 2 and y.dtype.kind in _NUMERIC_KINDS:
        if not (np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()):
            raise DatasetError(f"{path}: {key} is shaped {y.shape} but its rows are not one-hot")
        return np.asarray(np.argmax(y, axis=1), dtype=np.int64)
    if y.ndim != 1:
        raise DatasetError(
            f"{path}: {key} must hold one label per example (shape (n,), or one-hot (n, classes)), got {y.shape}"
        )
    if y.dtype.kind in _STRING_KINDS or (y.dtype == object and all(isinstance(v, str) for v in y)):
        names = [(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)).strip() for v in y]
        if not all(names):
            raise DatasetError(f"{path}: {key} has empty labels (at index {names.index('')})")
        return np.asarray(names, dtype=object)
    if y.dtype.kind not in _NUMERIC_KINDS or not np.isfinite(y.astype(np.float64)).all():
        raise DatasetError(
            f"{path}: {key} must be integer class indices or class-name strings, got {y.dtype}"
        )
    if (y != np.round(y)).any() or (y < 0).any():
        raise DatasetError(
            f"{path}: {key} must be integer class indices >= 0, got values like {y[:5].tolist()}"
        )
    return y.astype(np.int64)


def _class_indices(
    labels: list[npt.NDArray[Any]], names: npt.NDArray[Any] | None, path: Path
) -> tuple[list[npt.NDArray[np.int32]], tuple[str, ...]]:
    """Every split's labels as int32 indices into the class names (given, or derived from the labels)."""
    given = None if names is None else tuple(str(n).strip() for n in np.asarray(names).ravel())
    if given is not None and (len(set(given)) != len(given) or not all(given)):
        raise DatasetError(f"{path}: class_names must be distinct, non-empty strings, got {list(given)[:10]}")
    if labels[0].dtype == object:
        class_names = given or sorted_labels(set(labels[0]))
        index = {name: i for i, name in enumerate(class_names)}
        unknown = sorted({v for y in labels for v in y} - set(index))
        if unknown:
            raise DatasetError(
                f"{path}: labels {unknown[:10]} are not among the class names {list(class_names)[:10]}"
            )
        return [np.asarray([index[v] for v in y], dtype=np.int32) for y in labels], class_names
    count = max(int(y.max()) for y in labels if len(y)) + 1
    if given is not None and len(given) < count:
        raise DatasetError(
            f"{path}: label {count - 1} needs {count} class_names, but class_names has {len(given)}"
        )
    return [y.astype(np.int32) for y in labels], given or tuple(str(i) for i in range(count))


def _images(x: npt.NDArray[Any], key: str, path: Path) -> npt.NDArray[Any]:
    """(n, h, w, c) pixels: uint8 0..255, or floats in [0, 1] or 0..255, never clipped or rescaled silently."""
    if x.dtype.kind not in _NUMERIC_KINDS or x.ndim not in (3, 4):
        raise DatasetError(
            f"{path}: {key} must be images shaped (n, height, width[, channels]), got {x.dtype} {x.shape}"
        )
    x = x[..., np.newaxis] if x.ndim == 3 else x
    if x.shape[-1] not in IMAGE_CHANNELS:
        raise DatasetError(
            f"{path}: {key} has {x.shape[-1]} channels (shape {x.shape}); images need 1 (grayscale) or 3 (RGB)"
            + (": drop the alpha channel, e.g. x[..., :3]" if x.shape[-1] == 4 else "")
        )
    return x if x.dtype == np.uint8 else unit_pixels(x, f"{path}: {key}")


def _texts(x: npt.NDArray[Any], key: str, path: Path) -> list[str] | list[list[int]]:
    if x.ndim == 1 and (
        x.dtype.kind in _STRING_KINDS or (x.dtype == object and all(isinstance(v, str) for v in x))
    ):
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in x]
    if (x.ndim == 2 and x.dtype.kind in "iu") or (x.ndim == 1 and x.dtype == object):
        return token_sequences(x, path)
    raise DatasetError(
        f"{path}: {key} is {x.dtype} shaped {x.shape}; expected images (n, height, width[, channels]), "
        "texts (an array of strings), or token ids ((n, length) integers padded with 0, or an object array of lists)"
    )


class ArrayNpzSource(DatasetSource):
    """Arrays you already have, saved with `np.savez`; without x_test a stratified 20% test split is carved."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self.name = f"npz:{self.path}"
        self.kind = npz_kind(self.path)

    def fingerprint(self) -> Hashable:
        return files_fingerprint(self.path)

    def info(self, data_dir: Path) -> DatasetInfo:
        return DatasetInfo(
            name=self.name, kind=self.kind, input_shape=None, num_classes=None,
            description=f"arrays in {self.path}", cached=True,
        )  # fmt: skip

    def load_raw(self, data_dir: Path) -> RawSplits:
        arrays = load_npz(self.path)
        if ("x_test" in arrays) != ("y_test" in arrays):
            raise DatasetError(
                f"{self.path}: give x_test and y_test together, or neither (a test split is then carved)"
            )
        splits = ("train", "test") if "x_test" in arrays else ("train",)
        if self.kind is DataKind.IMAGE and len(splits) == 2:
            train_shape, test_shape = arrays["x_train"].shape[1:], arrays["x_test"].shape[1:]
            if train_shape != test_shape:
                raise DatasetError(
                    f"{self.path}: x_train images are shaped {train_shape} but x_test images {test_shape}"
                )
        xs = [self._examples(arrays[f"x_{split}"], f"x_{split}") for split in splits]
        ys = [_label_array(np.asarray(arrays[f"y_{split}"]), f"y_{split}", self.path) for split in splits]
        for split, x, y in zip(splits, xs, ys, strict=True):
            if len(x) != len(y):
                raise DatasetError(
                    f"{self.path}: x_{split} has {len(x)} examples but y_{split} has {len(y)} labels"
                )
        if len(ys[0]) < 2:
            raise DatasetError(f"{self.path}: x_train holds {len(ys[0])} example(s); a classifier needs more")
        if len({y.dtype == object for y in ys}) == 2:
            raise DatasetError(
                f"{self.path}: y_train and y_test must both be class indices or both be class names"
            )
        labels, class_names = _class_indices(ys, arrays.get("class_names"), self.path)
        if len(xs) == 2:
            return RawSplits(xs[0], labels[0], xs[1], labels[1], class_names, self.kind)
        keep, held = split_validation(labels[0], USER_TEST_FRACTION, FIXED_SPLIT_SEED, what="test")
        x = xs[0]
        train, test = (
            (x[keep], x[held]) if isinstance(x, np.ndarray) else ([x[i] for i in keep], [x[i] for i in held])
        )
        return RawSplits(train, labels[0][keep], test, labels[0][held], class_names, self.kind)

    def _examples(self, x: npt.NDArray[Any], key: str) -> npt.NDArray[Any] | list[str] | list[list[int]]:
        return _images(x, key, self.path) if self.kind is DataKind.IMAGE else _texts(x, key, self.path)
