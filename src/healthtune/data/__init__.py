"""healthtune's dataset layer: public datasets (downloaded, verified, cached), user image folders and CSVs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthtune.core.lazy import lazy_exports

if TYPE_CHECKING:
    from healthtune.data.base import DataKind, Dataset, DatasetInfo, DatasetSource, RawSplits
    from healthtune.data.loading import clear_dataset_cache, import_dataset, load_dataset
    from healthtune.data.names import DATASET_NAMES, dataset_slug
    from healthtune.data.registry import dataset_kind, list_datasets, resolve_source, validate_dataset_name
    from healthtune.data.store import default_data_dir

# Imported on first use: reading a default or checking a name's form must not load every loader (and Pillow).
_EXPORTS = {
    "DataKind": "healthtune.data.base",
    "Dataset": "healthtune.data.base",
    "DatasetInfo": "healthtune.data.base",
    "DatasetSource": "healthtune.data.base",
    "RawSplits": "healthtune.data.base",
    "clear_dataset_cache": "healthtune.data.loading",
    "import_dataset": "healthtune.data.loading",
    "load_dataset": "healthtune.data.loading",
    "DATASET_NAMES": "healthtune.data.names",
    "dataset_slug": "healthtune.data.names",
    "dataset_kind": "healthtune.data.registry",
    "list_datasets": "healthtune.data.registry",
    "resolve_source": "healthtune.data.registry",
    "validate_dataset_name": "healthtune.data.registry",
    "default_data_dir": "healthtune.data.store",
}


__getattr__ = lazy_exports("healthtune.data", _EXPORTS, globals())


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
