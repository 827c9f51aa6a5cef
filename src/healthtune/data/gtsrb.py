"""GTSRB (German Traffic Sign Recognition Benchmark): the official zips or their extracted trees, ROI-cropped."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.defaults import GTSRB_IMAGE_SIZE
from healthtune.data.download import RemoteFile
from healthtune.data.remote import RemoteSource

_BASE_URL = "https://sid.erda.dk/public/archives/daaeac0d7ce1152aea9b61d9f1e19370/"
_TRAIN_RE = re.compile(r"(?:^|/)Final_Training/Images/(\d{5})/([^/]+)$")
_TEST_RE = re.compile(r"(?:^|/)Final_Test/Images/([^/]+\.ppm)$", re.IGNORECASE)
_TEST_GT = "GT-final_test.csv"

# The 43 sign classes in ClassId order (names as used with the benchmark's signnames table).
GTSRB_CLASS_NAMES = (
    "Speed limit (20km/h)",
    "Speed limit (30km/h)",
    "Speed limit (50km/h)",
    "Speed limit (60km/h)",
    "Speed limit (70km/h)",
    "Speed limit (80km/h)",
    "End of speed limit (80km/h)",
    "Speed limit (100km/h)",
    "Speed limit (120km/h)",
    "No passing",
    "No passing for vehicles over 3.5 metric tons",
    "Right-of-way at the next intersection",
    "Priority road",
    "Yield",
    "Stop",
    "No vehicles",
    "Vehicles over 3.5 metric tons prohibited",
    "No entry",
    "General caution",
    "Dangerous curve to the left",
    "Dangerous curve to the right",
    "Double curve",
    "Bumpy road",
    "Slippery road",
    "Road narrows on the right",
    "Road work",
    "Traffic signals",
    "Pedestrians",
    "Children crossing",
    "Bicycles crossing",
    "Beware of ice/snow",
    "Wild animals crossing",
    "End of all speed and passing limits",
    "Turn right ahead",
    "Turn left ahead",
    "Ahead only",
    "Go straight or right",
    "Go straight or left",
    "Keep right",
    "Keep left",
    "Roundabout mandatory",
    "End of no passing",
    "End of no passing by vehicles over 3.5 metric tons",
)

Reader = Callable[[], bytes]


def _tree(root: Path, stack: ExitStack) -> Iterator[tuple[str, Reader]]:
    """Every file below root, looking inside the .zip archives too, as (posix path, reader)."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.suffix.lower() == ".zip":
            try:
                archive = stack.enter_context(zipfile.ZipFile(path))
            except (zipfile.BadZipFile, OSError) as exc:
                raise DatasetError(f"{path} is not a readable zip archive: {exc}") from exc
            for name in archive.namelist():
                if not name.endswith("/"):
                    yield name, (lambda a=archive, n=name: a.read(n))  # type: ignore[misc]
        else:
            yield path.relative_to(root).as_posix(), path.read_bytes


def _rows(data: bytes, where: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    if rows and "Filename" not in rows[0]:
        raise DatasetError(f"{where}: expected semicolon-separated columns Filename;...;ClassId")
    return rows


def _image(data: bytes, where: str, row: dict[str, str] | None) -> npt.NDArray[np.uint8]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DatasetError(f"cannot read image {where}: {exc}") from exc
    if row is not None and row.get("Roi.X1"):
        x1, y1, x2, y2 = (int(row[k]) for k in ("Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2"))
        box = (max(0, x1), max(0, y1), min(rgb.width, x2 + 1), min(rgb.height, y2 + 1))
        if box[2] > box[0] and box[3] > box[1]:
            rgb = rgb.crop(box)
    height, width = GTSRB_IMAGE_SIZE
    return np.asarray(rgb.resize((width, height), Image.Resampling.BILINEAR), dtype=np.uint8)


class GtsrbSource(RemoteSource):
    """GTSRB: 39,209 training and 12,630 test photos of 43 German traffic sign classes."""

    name = "gtsrb"
    kind = DataKind.IMAGE
    input_shape = (*GTSRB_IMAGE_SIZE, 3)
    class_names = GTSRB_CLASS_NAMES
    description = "German traffic signs, 43 classes, cropped to the sign and resized to 32x32 RGB"
    download_size_mb = 365.0
    files = (
        RemoteFile(
            "GTSRB_Final_Training_Images.zip",
            (_BASE_URL + "GTSRB_Final_Training_Images.zip",),
            "md5:f33fd80ac59bff73c82d25ab499e03a3",
        ),
        RemoteFile(
            "GTSRB_Final_Test_Images.zip",
            (_BASE_URL + "GTSRB_Final_Test_Images.zip",),
            "md5:c7e4e6327067d32654124b0fe9e82185",
        ),
        RemoteFile(
            "GTSRB_Final_Test_GT.zip",
            (_BASE_URL + "GTSRB_Final_Test_GT.zip",),
            "md5:fe31e9c9270bbcd7b84b7f21a9d9d9e5",
        ),
    )

    def read_distribution(self, path: Path) -> RawSplits:
        root = path.parent if path.is_file() else path
        with ExitStack() as stack:
            train: dict[str, dict[str, Reader]] = {}  # class folder -> filename -> reader
            test_images: dict[str, Reader] = {}
            test_gt: Reader | None = None
            for name, reader in _tree(root, stack):
                if match := _TRAIN_RE.search(name):
                    train.setdefault(match.group(1), {})[match.group(2)] = reader
                elif match := _TEST_RE.search(name):
                    test_images[match.group(1)] = reader
                elif name.rsplit("/", 1)[-1] == _TEST_GT:
                    test_gt = reader
            if not train or not test_images or test_gt is None:
                raise DatasetError(
                    f"{root} does not hold the GTSRB distribution: expected {self.expected_files_text()} "
                    "(or their extracted GTSRB/Final_Training/Images/000NN/*.ppm, "
                    f"GTSRB/Final_Test/Images/*.ppm and {_TEST_GT})"
                )
            x_train, y_train = self._read_train(train)
            x_test, y_test = self._read_test(test_images, _rows(test_gt(), _TEST_GT))
        return RawSplits(x_train, y_train, x_test, y_test, self.class_names, self.kind)

    def _read_train(
        self, train: dict[str, dict[str, Reader]]
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32]]:
        images: list[npt.NDArray[np.uint8]] = []
        labels: list[int] = []
        for folder in sorted(train):
            files = train[folder]
            label = int(folder)
            csv_name = f"GT-{folder}.csv"
            rows = _rows(files[csv_name](), csv_name) if csv_name in files else None
            if rows is None:  # no annotation file: every .ppm of the folder, uncropped
                rows = [{"Filename": f} for f in sorted(files) if f.lower().endswith(".ppm")]
            for row in rows:
                filename = row["Filename"]
                if filename not in files:
                    raise DatasetError(
                        f"GTSRB class folder {folder}: {csv_name} lists missing image {filename}"
                    )
                images.append(_image(files[filename](), f"{folder}/{filename}", row))
                labels.append(int(row.get("ClassId", label)))
        return np.stack(images), np.asarray(labels, dtype=np.int32)

    def _read_test(
        self, files: dict[str, Reader], rows: list[dict[str, str]]
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32]]:
        if not rows or "ClassId" not in rows[0]:
            raise DatasetError(f"{_TEST_GT} must list Filename and ClassId for every test image")
        images: list[npt.NDArray[np.uint8]] = []
        for row in rows:
            if row["Filename"] not in files:
                raise DatasetError(f"{_TEST_GT} lists {row['Filename']}, missing from Final_Test/Images")
            images.append(_image(files[row["Filename"]](), f"Final_Test/Images/{row['Filename']}", row))
        return np.stack(images), np.asarray([int(r["ClassId"]) for r in rows], dtype=np.int32)
