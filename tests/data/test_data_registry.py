"""Dataset names, user-source forms, the cache directory, the dataset list and argument checks."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from healthtune.core.exceptions import ConfigError
from healthtune.data import (
    DATASET_NAMES,
    DataKind,
    dataset_kind,
    default_data_dir,
    import_dataset,
    list_datasets,
    load_dataset,
    resolve_source,
    validate_dataset_name,
)
from healthtune.data.image_folder import ImageFolderSource
from healthtune.data.text_csv import TextCsvSource


def test_registry_names() -> None:
    assert DATASET_NAMES == (
        "digits",
        "mnist",
        "fashion_mnist",
        "cifar10",
        "cifar100",
        "gtsrb",
        "imdb",
        "reuters",
    )
    for name in DATASET_NAMES:
        validate_dataset_name(name)
    assert dataset_kind("cifar100") is DataKind.IMAGE
    assert dataset_kind("imdb") is DataKind.TEXT
    assert dataset_kind("reuters") is DataKind.TEXT


def test_unknown_name_lists_valid_names_and_user_forms() -> None:
    with pytest.raises(ConfigError) as info:
        validate_dataset_name("mnsit")
    message = str(info.value)
    assert "'mnsit'" in message
    for name in DATASET_NAMES:
        assert name in message
    assert "images:PATH" in message and "csv:PATH" in message


def test_user_source_forms(tmp_path: Path) -> None:
    folder = tmp_path / "pets"
    (folder / "cat").mkdir(parents=True)
    csv_dir = tmp_path / "news"
    csv_dir.mkdir()
    (csv_dir / "train.csv").write_text("label,text\na,hello\n")
    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text("label,text\na,hello\n")

    assert dataset_kind(f"images:{folder}") is DataKind.IMAGE
    assert dataset_kind(str(folder)) is DataKind.IMAGE
    assert dataset_kind(f"csv:{csv_dir}") is DataKind.TEXT
    assert dataset_kind(str(csv_dir)) is DataKind.TEXT
    assert dataset_kind(str(csv_file)) is DataKind.TEXT
    assert isinstance(resolve_source(str(folder)), ImageFolderSource)
    assert isinstance(resolve_source(f"csv:{csv_file}"), TextCsvSource)


@pytest.mark.parametrize("form", ["images:", "csv:", ""])
def test_missing_user_path_is_named(tmp_path: Path, form: str) -> None:
    missing = tmp_path / "nowhere" / ("data.csv" if form != "images:" else "pics")
    with pytest.raises(ConfigError, match=str(missing)):
        validate_dataset_name(f"{form}{missing}")


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    assert default_data_dir() == data_dir
    monkeypatch.delenv("HEALTHTUNE_DATA_DIR")
    assert default_data_dir() == Path(platformdirs.user_cache_dir("healthtune")) / "datasets"


def test_list_datasets(data_dir: Path) -> None:
    infos = {info.name: info for info in list_datasets()}
    assert tuple(infos) == DATASET_NAMES
    assert infos["digits"].cached is True
    assert infos["mnist"].cached is False
    assert infos["mnist"].input_shape == (28, 28, 1)
    assert infos["cifar100"].num_classes == 100 and len(infos["cifar100"].class_names) == 100
    assert infos["gtsrb"].num_classes == 43 and infos["gtsrb"].class_names[14] == "Stop"
    assert infos["reuters"].num_classes == 46 and infos["reuters"].class_names[3] == "earn"
    assert infos["imdb"].class_names == ("negative", "positive")
    assert infos["fashion_mnist"].class_names[9] == "Ankle boot"
    for info in infos.values():
        assert info.description
        assert info.download_size_mb is not None


@pytest.mark.parametrize("split", [0, 1, 0.0, 1.0, -0.1, 1.5])
def test_validation_split_must_be_inside_zero_one(split: float, data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="validation_split"):
        load_dataset("digits", validation_split=split, seed=0)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("max_samples", {"max_samples": 0}),
        ("vocab_size", {"vocab_size": 2}),
        ("sequence_length", {"sequence_length": 0}),
        ("image_size", {"image_size": (0, 8)}),
    ],
)
def test_bad_arguments_name_the_field(field: str, kwargs: dict[str, object], data_dir: Path) -> None:
    with pytest.raises(ConfigError, match=field):
        load_dataset("digits", validation_split=0.2, seed=0, **kwargs)


def test_digits_has_nothing_to_import(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="digits"):
        import_dataset("digits", tmp_path)
