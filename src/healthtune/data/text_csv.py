"""User text CSVs: `label,text` columns, a file or a directory with train.csv (+ optional test.csv)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Hashable
from pathlib import Path

import numpy as np

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, DatasetInfo, DatasetSource, RawSplits, files_fingerprint
from healthtune.data.defaults import FIXED_SPLIT_SEED, USER_TEST_FRACTION
from healthtune.data.prepare import split_validation

REQUIRED_COLUMNS = ("label", "text")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # news articles and reviews exceed the 128 KiB default


SHOWN_COLUMNS = 5
SHOWN_COLUMN_CHARS = 24


def shown_columns(header: list[str]) -> str:
    """A header row as an error may quote it: a few names, each cut short. A file that is not a CSV
    at all (someone's notes, a config file) must not have its first line repeated in a message."""
    names = [name.strip() for name in header[:SHOWN_COLUMNS]]
    shown = [name if len(name) <= SHOWN_COLUMN_CHARS else f"{name[:SHOWN_COLUMN_CHARS]}..." for name in names]
    more = f" and {len(header) - SHOWN_COLUMNS} more" if len(header) > SHOWN_COLUMNS else ""
    return f"{shown}{more}"


def read_label_text_csv(path: Path) -> tuple[list[str], list[str]]:
    """(labels, texts) of a CSV with a header naming `label` and `text` (any case; other columns ignored)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DatasetError(f"{path} is empty; expected a header row with columns label,text")
            columns = {name.strip().lower(): i for i, name in enumerate(header)}
            for required in REQUIRED_COLUMNS:
                if sum(name.strip().lower() == required for name in header) > 1:
                    raise DatasetError(f"{path} has more than one {required!r} column; rename all but one")
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise DatasetError(
                    f"{path} has columns {shown_columns(header)}; required columns: "
                    f"{', '.join(REQUIRED_COLUMNS)} (missing {', '.join(missing)})"
                )
            label_col, text_col = columns["label"], columns["text"]
            labels: list[str] = []
            texts: list[str] = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) <= max(label_col, text_col) or not row[label_col].strip():
                    raise DatasetError(f"{path} line {reader.line_num}: missing label or text")
                labels.append(row[label_col].strip())
                texts.append(row[text_col])
    except UnicodeDecodeError as exc:
        raise DatasetError(f"cannot read {path} as a UTF-8 CSV: {exc.reason} at byte {exc.start}") from None
    except (OSError, csv.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)[:80]
        raise DatasetError(f"cannot read {path} as a UTF-8 CSV: {reason}") from None
    if not labels:
        raise DatasetError(f"{path} has a header but no rows")
    return labels, texts


def sorted_labels(labels: set[str]) -> tuple[str, ...]:
    """Class names in order: numerically when every label is an integer, else alphabetically."""
    if all(label.lstrip("-").isdigit() for label in labels):
        return tuple(sorted(labels, key=int))
    return tuple(sorted(labels))


class TextCsvSource(DatasetSource):
    """Text classification data from CSV; without a test.csv a stratified 20% test split is carved."""

    kind = DataKind.TEXT

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self.name = f"csv:{self.path}"

    def files(self) -> tuple[Path, Path | None]:
        """(train file, test file or None)."""
        if self.path.is_file():
            sibling = self.path.with_name("test.csv")
            test = sibling if self.path.name == "train.csv" and sibling.is_file() else None
            return self.path, test
        if self.path.is_dir():
            train = self.path / "train.csv"
            if not train.is_file():
                raise DatasetError(f"{self.path} has no train.csv (columns label,text; test.csv is optional)")
            test = self.path / "test.csv"
            return train, test if test.is_file() else None
        raise DatasetError(f"text CSV {self.path} does not exist")

    def fingerprint(self) -> Hashable:
        return tuple(files_fingerprint(file) for file in self.files() if file is not None)

    def info(self, data_dir: Path) -> DatasetInfo:
        self.files()
        return DatasetInfo(
            name=self.name,
            kind=self.kind,
            input_shape=None,
            num_classes=None,
            description=f"text CSV {self.path}",
            cached=True,
        )

    def load_raw(self, data_dir: Path) -> RawSplits:
        train_file, test_file = self.files()
        labels, texts = read_label_text_csv(train_file)
        class_names = sorted_labels(set(labels))
        index = {name: i for i, name in enumerate(class_names)}
        y = np.asarray([index[label] for label in labels], dtype=np.int32)
        if test_file is None:
            keep, held = split_validation(y, USER_TEST_FRACTION, FIXED_SPLIT_SEED, what="test")
            return RawSplits(
                [texts[i] for i in keep], y[keep], [texts[i] for i in held], y[held], class_names, self.kind
            )
        test_labels, test_texts = read_label_text_csv(test_file)
        unknown = sorted(set(test_labels) - set(class_names))
        if unknown:
            raise DatasetError(f"{test_file} has labels {unknown[:10]} that never occur in {train_file}")
        y_test = np.asarray([index[label] for label in test_labels], dtype=np.int32)
        return RawSplits(texts, y, test_texts, y_test, class_names, self.kind)
