"""Dataset names: the registry of public datasets and the images: / texts: / csv: / npz:PATH user-source forms."""

from __future__ import annotations

from pathlib import Path

from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.data.array_npz import ArrayNpzSource, npz_kind
from healthtune.data.base import DataKind, DatasetInfo, DatasetSource
from healthtune.data.cifar import Cifar10Source, Cifar100Source
from healthtune.data.class_folders import holds_texts
from healthtune.data.digits import DigitsSource
from healthtune.data.gtsrb import GtsrbSource
from healthtune.data.image_folder import ImageFolderSource
from healthtune.data.imdb import ImdbSource
from healthtune.data.mnist import FashionMnistSource, MnistSource
from healthtune.data.names import DATASET_NAMES, USER_FORMS, USER_PREFIXES
from healthtune.data.remote import RemoteSource
from healthtune.data.reuters import ReutersSource
from healthtune.data.store import default_data_dir
from healthtune.data.text_csv import TextCsvSource
from healthtune.data.text_folder import TextFolderSource

_REMOTE: dict[str, type[RemoteSource]] = {
    source.name: source
    for source in (
        MnistSource,
        FashionMnistSource,
        Cifar10Source,
        Cifar100Source,
        GtsrbSource,
        ImdbSource,
        ReutersSource,
    )
}
_KINDS: dict[str, DataKind] = {"digits": DataKind.IMAGE, **{n: s.kind for n, s in _REMOTE.items()}}


def unknown_dataset(name: str) -> ConfigError:
    return ConfigError(
        f"unknown dataset {name!r}; valid names: {', '.join(DATASET_NAMES)}; or a user source: {USER_FORMS}"
    )


def parse_dataset_name(name: str) -> tuple[str, Path | None]:
    """("registry", None), or (form, path) for images, texts, csv or npz; ConfigError for anything else."""
    try:
        return _parse_dataset_name(name)
    except OSError as error:  # a path the OS refuses to look at (too long, no permission)
        raise ConfigError(
            f"dataset {str(name)[:80]!r}...: cannot read that path ({error.strerror})"
        ) from None


def _parse_dataset_name(name: str) -> tuple[str, Path | None]:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"dataset must be a non-empty string, got {name!r}; valid names: {', '.join(DATASET_NAMES)}"
        )
    name = name.strip()
    if name in _KINDS:
        return "registry", None
    for form in USER_PREFIXES:
        if name.startswith(f"{form}:"):
            text = name[len(form) + 1 :].strip()
            if not text:
                raise ConfigError(f"dataset {name!r} names no path; expected {form}:PATH")
            path = Path(text).expanduser()
            if not path.exists():
                raise ConfigError(f"dataset {name!r}: path {path} does not exist")
            if form in ("images", "texts") and not path.is_dir():
                raise ConfigError(
                    f"dataset {name!r}: {path} is not a directory (expected one sub-folder per class)"
                )
            if form == "csv" and path.is_dir() and not (path / "train.csv").is_file():
                raise ConfigError(f"dataset {name!r}: directory {path} has no train.csv")
            if form == "npz":
                _check_npz(name, path)
            return form, path
    path = Path(name).expanduser()
    if path.is_file() and path.suffix.lower() == ".csv":
        return "csv", path
    if path.is_file() and path.suffix.lower() == ".npz":
        _check_npz(name, path)
        return "npz", path
    if path.is_dir():
        if (path / "train.csv").is_file():
            return "csv", path
        return ("texts" if holds_texts(path) else "images"), path
    if "/" in name or "\\" in name or name.lower().endswith((".csv", ".npz")):
        raise ConfigError(
            f"dataset path {path} does not exist; valid names: {', '.join(DATASET_NAMES)} or {USER_FORMS}"
        )
    raise unknown_dataset(name)


def _check_npz(name: str, path: Path) -> None:
    if not path.is_file():
        raise ConfigError(f"dataset {name!r}: {path} is not a file (expected an .npz saved with numpy.savez)")
    try:
        npz_kind(path)
    except DatasetError as error:
        raise ConfigError(f"dataset {name!r}: {error}") from None


def validate_dataset_name(name: str) -> None:
    """Raise ConfigError unless `name` is a registry name, a user form (images:, texts:, csv:, npz:PATH) or an existing folder/file."""
    parse_dataset_name(name)


def dataset_kind(name: str) -> DataKind:
    """Image or text, without loading anything (user sources: by their form)."""
    form, path = parse_dataset_name(name)
    if form == "registry":
        return _KINDS[name.strip()]
    if form == "npz" and path is not None:
        return npz_kind(path)
    return DataKind.IMAGE if form == "images" else DataKind.TEXT


def resolve_source(
    name: str, *, mirror_url: str | None = None, image_size: tuple[int, int] | None = None
) -> DatasetSource:
    """The source behind a dataset name (mirror_url applies to public datasets, image_size to folders)."""
    form, path = parse_dataset_name(name)
    if form == "images" and path is not None:
        return ImageFolderSource(path, image_size=image_size)
    if form == "texts" and path is not None:
        return TextFolderSource(path)
    if form == "csv" and path is not None:
        return TextCsvSource(path)
    if form == "npz" and path is not None:
        return ArrayNpzSource(path)
    key = name.strip()
    if key == "digits":
        return DigitsSource()
    return _REMOTE[key](mirror_url=mirror_url)


def remote_source(name: str, *, mirror_url: str | None = None) -> RemoteSource:
    """The downloadable source of a registry name; ConfigError for digits and user sources."""
    if name in _REMOTE:
        return _REMOTE[name](mirror_url=mirror_url)
    if name == "digits":
        raise ConfigError("dataset 'digits' ships with scikit-learn; there is nothing to download or import")
    raise ConfigError(f"cannot import {name!r}; importable datasets: {', '.join(_REMOTE)}")


def list_datasets(data_dir: Path | None = None) -> list[DatasetInfo]:
    """Registry datasets with kind, shape, classes, description, download size and cache state."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    return [resolve_source(name).info(directory) for name in DATASET_NAMES]
