"""A run's input preparation as JSON (preprocessing.json), and the same steps applied to new inputs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, Dataset
from healthtune.data.image_folder import pixel_range, read_image
from healthtune.data.text import (
    OOV_INDEX,
    PAD_INDEX,
    TOKEN_RE,
    encode_rank_sequences,
    encode_tokens,
    tokenize,
)

PREPROCESSING_FORMAT = 1


def describe_preprocessing(dataset: Dataset) -> dict[str, Any]:
    """Everything needed to turn raw images or texts into what the run's models take, and back to labels."""
    record: dict[str, Any] = {
        "format": PREPROCESSING_FORMAT,
        "dataset": dataset.name,
        "kind": dataset.kind.value,
        "class_names": list(dataset.class_names),
        "input_shape": list(dataset.input_shape),
    }
    if dataset.kind is DataKind.IMAGE:
        height, width, channels = dataset.input_shape
        record["image"] = {
            "height": height,
            "width": width,
            "color_mode": "grayscale" if channels == 1 else "rgb",
            "pixels": "float32 in [0, 1]: 8-bit values divided by 255, resized bilinearly to height x width",
        }
    else:
        vocabulary = dataset.extras.get("vocabulary")
        record["text"] = {
            "sequence_length": dataset.sequence_length,
            "vocab_size": dataset.vocab_size,
            "lowercase": True,
            "token_pattern": TOKEN_RE.pattern,
            "pad_index": PAD_INDEX,
            "oov_index": OOV_INDEX,
            "padding": "post: the first sequence_length tokens are kept, shorter texts end in pad_index; "
            "a text without words is one oov_index",
            # None for pre-tokenized data (word ranks r become r + 1): then inputs are rank lists
            "vocabulary": list(vocabulary) if isinstance(vocabulary, list | tuple) else None,
        }
    return record


def with_model_channels(record: dict[str, Any], channels: int | None) -> dict[str, Any]:
    """The record, its colour mode matched to a model taking `channels` (1 or 3) per pixel.

    A record rebuilt for a run from before preprocessing.json can disagree with the model: a folder
    of grayscale pictures saved as RGB was read with 3 channels then, and with 1 now.
    """
    if record.get("kind") != DataKind.IMAGE.value or channels not in (1, 3):
        return record
    if record["input_shape"][-1] == channels:
        return record
    image = {**record["image"], "color_mode": "grayscale" if channels == 1 else "rgb"}
    return {**record, "input_shape": [*record["input_shape"][:-1], channels], "image": image}


def prepare_inputs(record: dict[str, Any], inputs: Any) -> npt.NDArray[Any]:
    """New raw inputs as a batch the run's models take (images: paths, PIL images or arrays; texts: strings)."""
    if record.get("kind") == DataKind.IMAGE.value:
        return _image_batch(record, inputs)
    text = record["text"]
    if isinstance(inputs, str):
        inputs = [inputs]
    items = list(inputs)
    if not items:
        raise DatasetError("no texts to predict")
    if text["vocabulary"] is None:
        if any(isinstance(item, str) for item in items):
            raise DatasetError(
                f"this run's data ({record['dataset']}) was pre-tokenized: give word-rank lists, not strings"
            )
        return encode_rank_sequences(items, text["vocab_size"], text["sequence_length"])
    if not all(isinstance(item, str) for item in items):
        raise DatasetError("inputs must be texts (a string or a list of strings) for this run's text model")
    return encode_tokens([tokenize(item) for item in items], text["vocabulary"], text["sequence_length"])


def _image_batch(record: dict[str, Any], inputs: Any) -> npt.NDArray[np.float32]:
    height, width, channels = record["input_shape"]
    if isinstance(inputs, np.ndarray):
        batch = inputs[..., np.newaxis] if inputs.ndim == 3 else inputs  # (n, h, w): grayscale images
        if batch.ndim != 4:
            raise DatasetError(
                f"an image array must be a batch shaped (n, height, width[, channels]), got {inputs.shape}; "
                "wrap a single image in a list"
            )
        if tuple(batch.shape[1:]) == (
            height,
            width,
            channels,
        ):  # the model's shape: only scaled, as in training
            return unit_pixels(batch, "the image array")
        inputs = list(batch)
    elif isinstance(inputs, str | Path | Image.Image):
        inputs = [inputs]
    items = list(inputs)
    if not items:
        raise DatasetError("no images to predict")
    mode = "L" if channels == 1 else "RGB"
    return np.stack([_one_image(item, (height, width), mode) for item in items]).astype(np.float32)


def _one_image(item: Any, size: tuple[int, int], mode: str) -> npt.NDArray[np.float32]:
    if isinstance(item, str | Path):
        return np.asarray(read_image(Path(item).expanduser(), size, mode, as_float=True), np.float32)
    if isinstance(item, np.ndarray):
        if not (item.ndim == 2 or (item.ndim == 3 and item.shape[-1] in (1, 3, 4))):
            raise DatasetError(
                f"an image must be shaped (height, width[, 1, 3 or 4 channels]), got {item.shape}"
            )
        pixels = np.round(unit_pixels(item, "an image array") * 255.0).astype(np.uint8)
        item = Image.fromarray(pixels[..., 0] if pixels.ndim == 3 and pixels.shape[-1] == 1 else pixels)
    if not isinstance(item, Image.Image):
        raise DatasetError(
            f"an image must be a file path, a PIL image or an array, got {type(item).__name__}"
        )
    image = item.convert(mode)
    if (image.height, image.width) != size:
        image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.float32) / np.float32(255.0)
    return array[..., np.newaxis] if array.ndim == 2 else array


def unit_pixels(x: npt.NDArray[Any], what: str) -> npt.NDArray[np.float32]:
    """uint8 / 255; floats in [0, 1] kept, 0..255 divided by 255; NaN, inf, < 0 or > 255 refused, not clipped."""
    if x.dtype == np.uint8:
        return x.astype(np.float32) / np.float32(255.0)
    values = np.asarray(x, dtype=np.float32)
    if not values.size:
        return values
    low, high = pixel_range(values, what)
    if low < 0.0 or high > 255.0:
        raise DatasetError(
            f"{what} has pixel values {low:g}..{high:g}; images must be uint8 0..255 or floats in [0, 1] "
            "(or 0..255). Pass the raw pixels: healthtune scales them itself (not standardized data)"
        )
    return values if high <= 1.0 else values / np.float32(255.0)


def check_record(record: Any, source: Path) -> dict[str, Any]:
    """The record read from `source`, or DatasetError when it is not one this version understands."""
    required: Sequence[str] = ("kind", "class_names", "input_shape")
    if not isinstance(record, dict) or any(key not in record for key in required):
        raise DatasetError(f"{source} is not a healthtune preprocessing record")
    if record.get("format", 0) > PREPROCESSING_FORMAT:
        raise DatasetError(f"{source} was written by a newer healthtune (format {record['format']})")
    return record
