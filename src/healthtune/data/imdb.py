"""IMDB movie reviews (Maas et al., 2011): the aclImdb tree, from aclImdb_v1.tar.gz or extracted."""

from __future__ import annotations

import re
import tarfile
import zlib
from pathlib import Path

import numpy as np

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.download import RemoteFile
from healthtune.data.remote import RemoteSource, locate

_ARCHIVE = "aclImdb_v1.tar.gz"
_LABELS = {"neg": 0, "pos": 1}
_MEMBER_RE = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/([^/]+\.txt)$")
_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)

Reviews = dict[str, list[tuple[str, int, str]]]  # split -> (filename, label, text)


def _clean(raw: bytes) -> str:
    return _BREAK_RE.sub(" ", raw.decode("utf-8", errors="replace"))


def _from_tarball(tarball: Path) -> Reviews:
    reviews: Reviews = {"train": [], "test": []}
    try:
        with tarfile.open(tarball, "r:*") as tar:
            for info in tar:
                match = _MEMBER_RE.search(info.name)
                if match and info.isfile():
                    handle = tar.extractfile(info)
                    if handle is not None:
                        split, label, filename = match.groups()
                        reviews[split].append((filename, _LABELS[label], _clean(handle.read())))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"cannot read {tarball}: {exc}") from exc
    return reviews


def _from_directory(root: Path) -> Reviews:
    reviews: Reviews = {"train": [], "test": []}
    for split in reviews:
        for label, index in _LABELS.items():
            folder = root / split / label
            if not folder.is_dir():
                raise DatasetError(f"{root} is not a complete aclImdb tree: missing {split}/{label}/")
            for file in folder.glob("*.txt"):
                reviews[split].append((file.name, index, _clean(file.read_bytes())))
    return reviews


class ImdbSource(RemoteSource):
    """IMDB sentiment: 25,000 training and 25,000 test movie reviews, negative or positive."""

    name = "imdb"
    kind = DataKind.TEXT
    input_shape = None  # (sequence_length,) after tokenization
    class_names = ("negative", "positive")
    description = "Movie reviews labelled negative/positive; 25,000 train + 25,000 test (Maas et al. 2011)"
    download_size_mb = 84.1
    files = (
        RemoteFile(
            _ARCHIVE,
            ("https://ai.stanford.edu/~amaas/data/sentiment/" + _ARCHIVE,),
            "md5:7c2ac02c03563afcf9b574c7e56c153a",
        ),
    )

    def read_distribution(self, path: Path) -> RawSplits:
        if path.is_file():
            reviews = _from_tarball(path)
        elif (tarball := locate(path, (_ARCHIVE,), depth=1)) is not None and tarball.is_file():
            reviews = _from_tarball(tarball)
        elif (tree := locate(path, ("aclImdb",), depth=1)) is not None and tree.is_dir():
            reviews = _from_directory(tree)
        elif (path / "train").is_dir() and (path / "test").is_dir():
            reviews = _from_directory(path)
        else:
            raise DatasetError(
                f"{path} holds neither {_ARCHIVE} nor an aclImdb/ tree (train|test/pos|neg/*.txt)"
            )
        for split, items in reviews.items():
            if not items:
                raise DatasetError(f"{path}: no reviews found in aclImdb/{split}/pos and aclImdb/{split}/neg")
            items.sort(key=lambda item: (item[1], _review_order(item[0])))
        return RawSplits(
            x_train=[text for _, _, text in reviews["train"]],
            y_train=np.asarray([label for _, label, _ in reviews["train"]], dtype=np.int32),
            x_test=[text for _, _, text in reviews["test"]],
            y_test=np.asarray([label for _, label, _ in reviews["test"]], dtype=np.int32),
            class_names=self.class_names,
            kind=self.kind,
        )


def _review_order(filename: str) -> tuple[int, str]:
    """aclImdb files are named {id}_{rating}.txt: order by id, numerically."""
    head = filename.split("_", 1)[0]
    return (int(head), filename) if head.isdigit() else (1 << 62, filename)
