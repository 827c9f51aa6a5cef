"""Folders with one sub-folder per class (images or texts): their train/ and test/ roots, and their files."""

from __future__ import annotations

import abc
from collections.abc import Hashable
from pathlib import Path

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DatasetInfo, DatasetSource, files_fingerprint

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".gif", ".webp", ".tif", ".tiff"}
)
TEXT_EXTENSIONS = frozenset({".txt"})


def split_roots(path: Path, what: str) -> tuple[Path, Path | None]:
    """(train root, test root), or (the folder, None) without both train/ and test/ sub-folders."""
    if not path.is_dir():
        raise DatasetError(f"{what} {path} does not exist or is not a directory")
    train, test = path / "train", path / "test"
    if train.is_dir() and test.is_dir():
        return train, test
    return path, None


def class_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def files_in(folder: Path, extensions: frozenset[str]) -> list[Path]:
    """Files below `folder` (sub-folders too) ending in one of `extensions`, hidden ones left out."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in extensions and not p.name.startswith(".")
    )


def scan_classes(root: Path, extensions: frozenset[str] = IMAGE_EXTENSIONS) -> dict[str, list[Path]]:
    """Class name -> files; DatasetError when there are no class folders or one has no such file."""
    what = "texts" if extensions == TEXT_EXTENSIONS else "images"
    example = "*.txt" if what == "texts" else "*.png"
    folders = class_dirs(root)
    if not folders:
        raise DatasetError(
            f"{root} has no class sub-folders; expected one folder per class, e.g. {root}/cats/{example}"
        )
    classes = {folder.name: files_in(folder, extensions) for folder in folders}
    empty = [name for name, files in classes.items() if not files]
    if empty:
        raise DatasetError(
            f"class folder {root / empty[0]} contains no {what} "
            f"(expected files ending in {', '.join(sorted(extensions))})"
        )
    return classes


PEEK_FOLDERS = 50
PEEK_ENTRIES = 200
"""How much of a folder holds_texts looks at: enough to tell texts from images, cheap on any tree
(a user may type "/" in the form, and it is checked as they type)."""


def _mostly_texts(folder: Path) -> bool | None:
    """Among the first entries below `folder`: more .txt files than images (None: neither seen)."""
    texts = images = 0
    for seen, path in enumerate(folder.rglob("*")):
        if seen >= PEEK_ENTRIES:
            break
        suffix = path.suffix.lower()
        if suffix in TEXT_EXTENSIONS or suffix in IMAGE_EXTENSIONS:
            texts += suffix in TEXT_EXTENSIONS
            images += suffix in IMAGE_EXTENSIONS
    return None if texts == images == 0 else texts > images


def holds_texts(root: Path) -> bool:
    """Do the class folders under `root` (or its train/) hold mostly .txt files, not images (a peek, not a
    walk: a README.txt among pictures leaves an image folder an image folder)?"""
    train, _ = split_roots(root, "folder")
    votes = [
        vote for folder in class_dirs(train)[:PEEK_FOLDERS] if (vote := _mostly_texts(folder)) is not None
    ]
    return bool(votes) and all(votes)


class ClassFolderSource(DatasetSource, abc.ABC):
    """A user folder with one sub-folder per class (optionally under train/ and test/), named PREFIX:PATH."""

    prefix: str  # images or texts
    what: str  # for messages: "image folder", "text folder"

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self.name = f"{self.prefix}:{self.path}"

    def roots(self) -> tuple[Path, Path | None]:
        """(train root, test root), or (the folder, None) without train/ and test/ sub-folders."""
        return split_roots(self.path, self.what)

    def fingerprint(self) -> Hashable:
        return files_fingerprint(self.path)

    def info(self, data_dir: Path) -> DatasetInfo:
        train_root, _ = self.roots()
        names = tuple(folder.name for folder in class_dirs(train_root))
        return DatasetInfo(
            name=self.name,
            kind=self.kind,
            input_shape=None,
            num_classes=len(names),
            class_names=names,
            description=f"{self.what} {self.path}",
            cached=True,
        )
