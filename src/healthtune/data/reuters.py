"""Reuters newswire topics as distributed by Keras (reuters.npz: 11,228 token sequences, 46 topics)."""

from __future__ import annotations

from pathlib import Path

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.download import RemoteFile
from healthtune.data.keras_npz import read_keras_npz
from healthtune.data.remote import RemoteSource, locate

_ARCHIVE = "reuters.npz"

# Topic names in label order, as keras.datasets.reuters.get_label_names() returns them.
REUTERS_TOPICS = (
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
)


class ReutersSource(RemoteSource):
    """Keras' Reuters-21578 topic set: word-rank sequences, split 80/20 with Keras' seed (113)."""

    name = "reuters"
    kind = DataKind.TEXT
    input_shape = None
    class_names = REUTERS_TOPICS
    description = "Reuters newswires, 46 topics, pre-tokenized word ranks (Keras' reuters.npz); 8,982 + 2,246"
    download_size_mb = 2.1
    files = (
        RemoteFile(
            _ARCHIVE,
            ("https://storage.googleapis.com/tensorflow/tf-keras-datasets/" + _ARCHIVE,),
            "sha256:d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
        ),
    )

    def read_distribution(self, path: Path) -> RawSplits:
        found = path if path.is_file() else locate(path, (_ARCHIVE,), depth=1)
        if found is None or not found.is_file():
            raise DatasetError(
                f"{path} does not contain {_ARCHIVE} (Keras' Reuters file with arrays x and y)"
            )
        return read_keras_npz(found, self.kind, self.class_names)
