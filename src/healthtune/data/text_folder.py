"""User text folders: one sub-folder of .txt files per class (optionally under train/ and test/), like Keras'
`text_dataset_from_directory` and the aclImdb layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.class_folders import TEXT_EXTENSIONS, ClassFolderSource, scan_classes
from healthtune.data.defaults import FIXED_SPLIT_SEED, USER_TEST_FRACTION
from healthtune.data.prepare import split_validation


def read_text(path: Path) -> str:
    """A text file as UTF-8 (a byte-order mark dropped); other encodings are an error naming the file."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"{path} is not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror}") from None


def _read_split(classes: dict[str, list[Path]], class_names: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    texts: list[str] = []
    labels: list[int] = []
    for name, files in classes.items():
        texts.extend(read_text(file) for file in files)
        labels.extend([class_names.index(name)] * len(files))
    return texts, np.asarray(labels, dtype=np.int32)


class TextFolderSource(ClassFolderSource):
    """Texts from a folder of class folders of .txt files; without train/ and test/, a stratified 20% is the test split.

    Class names are the sorted folder names; every .txt file below a class folder is one example.
    """

    kind = DataKind.TEXT

    prefix = "texts"
    what = "text folder"

    def load_raw(self, data_dir: Path) -> RawSplits:
        train_root, test_root = self.roots()
        train = scan_classes(train_root, TEXT_EXTENSIONS)
        class_names = tuple(train)
        texts, y = _read_split(train, class_names)
        if test_root is None:
            keep, held = split_validation(y, USER_TEST_FRACTION, FIXED_SPLIT_SEED, what="test")
            return RawSplits(
                [texts[i] for i in keep], y[keep], [texts[i] for i in held], y[held], class_names, self.kind
            )
        test = scan_classes(test_root, TEXT_EXTENSIONS)
        unknown = sorted(set(test) - set(class_names))
        if unknown:
            raise DatasetError(f"{test_root} has classes {unknown} that {train_root} does not have")
        test_texts, y_test = _read_split(test, class_names)
        return RawSplits(texts, y, test_texts, y_test, class_names, self.kind)
