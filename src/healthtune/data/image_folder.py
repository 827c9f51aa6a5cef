"""User image folders: one sub-folder per class (optionally under train/ and test/), read with Pillow."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.class_folders import ClassFolderSource, scan_classes
from healthtune.data.defaults import FIXED_SPLIT_SEED, MAX_IMAGE_SIDE, USER_TEST_FRACTION
from healthtune.data.prepare import split_validation

logger = logging.getLogger(__name__)

_HIGH_DEPTH_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
"""Single-channel Pillow modes with more than 8 bits per pixel, read as float32 by their full range."""
_GRAY_MODES = frozenset({"1", "L", "LA"}) | _HIGH_DEPTH_MODES
_UINT16_MAX = 65535
_PIL_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


def _header(path: Path) -> tuple[tuple[int, int], str]:
    try:
        with Image.open(path) as img:
            return (img.height, img.width), img.mode
    except _PIL_ERRORS as exc:
        raise DatasetError(f"cannot read image {path}: {exc}") from exc


def pixel_range(values: npt.NDArray[Any], what: str) -> tuple[float, float]:
    """(lowest, highest) pixel value; DatasetError naming `what` for NaN or infinity."""
    if not np.isfinite(values).all():
        raise DatasetError(f"{what} has pixel values that are not finite (NaN or infinity)")
    return float(values.min()), float(values.max())


def _unit_pixels(img: Image.Image, path: Path) -> npt.NDArray[np.float32]:
    """A high-bit-depth image as float32 in [0, 1]: integers / 65535, floats kept; else DatasetError."""
    values = np.asarray(img)
    if img.mode == "F":
        low, high = pixel_range(values, f"float image {path}")
        if low < 0.0 or high > 1.0:
            raise DatasetError(
                f"float image {path} (Pillow mode F) has pixel values {low:g}..{high:g}; float images "
                "must lie in [0, 1] (rescale it, or save it as an 8- or 16-bit image)"
            )
        return values.astype(np.float32)
    low_int, high_int = int(values.min()), int(values.max())
    if low_int < 0 or high_int > _UINT16_MAX:
        raise DatasetError(
            f"image {path} (Pillow mode {img.mode}) has pixel values {low_int}..{high_int}; integer "
            f"images must lie in 0..{_UINT16_MAX} (16-bit data, divided by {_UINT16_MAX}); rescale it "
            "to 16 bits, or save it as a float image in [0, 1]"
        )
    return values.astype(np.float32) / np.float32(_UINT16_MAX)


def _read_high_depth(
    img: Image.Image, path: Path, size: tuple[int, int], mode: str
) -> npt.NDArray[np.float32]:
    unit = _unit_pixels(img, path)
    if unit.shape != size:
        resized = Image.fromarray(unit).resize((size[1], size[0]), Image.Resampling.BILINEAR)
        # bilinear weights are non-negative and sum to 1: this clip only removes float rounding noise
        unit = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)
    channels = 3 if mode == "RGB" else 1
    return np.repeat(unit[..., np.newaxis], channels, axis=-1)


def read_image(path: Path, size: tuple[int, int], mode: str, as_float: bool) -> npt.NDArray[Any]:
    """(height, width, channels) pixels: uint8, or float32 in [0, 1] when `as_float`.

    8-bit images are converted to `mode` by Pillow; high-bit-depth ones (16-bit, 32-bit integer, float)
    are scaled by their full range (`_unit_pixels`), never clipped, and always come back as float32.
    """
    try:
        with Image.open(path) as img:
            if img.mode in _HIGH_DEPTH_MODES:
                return _read_high_depth(img, path, size, mode)
            converted = img.convert(mode)
            if (converted.height, converted.width) != size:
                converted = converted.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            array = np.asarray(converted, dtype=np.uint8)
    except _PIL_ERRORS as exc:
        raise DatasetError(f"cannot read image {path}: {exc}") from exc
    array = array[..., np.newaxis] if array.ndim == 2 else array
    return array.astype(np.float32) / np.float32(255.0) if as_float else array


def _gray_in_rgb(x: npt.NDArray[Any]) -> bool:
    """Are red, green and blue equal in every pixel (grayscale pictures saved as RGB, e.g. by a JPEG tool)?"""
    return bool(np.array_equal(x[..., 0], x[..., 1]) and np.array_equal(x[..., 1], x[..., 2]))


def target_size(sizes: list[tuple[int, int]], image_size: tuple[int, int] | None) -> tuple[int, int]:
    """image_size if given, else the most common (height, width), shrunk so its longest side is <= 128."""
    if image_size is not None:
        return (int(image_size[0]), int(image_size[1]))
    height, width = Counter(sizes).most_common(1)[0][0]
    longest = max(height, width)
    if longest > MAX_IMAGE_SIDE:
        scale = MAX_IMAGE_SIDE / longest
        height, width = max(1, round(height * scale)), max(1, round(width * scale))
    return (height, width)


class ImageFolderSource(ClassFolderSource):
    """A folder of images, one sub-folder per class; `train/` + `test/` are used when both exist.

    Without them, a stratified 20% test split is carved with a fixed seed (the same for every trial).
    Images are resized to `image_size` (height, width), else to the most common size (longest side at
    most 128); they are RGB unless every image is grayscale. Pixels are uint8 when every image has
    8 bits per channel, else float32 in [0, 1] (16-bit integers / 65535, float images kept as they are).
    """

    kind = DataKind.IMAGE

    prefix = "images"
    what = "image folder"

    def __init__(self, path: Path, image_size: tuple[int, int] | None = None) -> None:
        super().__init__(path)
        self.image_size = image_size

    def load_raw(self, data_dir: Path) -> RawSplits:
        train_root, test_root = self.roots()
        train = scan_classes(train_root)
        class_names = tuple(train)
        test = scan_classes(test_root) if test_root is not None else {}
        unknown = sorted(set(test) - set(train))
        if unknown:
            raise DatasetError(f"{test_root} has classes {unknown} that {train_root} does not have")
        files = [(p, class_names.index(c)) for c, paths in train.items() for p in paths]
        test_files = [(p, class_names.index(c)) for c, paths in test.items() for p in paths]
        headers = [_header(p) for p, _ in files + test_files]
        size = target_size([h[0] for h in headers], self.image_size)
        mode = "L" if all(h[1] in _GRAY_MODES for h in headers) else "RGB"
        deep = sorted({h[1] for h in headers if h[1] in _HIGH_DEPTH_MODES})
        logger.info("reading %d images from %s as %s %dx%d", len(headers), self.path, mode, *size)
        if deep:
            logger.info("high-bit-depth images (Pillow modes %s): every image is scaled to [0, 1]", deep)
        as_float = bool(deep)
        x = np.stack([read_image(p, size, mode, as_float) for p, _ in files])
        y = np.asarray([label for _, label in files], dtype=np.int32)
        x_test = (
            np.stack([read_image(p, size, mode, as_float) for p, _ in test_files]) if test_files else None
        )
        if mode == "RGB" and _gray_in_rgb(x) and (x_test is None or _gray_in_rgb(x_test)):
            logger.info("every image has equal red, green and blue values: read as grayscale (one channel)")
            x, x_test = x[..., :1], None if x_test is None else x_test[..., :1]
        if test_root is not None and x_test is not None:
            y_test = np.asarray([label for _, label in test_files], dtype=np.int32)
            return RawSplits(x, y, x_test, y_test, class_names, self.kind)
        keep, held = split_validation(y, USER_TEST_FRACTION, FIXED_SPLIT_SEED, what="test")
        return RawSplits(x[keep], y[keep], x[held], y[held], class_names, self.kind)
