"""Real Fashion-MNIST images from ../shared/datasets, as the uint8 arrays a user would hold."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # fmt: skip


def fashion_mnist(shared_datasets: Path, split: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` images ((n, 28, 28) uint8) and labels of split "train" or "t10k"."""
    folder = shared_datasets / "fashion-mnist"
    with gzip.open(folder / f"{split}-images-idx3-ubyte.gz") as handle:
        images = np.frombuffer(handle.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz") as handle:
        labels = np.frombuffer(handle.read(), np.uint8, offset=8)
    return images[:count], labels[:count]
