"""healthtune's dataset layer: public datasets (downloaded, verified, cached), user image folders and CSVs."""

from __future__ import annotations

from healthtune.data.base import DataKind, Dataset, DatasetInfo, DatasetSource, RawSplits
from healthtune.data.loading import clear_dataset_cache, import_dataset, load_dataset
from healthtune.data.registry import (
    DATASET_NAMES,
    dataset_kind,
    dataset_slug,
    list_datasets,
    resolve_source,
    validate_dataset_name,
)
from healthtune.data.store import default_data_dir

__all__ = [
    "DATASET_NAMES",
    "DataKind",
    "Dataset",
    "DatasetInfo",
    "DatasetSource",
    "RawSplits",
    "clear_dataset_cache",
    "dataset_kind",
    "dataset_slug",
    "default_data_dir",
    "import_dataset",
    "list_datasets",
    "load_dataset",
    "resolve_source",
    "validate_dataset_name",
]
