"""Datasets sent as one file (an archive of an image folder or CSVs, a .csv, an .npz): stored, checked, listed."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from healthtune.core.exceptions import DatasetError
from healthtune.core.paths import UPLOADS_DIR
from healthtune.data.archives import ARCHIVE_SUFFIXES, JUNK_NAMES, archive_suffix, unpack_archive
from healthtune.data.array_npz import npz_kind
from healthtune.data.class_folders import (
    IMAGE_EXTENSIONS,
    TEXT_EXTENSIONS,
    holds_texts,
    scan_classes,
    split_roots,
)
from healthtune.data.safeload import npz_headers
from healthtune.data.text_csv import TextCsvSource, read_label_text_csv, sorted_labels

UPLOAD_SUFFIXES = (*ARCHIVE_SUFFIXES, ".csv", ".npz")
UPLOAD_RECORD = "upload.json"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class UploadedDataset:
    """One stored upload: `dataset_name` is what an optimization's dataset field takes."""

    upload_id: str
    filename: str
    dataset_name: str
    kind: str  # image or text
    size_bytes: int
    created_at: str  # ISO 8601, UTC
    classes: tuple[str, ...]  # empty when only loading finds them (.npz)
    examples: int


def check_upload_filename(filename: str) -> str:
    """The file's suffix when it is one healthtune can use as a dataset; DatasetError naming the allowed ones."""
    lower = filename.lower()
    suffix = next((s for s in UPLOAD_SUFFIXES if lower.endswith(s)), None)
    if suffix is None or not filename.strip() or len(filename) > 255:
        raise DatasetError(
            f"filename must end in one of {', '.join(UPLOAD_SUFFIXES)} (an archive of an image folder "
            f"or of CSVs, a label,text CSV, or a numpy .npz), got filename={filename!r}"
        )
    return suffix


def _new_folder(root: Path, filename: str, suffix: str) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", filename[: -len(suffix)]).strip("_.-")[:80]
    if not stem or stem == UPLOAD_RECORD:
        stem = "dataset"
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        folder = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            folder.mkdir()  # atomic: two uploads of one name get two folders
            return folder
        except FileExistsError:
            continue
    raise DatasetError(f"too many uploads named {filename!r}; delete some first")


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name not in JUNK_NAMES and not p.name.startswith("."))


def _content_root(folder: Path) -> Path:
    """Below the wrapper folders that zipping a folder adds (pets.zip holding only pets/), and a lone
    train/ (without test/, whose test split is then carved from it)."""
    entries = _visible(folder)
    while len(entries) == 1 and entries[0].is_dir():
        folder = entries[0]
        entries = _visible(folder)
    return folder


def _archive_dataset(root: Path, filename: str) -> str:
    entries = _visible(root)
    files = [p for p in entries if p.is_file()]
    if (root / "train.csv").is_file():
        return f"csv:{root}"
    if (
        not any(p.is_dir() for p in entries)
        and len(files) == 1
        and files[0].suffix.lower() in (".csv", ".npz")
    ):
        return f"{files[0].suffix.lower()[1:]}:{files[0]}"
    if any(p.is_dir() for p in entries):
        return f"{'texts' if holds_texts(root) else 'images'}:{root}"
    if any(p.suffix.lower() in IMAGE_EXTENSIONS for p in files):
        raise DatasetError(
            f"{filename!r} holds images but no class folders; put each class's images in a folder named "
            "after the class (cats/*.png, dogs/*.png), at least 2 classes"
        )
    found = ", ".join(p.name for p in entries[:5]) or "nothing"
    raise DatasetError(
        f"{filename!r} holds no dataset (found: {found}); expected one folder of images or .txt files "
        "per class (optionally inside train/ and test/), a train.csv (+ test.csv) with columns "
        "label,text, or a single .csv or .npz"
    )


def _summary(dataset_name: str) -> tuple[str, tuple[str, ...], int]:
    """(kind, class names, examples), read cheaply: image and text files are listed, not read."""
    form, _, text = dataset_name.partition(":")
    path = Path(text)
    if form == "npz":
        kind = npz_kind(path).value
        headers = npz_headers(path)
        examples = sum(
            headers[key][0][0] for key in ("y_train", "y_test") if key in headers and headers[key][0]
        )
        return kind, (), int(examples)
    if form == "csv":
        train, test = TextCsvSource(path).files()
        labels, _ = read_label_text_csv(train)
        examples = len(labels) + (len(read_label_text_csv(test)[0]) if test else 0)
        return "text", sorted_labels(set(labels)), examples
    extensions = TEXT_EXTENSIONS if form == "texts" else IMAGE_EXTENSIONS
    train_root, test_root = split_roots(path, "folder")
    classes = scan_classes(train_root, extensions)
    examples = sum(map(len, classes.values()))
    if test_root is not None:
        examples += sum(map(len, scan_classes(test_root, extensions).values()))
    return ("text" if form == "texts" else "image"), tuple(classes), examples


def add_upload(received: Path, filename: str, root: Path, *, max_unpacked_bytes: int) -> UploadedDataset:
    """Store the file `received` (sent as `filename`) as a new dataset under `root`, checked and described.

    Archives are unpacked safely (see unpack_archive); a .csv or .npz is kept as it is. A file that
    holds no usable dataset raises DatasetError saying what was expected, and leaves nothing behind.
    `received` is moved or deleted either way.
    """
    suffix = check_upload_filename(filename)
    folder = _new_folder(root, filename, suffix)
    try:
        size = received.stat().st_size
        data = folder / folder.name  # the data's folder name makes the run names (dataset_slug)
        if archive_suffix(filename):
            unpack_archive(received, data, max_bytes=max_unpacked_bytes, filename=filename)
            if not data.is_dir():
                raise DatasetError(f"{filename!r} holds no files")
            dataset_name = _archive_dataset(_content_root(data), filename)
        else:
            data.mkdir()
            target = data / f"{folder.name}{suffix}"
            shutil.move(received, target)
            dataset_name = f"{suffix[1:]}:{target}"
        kind, classes, examples = _summary(dataset_name)
        if not dataset_name.startswith("npz:") and len(classes) < 2:  # an .npz's labels are counted on load
            raise DatasetError(
                f"{filename!r} has {len(classes)} class {list(classes)}; at least 2 are needed"
            )
        upload = UploadedDataset(
            upload_id=folder.name,
            filename=filename,
            dataset_name=dataset_name,
            kind=kind,
            size_bytes=size,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            classes=classes,
            examples=examples,
        )
        partial = folder / f".{UPLOAD_RECORD}.partial"
        partial.write_text(json.dumps(asdict(upload), indent=2))
        partial.replace(folder / UPLOAD_RECORD)  # the record appears whole or not at all
        return upload
    except DatasetError as error:  # name files as the user knows them, not by the server's paths
        shutil.rmtree(folder, ignore_errors=True)
        message = str(error).replace(f"{data}/", "").replace(str(data), filename)
        raise DatasetError(message) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        received.unlink(missing_ok=True)


def discard_incomplete(root: Path) -> None:
    """Remove what uploads cut short left behind (half-received files, folders without a record).

    Only for a server starting up: then no upload is in flight.
    """
    if not root.is_dir():
        return
    for path in root.iterdir():
        if path.is_file() and path.name.startswith(".incoming-"):
            path.unlink(missing_ok=True)
        elif path.is_dir() and not (path / UPLOAD_RECORD).is_file():
            shutil.rmtree(path, ignore_errors=True)


def rebase_upload(dataset: str, uploads_dir: Path) -> str:
    """A dataset name with an upload path moved into today's `uploads_dir` (other names unchanged).

    Older servers stored relative paths (images:optimization_results/.uploads/pets/pets); a server
    started from another directory, or with its results root moved, finds them again.
    """
    form, colon, text = dataset.strip().partition(":")
    if not colon:
        form, text = "", dataset.strip()
    parts = Path(text).parts
    if UPLOADS_DIR not in parts:
        return dataset
    below = parts[parts.index(UPLOADS_DIR) + 1 :]
    moved = str(uploads_dir.joinpath(*below))
    return f"{form}:{moved}" if form else moved


def _read_record(folder: Path) -> UploadedDataset | None:
    try:
        record = json.loads((folder / UPLOAD_RECORD).read_text())
        record["classes"] = tuple(record["classes"])
        record["dataset_name"] = rebase_upload(str(record["dataset_name"]), folder.parent)
        return UploadedDataset(**record)
    except (OSError, ValueError, TypeError, KeyError):
        return None  # being written, or not an upload


def list_uploads(root: Path) -> list[UploadedDataset]:
    """Every stored upload, newest first."""
    if not root.is_dir():
        return []
    found = [upload for folder in root.iterdir() if folder.is_dir() and (upload := _read_record(folder))]
    return sorted(found, key=lambda upload: (upload.created_at, upload.upload_id), reverse=True)


def find_upload(root: Path, upload_id: str) -> UploadedDataset | None:
    """The upload with this id, or None (also for ids that are not upload names at all)."""
    if not _ID.match(upload_id):
        return None
    return _read_record(root / upload_id)


def delete_upload(root: Path, upload_id: str) -> bool:
    """Remove an upload and its files; False when there is none with this id."""
    if find_upload(root, upload_id) is None:
        return False
    shutil.rmtree(root / upload_id)
    return True
