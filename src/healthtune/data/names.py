"""Dataset names and their forms, checked without reading any file or importing any loader."""

from __future__ import annotations

import re
from pathlib import Path

from healthtune.core.exceptions import ConfigError

DATASET_NAMES: tuple[str, ...] = (
    "digits",
    "mnist",
    "fashion_mnist",
    "cifar10",
    "cifar100",
    "gtsrb",
    "imdb",
    "reuters",
)
USER_FORMS = (
    "images:PATH (a folder with one sub-folder of images per class), texts:PATH (a folder with one "
    "sub-folder of .txt files per class), csv:PATH (a CSV with label,text columns) or npz:PATH (arrays "
    "x_train, y_train[, x_test, y_test] saved with numpy.savez)"
)
USER_PREFIXES = ("images", "texts", "csv", "npz")


def check_dataset_form(name: str) -> None:
    """ConfigError for a dataset name no file could make valid (empty, or a form without its path);
    reads nothing: whether a path exists is checked where a run starts (validate_dataset_name)."""
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"dataset must be a non-empty string, got {name!r}; valid names: {', '.join(DATASET_NAMES)}"
        )
    for form in USER_PREFIXES:
        if name.strip().startswith(f"{form}:") and not name.strip()[len(form) + 1 :].strip():
            raise ConfigError(f"dataset {name.strip()!r} names no path; expected {form}:PATH")


def dataset_slug(name: str) -> str:
    """A short, file-name-safe name: the registry name, or the folder or file name (without .csv/.npz;
    the folder's name for a train.csv or a train/ folder, named after their role, not their data)."""
    prefixes = tuple(f"{form}:" for form in USER_PREFIXES)
    source = Path(name.strip().split(":", 1)[1] if name.strip().startswith(prefixes) else name.strip())
    base = source.stem if source.suffix.lower() in (".csv", ".npz") else source.name
    if (
        source.name.lower() in ("train.csv", "train") and source.parent.name
    ):  # named after its role: the folder's
        base = source.parent.name
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base).strip("_.-") or "dataset"
