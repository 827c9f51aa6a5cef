"""Real Fashion-MNIST images from ../shared/datasets, as the uint8 arrays or PNG files a user would hold."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
from PIL import Image

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # fmt: skip


def fashion_mnist(shared_datasets: Path, split: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` images ((n, 28, 28) uint8) and labels of split "train" or "t10k"."""
    folder = shared_datasets / "fashion-mnist"
    with gzip.open(folder / f"{split}-images-idx3-ubyte.gz") as handle:
        images = np.frombuffer(handle.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz") as handle:
        labels = np.frombuffer(handle.read(), np.uint8, offset=8)
    return images[:count], labels[:count]


def png_bytes(pixels: np.ndarray) -> bytes:
    """An image file's bytes, as a user would upload it."""
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def clothes_folder(shared_datasets: Path, prefix: str = "", per_class: int = 12) -> dict[str, bytes]:
    """Archive members of an image folder: trousers and bags as PNGs under {prefix}{class}/, with
    the junk macOS adds when zipping (.DS_Store, __MACOSX/ resource forks)."""
    images, labels = fashion_mnist(shared_datasets, "train", 600)
    members: dict[str, bytes] = {}
    for label, name in ((1, "Trouser"), (8, "Bag")):
        for k, index in enumerate(np.flatnonzero(labels == label)[:per_class]):
            members[f"{prefix}{name}/{k}.png"] = png_bytes(images[index])
        members[f"{prefix}{name}/.DS_Store"] = b"\0junk"
        members[f"__MACOSX/{prefix}{name}/._0.png"] = b"\0resource fork"
    return members
