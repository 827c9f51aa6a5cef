"""Folders with one sub-folder per class (images or texts): their train/ and test/ roots, and their files."""

from __future__ import annotations

from pathlib import Path

from healthtune.exceptions import DatasetError

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


def _holds(folder: Path, extensions: frozenset[str]) -> bool:
    return any(
        p.suffix.lower() in extensions and p.is_file() for p in folder.rglob("*")
    )  # stops at the first


def holds_texts(root: Path) -> bool:
    """Do the class folders under `root` (or its train/) hold .txt files and no images?"""
    train, _ = split_roots(root, "folder")
    folders = class_dirs(train)
    return any(_holds(folder, TEXT_EXTENSIONS) for folder in folders) and not any(
        _holds(folder, IMAGE_EXTENSIONS) for folder in folders
    )
