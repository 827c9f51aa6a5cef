"""Turning RawSplits into a training-ready Dataset: subsample, validation split, normalize, tokenize."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, Dataset, RawSplits
from healthtune.data.defaults import MAX_VOCAB_SIZE
from healthtune.data.text import (
    build_vocabulary,
    derived_rank_vocab_size,
    derived_sequence_length,
    encode_rank_sequences,
    encode_tokens,
    tokenize,
)

logger = logging.getLogger(__name__)

Indices = npt.NDArray[np.intp]


def stratified_subsample(y: npt.NDArray[Any], n: int, seed: int) -> Indices:
    """`n` indices keeping the class proportions of `y` (largest-remainder rounding), seeded.

    Works for any n, also below the number of classes (the largest classes are served first).
    """
    if n >= len(y):
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    quotas = counts * (n / len(y))
    take = np.floor(quotas).astype(np.int64)
    order = np.argsort(-(quotas - take), kind="stable")
    take[order[: n - int(take.sum())]] += 1
    rng = np.random.default_rng(seed)
    picked = [
        rng.choice(np.flatnonzero(y == c), size=int(k), replace=False)
        for c, k in zip(classes, take, strict=True)
    ]
    return rng.permutation(np.concatenate(picked)).astype(np.intp)


def split_validation(
    y: npt.NDArray[Any], fraction: float, seed: int, *, what: str = "validation"
) -> tuple[Indices, Indices]:
    """Stratified, seeded (kept, held-out) indices; unstratified (with a warning) when it cannot be."""
    from sklearn.model_selection import train_test_split  # deferred: keeps `import healthtune.data` light

    indices = np.arange(len(y))
    _, counts = np.unique(y, return_counts=True)
    if counts.min() >= 2:
        try:
            train, val = train_test_split(indices, test_size=fraction, random_state=seed, stratify=y)
            return np.asarray(train, dtype=np.intp), np.asarray(val, dtype=np.intp)
        except ValueError as exc:  # e.g. fewer validation examples than classes
            logger.warning("the %s split cannot be stratified (%s); splitting at random", what, exc)
    else:
        logger.warning("a class has fewer than 2 examples; the %s split is not stratified", what)
    try:
        train, val = train_test_split(indices, test_size=fraction, random_state=seed)
    except ValueError as exc:
        raise DatasetError(
            f"cannot carve a {what} split of {fraction} from {len(y)} examples: {exc}"
        ) from exc
    return np.asarray(train, dtype=np.intp), np.asarray(val, dtype=np.intp)


def resize_images(x: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """Resize (n, h, w, c) uint8 images to (height, width) = size with bilinear filtering."""
    height, width = size
    channels = x.shape[-1]
    out = np.empty((len(x), height, width, channels), dtype=np.uint8)
    for i, image in enumerate(x):
        pil = Image.fromarray(image[..., 0] if channels == 1 else image)
        resized = np.asarray(pil.resize((width, height), Image.Resampling.BILINEAR))
        out[i] = resized.reshape(height, width, channels)
    return out


def to_unit_float(x: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    """uint8 0..255 -> float32 0..1; float data already in [0, 1] is kept, larger values are read as 0..255."""
    if x.dtype == np.uint8:
        return x.astype(np.float32) / np.float32(255.0)
    xf = x.astype(np.float32)
    if xf.size and float(xf.max()) > 1.0:
        scale = 255.0 if float(xf.max()) <= 255.0 else float(xf.max())
        xf /= np.float32(scale)
    return np.clip(xf, 0.0, 1.0)


def _as_uint8(x: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    return x if x.dtype == np.uint8 else np.round(to_unit_float(x) * 255.0).astype(np.uint8)


def _prepare_images(
    parts: list[npt.NDArray[Any]], image_size: tuple[int, int] | None
) -> list[npt.NDArray[Any]]:
    out = []
    for x in parts:
        if x.ndim == 3:
            x = x[..., np.newaxis]
        if image_size is not None and tuple(x.shape[1:3]) != tuple(image_size):
            x = resize_images(_as_uint8(x), image_size)
        out.append(to_unit_float(x))
    return out


def _take(x: Sequence[Any] | npt.NDArray[Any], idx: Indices) -> Any:
    return x[idx] if isinstance(x, np.ndarray) else [x[i] for i in idx]


def prepare_dataset(
    raw: RawSplits,
    *,
    name: str,
    validation_split: float,
    seed: int,
    max_samples: int | None,
    vocab_size: int | None,
    sequence_length: int | None,
    image_size: tuple[int, int] | None,
) -> Dataset:
    """Subsample (optional), carve the validation split, then normalize images or tokenize text.

    Text: an unset `vocab_size` or `sequence_length` is derived from the training part (data/defaults.py).
    """
    y_train_all = np.asarray(raw.y_train, dtype=np.int32)
    y_test_all = np.asarray(raw.y_test, dtype=np.int32)
    present = [raw.class_names[i] for i in np.unique(y_train_all)]
    if len(present) < 2:
        raise DatasetError(
            f"dataset {name!r} has training examples of {len(present)} class(es) {present}; a classifier "
            "needs at least 2 (an image folder needs one sub-folder of images per class)"
        )
    train_idx = np.arange(len(y_train_all))
    test_idx = np.arange(len(y_test_all))
    if max_samples is not None:
        train_idx = stratified_subsample(y_train_all, max_samples, seed)
        test_idx = stratified_subsample(y_test_all, max(max_samples // 4, 1), seed)
    fit_idx, val_idx = split_validation(y_train_all[train_idx], validation_split, seed)
    fit_idx, val_idx = train_idx[fit_idx], train_idx[val_idx]
    parts = [_take(raw.x_train, fit_idx), _take(raw.x_train, val_idx), _take(raw.x_test, test_idx)]
    labels = [y_train_all[fit_idx], y_train_all[val_idx], y_test_all[test_idx]]
    extras: dict[str, object] = {}
    vocab: int | None = None
    length: int | None = None
    if raw.kind is DataKind.IMAGE:
        arrays = _prepare_images([np.asarray(p) for p in parts], image_size)
    else:
        first = next((item for part in parts for item in part), "")
        if isinstance(first, str):
            tokens = [[tokenize(text) for text in part] for part in parts]
            vocabulary = build_vocabulary(tokens[0], vocab_size or MAX_VOCAB_SIZE)  # training part only
            length = sequence_length or derived_sequence_length([len(t) for t in tokens[0]])
            arrays = [encode_tokens(t, vocabulary, length) for t in tokens]
            vocab = len(vocabulary)
            extras["vocabulary"] = vocabulary
        else:
            vocab = vocab_size or derived_rank_vocab_size(parts[0])
            length = sequence_length or derived_sequence_length([len(seq) for seq in parts[0]])
            arrays = [encode_rank_sequences(p, vocab, length) for p in parts]
    return Dataset(
        name=name,
        kind=raw.kind,
        class_names=tuple(raw.class_names),
        x_train=arrays[0],
        y_train=labels[0],
        x_val=arrays[1],
        y_val=labels[1],
        x_test=arrays[2],
        y_test=labels[2],
        vocab_size=vocab,
        sequence_length=length,
        extras=extras,
    )
