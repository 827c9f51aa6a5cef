"""The on-disk dataset cache: where it lives and the normalized prepared.npz format (atomic writes)."""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import platformdirs

from healthtune.core.exceptions import DatasetError
from healthtune.data.base import DataKind, RawSplits
from healthtune.data.defaults import CACHE_FILENAME, CACHE_FORMAT_VERSION, DATA_DIR_ENV

logger = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """The dataset cache: $HEALTHTUNE_DATA_DIR, else the user cache dir (e.g. ~/.cache/healthtune/datasets)."""
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("healthtune")) / "datasets"


def cache_file(data_dir: Path, name: str) -> Path:
    """Path of the normalized cache file of a named dataset."""
    return data_dir / name / CACHE_FILENAME


def _pack(seqs: Sequence[object], kind: str) -> dict[str, npt.NDArray[np.generic]]:
    """Flatten ragged text or token data into one data array plus offsets (no pickle needed)."""
    if kind == "text":
        encoded = [str(s).encode("utf-8") for s in seqs]
        data: npt.NDArray[np.generic] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        lengths = [len(b) for b in encoded]
    else:
        arrays = [np.asarray(s, dtype=np.int64).ravel() for s in seqs]
        data = np.concatenate(arrays).astype(np.int32) if arrays else np.zeros(0, np.int32)
        lengths = [len(a) for a in arrays]
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return {"data": data, "offsets": offsets}


def _unpack(data: npt.NDArray[np.generic], offsets: npt.NDArray[np.int64], kind: str) -> list[object]:
    if kind == "text":
        blob = data.tobytes()
        return [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]
    return [data[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]


def _layout(x: object) -> str:
    if isinstance(x, np.ndarray) and x.dtype != object:
        return "array"
    first = next(iter(x), None)  # type: ignore[call-overload]
    return "text" if first is None or isinstance(first, str) else "tokens"


def save_prepared(path: Path, raw: RawSplits) -> Path:
    """Write raw splits to `path` atomically (temp file in the same directory, then rename)."""
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "format_version": np.array(CACHE_FORMAT_VERSION),
        "kind": np.array(raw.kind.value),
        "class_names": np.array(list(raw.class_names), dtype=str),
        "y_train": np.asarray(raw.y_train, dtype=np.int32),
        "y_test": np.asarray(raw.y_test, dtype=np.int32),
    }
    for split, x in (("x_train", raw.x_train), ("x_test", raw.x_test)):
        layout = _layout(x)
        arrays[f"{split}_layout"] = np.array(layout)
        if layout == "array":
            arrays[split] = np.asarray(x)
        else:
            for key, value in _pack(list(x), layout).items():
                arrays[f"{split}_{key}"] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    logger.info("wrote dataset cache %s", path)
    return path


def load_prepared(path: Path) -> RawSplits | None:
    """Read a cache file; None when it is missing or from an older format (it is then rebuilt)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            if int(npz["format_version"]) != CACHE_FORMAT_VERSION:
                logger.warning("ignoring %s: cache format %s is outdated", path, npz["format_version"])
                return None
            splits: dict[str, object] = {}
            for split in ("x_train", "x_test"):
                layout = str(npz[f"{split}_layout"])
                if layout == "array":
                    splits[split] = npz[split]
                else:
                    splits[split] = _unpack(npz[f"{split}_data"], npz[f"{split}_offsets"], layout)
            return RawSplits(
                x_train=splits["x_train"],  # type: ignore[arg-type]
                y_train=npz["y_train"].astype(np.int32),
                x_test=splits["x_test"],  # type: ignore[arg-type]
                y_test=npz["y_test"].astype(np.int32),
                class_names=tuple(str(c) for c in npz["class_names"]),
                kind=DataKind(str(npz["kind"])),
            )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DatasetError(
            f"dataset cache file {path} is unreadable ({exc}); delete it and load or import the dataset again"
        ) from exc
