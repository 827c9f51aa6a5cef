"""Reader for Keras dataset .npz files (mnist.npz-style images, imdb.npz / reuters.npz token sequences)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.safeload import load_npz

# keras.datasets.reuters splits its single x/y file with this seed and test share; we do the same so
# that an imported reuters.npz gives the same train/test split as keras.datasets.reuters.load_data().
KERAS_SPLIT_SEED = 113
KERAS_TEST_SPLIT = 0.2


def _split_keys(arrays: dict[str, npt.NDArray[Any]], path: Path) -> tuple[npt.NDArray[Any], ...]:
    if {"x_train", "y_train", "x_test", "y_test"} <= arrays.keys():
        return arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"]
    if {"x", "y"} <= arrays.keys():  # reuters.npz: one pool, split like Keras does
        xs, ys = arrays["x"], arrays["y"]
        if len(xs) != len(ys):
            raise DatasetError(f"{path}: x has {len(xs)} entries but y has {len(ys)}")
        order = np.arange(len(xs))
        np.random.RandomState(KERAS_SPLIT_SEED).shuffle(order)
        xs, ys = xs[order], ys[order]
        cut = int(len(xs) * (1 - KERAS_TEST_SPLIT))
        return xs[:cut], ys[:cut], xs[cut:], ys[cut:]
    raise DatasetError(
        f"{path} holds arrays {sorted(arrays)}; expected x_train, y_train, x_test, y_test "
        "(or x, y as in Keras' reuters.npz)"
    )


def _images(x: npt.NDArray[Any], path: Path) -> npt.NDArray[Any]:
    if x.dtype == object or x.ndim not in (3, 4):
        raise DatasetError(
            f"{path}: images must be a numeric array shaped (n, height, width[, channels]), got "
            f"{x.dtype} {x.shape}"
        )
    return x[..., np.newaxis] if x.ndim == 3 else x


def token_sequences(x: npt.NDArray[Any], path: Path) -> list[list[int]]:
    """Integer token sequences from a (n, length) array padded with 0 or an object array of lists."""
    try:
        if x.dtype != object and x.ndim == 2:
            return [[int(v) for v in row if v != 0] for row in x]  # already padded with 0
        return [np.asarray(seq, dtype=np.int64).ravel().tolist() for seq in x]
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{path}: expected integer token sequences ({exc})") from exc


def read_keras_npz(path: Path, kind: DataKind, class_names: tuple[str, ...]) -> RawSplits:
    """Read a Keras-style .npz into raw splits.

    Images: x_* numeric (n, h, w) or (n, h, w, c). Text: x_* object arrays of integer word ranks as in
    Keras' imdb.npz / reuters.npz (1 = most frequent word; no start/offset characters added).
    """
    x_train, y_train, x_test, y_test = _split_keys(load_npz(path), path)
    labels = []
    for y in (y_train, y_test):
        try:
            labels.append(np.asarray(y).astype(np.int64).ravel().astype(np.int32))
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{path}: labels must be integers ({exc})") from exc
    if kind is DataKind.IMAGE:
        return RawSplits(
            x_train=_images(x_train, path),
            y_train=labels[0],
            x_test=_images(x_test, path),
            y_test=labels[1],
            class_names=class_names,
            kind=kind,
        )
    return RawSplits(
        x_train=token_sequences(x_train, path),
        y_train=labels[0],
        x_test=token_sequences(x_test, path),
        y_test=labels[1],
        class_names=class_names,
        kind=kind,
    )
