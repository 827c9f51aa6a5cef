"""Image folders with 16-bit, 32-bit integer and float images scale by their real range into [0, 1]."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from healthtune.core.exceptions import DatasetError
from healthtune.data import Dataset, load_dataset

SIZE = (6, 8)  # height, width


def _all_examples(ds: Dataset) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
    x = np.concatenate([ds.x_train, ds.x_val, ds.x_test])
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    return x, y


def _assert_examples_are(ds: Dataset, expected: dict[int, list[npt.NDArray[np.float32]]]) -> None:
    """Every example equals exactly one expected array of its class, and every expected one is used."""
    x, y = _all_examples(ds)
    assert x.dtype == np.float32
    assert len(x) == sum(len(v) for v in expected.values())
    unused = {label: list(arrays) for label, arrays in expected.items()}
    for image, label in zip(x, y, strict=True):
        matches = [i for i, e in enumerate(unused[int(label)]) if np.array_equal(image, e)]
        assert matches, f"an example of class {label} matches none of the expected arrays"
        unused[int(label)].pop(matches[0])


def _gray16(base: int, rng: np.random.Generator) -> npt.NDArray[np.uint16]:
    return (base + rng.integers(0, 200, size=SIZE)).astype(np.uint16)


def _png16(path: Path, pixels: npt.NDArray[np.uint16], color_type: int) -> None:
    """A 16-bit PNG written by hand (Pillow cannot write 16-bit RGB): 0 = gray, 2 = RGB, 4 = gray+alpha."""
    height, width = pixels.shape[:2]
    raw = b"".join(b"\x00" + pixels[row].astype(">u2").tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _tiff16_rgb(path: Path, pixels: npt.NDArray[np.uint16]) -> None:
    """An uncompressed little-endian 16-bit RGB TIFF written by hand (Pillow cannot write one)."""
    height, width = pixels.shape[:2]
    data = pixels.astype("<u2").tobytes()
    entries = [  # tag, type (3 = SHORT, 4 = LONG), count, value (or offset)
        (256, 3, 1, width),
        (257, 3, 1, height),
        (258, 3, 3, 134),  # BitsPerSample: 16, 16, 16 stored right after the IFD
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 2),  # RGB
        (273, 4, 1, 140),  # the pixel data follows the BitsPerSample values
        (277, 3, 1, 3),
        (278, 3, 1, height),
        (279, 4, 1, len(data)),
        (284, 3, 1, 1),  # chunky (RGBRGB...)
    ]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHIHH", tag, kind, count, value, 0)
        if kind == 3 and count == 1
        else struct.pack("<HHII", tag, kind, count, value)
        for tag, kind, count, value in entries
    )
    head = b"II" + struct.pack("<HI", 42, 8) + ifd + struct.pack("<I", 0)
    assert len(head) == 134
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head + struct.pack("<3H", 16, 16, 16) + data)


def _save(path: Path, image: Image.Image) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def test_16bit_grayscale_png_keeps_the_classes_apart(tmp_path: Path, data_dir: Path) -> None:
    rng = np.random.default_rng(0)
    root = tmp_path / "scans"
    expected: dict[int, list[npt.NDArray[np.float32]]] = {0: [], 1: []}
    for label, (name, base) in enumerate((("a", 1000), ("b", 60000))):
        for i in range(5):
            pixels = _gray16(base, rng)
            _save(root / name / f"{i}.png", Image.fromarray(pixels))
            expected[label].append((pixels.astype(np.float32) / np.float32(65535.0))[..., np.newaxis])
    with Image.open(root / "a" / "0.png") as img:
        assert img.mode == "I;16"  # what Pillow makes of a 16-bit grayscale PNG
    ds = load_dataset(f"images:{root}", validation_split=0.2, seed=0)
    assert ds.input_shape == (*SIZE, 1)
    x, y = _all_examples(ds)
    assert x.min() >= 0.0 and x.max() <= 1.0
    means = [float(x[y == label].mean()) for label in (0, 1)]
    assert 0.015 < means[0] < 0.02 and 0.91 < means[1] < 0.92  # ~1100/65535 and ~60100/65535
    _assert_examples_are(ds, expected)


def test_16bit_grayscale_is_resized_without_losing_its_scale(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "scans"
    for name, value in (("dark", 1000), ("bright", 60000)):
        for i in range(4):
            _save(root / name / f"{i}.png", Image.fromarray(np.full((20, 30), value + i, dtype=np.uint16)))
    ds = load_dataset(str(root), validation_split=0.25, seed=0, image_size=(5, 7))
    assert ds.input_shape == (5, 7, 1)
    x, y = _all_examples(ds)
    for image, label in zip(x, y, strict=True):
        base = 60000 if ds.class_names[label] == "bright" else 1000
        assert image.min() == pytest.approx(image.max(), abs=1e-6)  # still a flat image
        assert base / 65535 - 1e-6 <= float(image.mean()) <= (base + 3) / 65535 + 1e-6


def _tiff_i16(path: Path, pixels: npt.NDArray[np.uint16]) -> None:
    _save(path, Image.fromarray(pixels))


def _tiff_i16_big_endian(path: Path, pixels: npt.NDArray[np.uint16]) -> None:
    height, width = pixels.shape
    _save(path, Image.frombytes("I;16B", (width, height), pixels.astype(">u2").tobytes()))


def _tiff_i32(path: Path, pixels: npt.NDArray[np.uint16]) -> None:
    _save(path, Image.fromarray(pixels.astype(np.int32)))


def _pgm16(path: Path, pixels: npt.NDArray[np.uint16]) -> None:
    _save(path, Image.fromarray(pixels))


_WRITERS: dict[str, tuple[Callable[[Path, npt.NDArray[np.uint16]], None], str, str]] = {
    "tiff I;16": (_tiff_i16, ".tif", "I;16"),
    "tiff I;16B": (_tiff_i16_big_endian, ".tiff", "I;16B"),
    "tiff I (32-bit int)": (_tiff_i32, ".tif", "I"),
    "pgm 16-bit": (_pgm16, ".pgm", "I"),
}


@pytest.mark.parametrize("kind", sorted(_WRITERS))
def test_16bit_values_in_other_formats_and_modes(kind: str, tmp_path: Path, data_dir: Path) -> None:
    write, suffix, mode = _WRITERS[kind]
    rng = np.random.default_rng(1)
    root = tmp_path / "scans"
    expected: dict[int, list[npt.NDArray[np.float32]]] = {0: [], 1: []}
    for label, (name, base) in enumerate((("a", 500), ("b", 65000))):
        for i in range(3):
            pixels = _gray16(base, rng) if base < 65000 else np.minimum(_gray16(base, rng), 65535)
            write(root / name / f"{i}{suffix}", pixels)
            expected[label].append((pixels.astype(np.float32) / np.float32(65535.0))[..., np.newaxis])
    with Image.open(root / "a" / f"0{suffix}") as img:
        assert img.mode == mode
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    assert ds.input_shape == (*SIZE, 1)
    _assert_examples_are(ds, expected)


def test_12bit_pgm_is_stretched_to_16_bits_by_pillow(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "scans"
    for name, value in (("a", 100), ("b", 4095)):
        for i in range(3):
            path = root / name / f"{i}.pgm"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"P5 8 6 4095\n" + np.full(SIZE, value, dtype=">u2").tobytes())
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    x, y = _all_examples(ds)
    assert np.allclose(x[y == 1], 1.0)  # maxval 4095 is white
    assert np.allclose(x[y == 0], round(100 / 4095 * 65535) / 65535)


def test_float_images_in_unit_range_are_kept(tmp_path: Path, data_dir: Path) -> None:
    rng = np.random.default_rng(2)
    root = tmp_path / "maps"
    expected: dict[int, list[npt.NDArray[np.float32]]] = {0: [], 1: []}
    for label, name in enumerate(("a_low", "b_high")):
        for i in range(3):
            pixels = (rng.random(SIZE) * 0.3 + 0.7 * label).astype(np.float32)
            _save(root / name / f"{i}.tif", Image.fromarray(pixels))
            expected[label].append(pixels[..., np.newaxis])
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    _assert_examples_are(ds, expected)


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (np.full(SIZE, 70000, dtype=np.int32), "70000"),
        (np.full(SIZE, -5, dtype=np.int32), "-5"),
        (np.full(SIZE, 300.0, dtype=np.float32), "300"),
        (np.full(SIZE, -0.5, dtype=np.float32), "-0.5"),
        (np.full(SIZE, np.nan, dtype=np.float32), "not finite"),
    ],
)
def test_out_of_range_images_are_an_error_naming_the_file(
    pixels: npt.NDArray[np.generic], message: str, tmp_path: Path, data_dir: Path
) -> None:
    root = tmp_path / "scans"
    for name in ("a", "b"):
        for i in range(3):
            _save(root / name / f"{i}.tif", Image.fromarray(np.zeros(SIZE, dtype=pixels.dtype)))
    bad = root / "b" / "1.tif"
    _save(bad, Image.fromarray(pixels))
    with pytest.raises(DatasetError, match=re.escape(str(bad))) as info:
        load_dataset(str(root), validation_split=0.5, seed=0)
    assert message in str(info.value)


def test_8bit_and_16bit_grayscale_mix(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "mixed"
    eight = np.arange(48, dtype=np.uint8).reshape(SIZE) + 100
    sixteen = (np.arange(48, dtype=np.uint16).reshape(SIZE) * 1000).astype(np.uint16)
    for i in range(3):
        _save(root / "a" / f"{i}.png", Image.fromarray(eight))
        _save(root / "b" / f"{i}.png", Image.fromarray(sixteen))
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    assert ds.input_shape == (*SIZE, 1)
    _assert_examples_are(
        ds,
        {
            0: [(eight.astype(np.float32) / np.float32(255.0))[..., np.newaxis]] * 3,
            1: [(sixteen.astype(np.float32) / np.float32(65535.0))[..., np.newaxis]] * 3,
        },
    )


def test_16bit_grayscale_next_to_rgb_becomes_three_equal_channels(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "mixed"
    sixteen = np.full(SIZE, 40000, dtype=np.uint16)
    color = np.zeros((*SIZE, 3), dtype=np.uint8)
    color[..., 0], color[..., 1], color[..., 2] = 200, 30, 90
    for i in range(3):
        _save(root / "gray" / f"{i}.png", Image.fromarray(sixteen))
        _save(root / "rgb" / f"{i}.png", Image.fromarray(color))
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    assert ds.input_shape == (*SIZE, 3)
    gray = np.repeat((sixteen.astype(np.float32) / np.float32(65535.0))[..., np.newaxis], 3, axis=-1)
    _assert_examples_are(ds, {0: [gray] * 3, 1: [color.astype(np.float32) / np.float32(255.0)] * 3})


@pytest.mark.parametrize("color_type", [2, 4])
def test_16bit_rgb_and_gray_alpha_png_are_read_as_8bit_by_pillow(
    color_type: int, tmp_path: Path, data_dir: Path
) -> None:
    channels = 3 if color_type == 2 else 2
    root = tmp_path / "photos"
    expected: dict[int, list[npt.NDArray[np.float32]]] = {0: [], 1: []}
    for label, (name, base) in enumerate((("a_dark", 1000), ("b_bright", 60000))):
        pixels = np.full((*SIZE, channels), base, dtype=np.uint16)
        pixels[..., -1] = 65535 - 7  # RGB: a blue channel; gray+alpha: an (ignored) alpha channel
        for i in range(3):
            _png16(root / name / f"{i}.png", pixels, color_type)
        high_byte = (pixels >> 8).astype(np.float32) / np.float32(255.0)  # Pillow keeps the high byte
        # Pillow opens 16-bit gray+alpha as RGBA (gray copied to R, G, B), alpha dropped: equal
        # channels everywhere, so the folder is grayscale again
        pixels_read = high_byte if color_type == 2 else high_byte[..., :1]
        expected[label] = [pixels_read] * 3
    with Image.open(root / "a_dark" / "0.png") as img:
        assert img.mode == ("RGB" if color_type == 2 else "RGBA")
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    assert ds.input_shape == (*SIZE, 3 if color_type == 2 else 1)
    _assert_examples_are(ds, expected)


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_8bit_folders_give_exactly_pixels_over_255(mode: str, tmp_path: Path, data_dir: Path) -> None:
    rng = np.random.default_rng(3)
    root = tmp_path / "eight"
    shape = SIZE if mode == "L" else (*SIZE, 3)
    expected: dict[int, list[npt.NDArray[np.float32]]] = {0: [], 1: []}
    for label, name in enumerate(("a", "b")):
        for i in range(4):
            pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
            suffix = (".png", ".bmp", ".tif", ".ppm" if mode == "RGB" else ".pgm")[i]
            _save(root / name / f"{i}{suffix}", Image.fromarray(pixels))
            unit = pixels.astype(np.float32) / np.float32(255.0)
            expected[label].append(unit[..., np.newaxis] if mode == "L" else unit)
        # one odd-sized image goes through the resize, exactly as before: Pillow bilinear on uint8
        odd = rng.integers(0, 256, size=(12, 11) if mode == "L" else (12, 11, 3), dtype=np.uint8)
        _save(root / name / "odd.png", Image.fromarray(odd))
        resized = np.asarray(Image.fromarray(odd).resize((SIZE[1], SIZE[0]), Image.Resampling.BILINEAR))
        unit = resized.astype(np.float32) / np.float32(255.0)
        expected[label].append(unit[..., np.newaxis] if mode == "L" else unit)
    ds = load_dataset(str(root), validation_split=0.2, seed=0)
    assert ds.input_shape == (*SIZE, 1 if mode == "L" else 3)
    _assert_examples_are(ds, expected)


def test_16bit_rgb_tiff_is_read_as_8bit_rgb_by_pillow(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "photos"
    expected: dict[int, list[npt.NDArray[np.float32]]] = {0: [], 1: []}
    for label, (name, base) in enumerate((("a_dark", 1000), ("b_bright", 60000))):
        pixels = np.full((*SIZE, 3), base, dtype=np.uint16)
        pixels[..., 1] = np.arange(48, dtype=np.uint16).reshape(SIZE) * 1300
        for i in range(3):
            _tiff16_rgb(root / name / f"{i}.tif", pixels)
        expected[label] = [(pixels >> 8).astype(np.float32) / np.float32(255.0)] * 3
    with Image.open(root / "a_dark" / "0.tif") as img:
        assert img.mode == "RGB"
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    assert ds.input_shape == (*SIZE, 3)
    _assert_examples_are(ds, expected)
