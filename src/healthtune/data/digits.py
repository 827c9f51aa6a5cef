"""scikit-learn's bundled 8x8 digits: the offline dataset for quick runs and tests (no download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from healthtune.data.base import DataKind, DatasetInfo, DatasetSource, RawSplits
from healthtune.data.defaults import FIXED_SPLIT_SEED

DIGITS_TEST_FRACTION = 0.25


class DigitsSource(DatasetSource):
    """1,797 8x8 grayscale digits (UCI optical digits via scikit-learn); a fixed 25% stratified test split."""

    name = "digits"
    kind = DataKind.IMAGE
    class_names = tuple(str(d) for d in range(10))
    input_shape = (8, 8, 1)

    def info(self, data_dir: Path) -> DatasetInfo:
        return DatasetInfo(
            name=self.name,
            kind=self.kind,
            input_shape=self.input_shape,
            num_classes=len(self.class_names),
            class_names=self.class_names,
            description="Handwritten digits 0-9, 8x8 grayscale, 1,797 images; bundled with scikit-learn",
            download_size_mb=0.0,
            cached=True,
        )

    def load_raw(self, data_dir: Path) -> RawSplits:
        from sklearn.datasets import load_digits  # deferred: scikit-learn is slow to import
        from sklearn.model_selection import train_test_split

        bunch = load_digits()
        images = (np.asarray(bunch.images, dtype=np.float32) / 16.0)[..., np.newaxis]  # pixel values 0..16
        labels = np.asarray(bunch.target, dtype=np.int32)
        x_train, x_test, y_train, y_test = train_test_split(
            images,
            labels,
            test_size=DIGITS_TEST_FRACTION,
            stratify=labels,
            random_state=FIXED_SPLIT_SEED,
        )
        return RawSplits(x_train, y_train, x_test, y_test, self.class_names, self.kind)
