"""Safe readers for pickled dataset files (CIFAR batches, Keras .npz object arrays): numpy arrays only."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from healthtune.core.exceptions import DatasetError

# Rebuilding numpy arrays (also object arrays of lists) needs exactly these globals; anything else in a
# pickle stream (os.system, builtins.eval, ...) is refused, so a tampered file cannot run code.
_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("_codecs", "encode"),  # Python 2 pickles store byte strings through codecs.encode
    }
)
_MAX_EXPANSION = 200  # a zip member claiming more than 200x its stored size (and > 1 GiB) is a zip bomb


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")


def load_pickle(handle: IO[bytes], source: str) -> Any:
    """Unpickle a dataset file that may only contain numpy arrays, lists, dicts, strings and numbers.

    Python 2 pickles (the official CIFAR batches) are read with encoding="bytes", so their dict keys
    come back as bytes; callers normalise them.
    """
    try:
        return _NumpyOnlyUnpickler(handle, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as exc:
        raise DatasetError(f"{source} is not a valid pickled dataset file: {exc}") from exc


def _read_npy(handle: IO[bytes], source: str) -> npt.NDArray[Any]:
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
    else:  # 2.0 and 3.0 share the header layout (3.0 only changes its text encoding)
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    if dtype.hasobject:
        array = load_pickle(handle, source)
        if not isinstance(array, np.ndarray):
            raise DatasetError(f"{source} holds a {type(array).__name__}, expected a numpy array")
        return array
    count = int(np.prod(shape)) if shape else 1
    data = np.frombuffer(handle.read(count * dtype.itemsize), dtype=dtype, count=count)
    array = data.reshape(tuple(shape), order="F" if fortran else "C")
    return np.array(array, copy=True)


def load_npz(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Read every array of an .npz file; object arrays go through the numpy-only unpickler."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                if info.file_size > (1 << 30) and info.file_size > _MAX_EXPANSION * max(
                    info.compress_size, 1
                ):
                    raise DatasetError(f"{path}: member {info.filename} looks like a decompression bomb")
                source = f"{path}:{info.filename}"
                with archive.open(info) as member:
                    arrays[info.filename[: -len(".npy")]] = _read_npy(io.BytesIO(member.read()), source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DatasetError(f"{path} is not a readable .npz file: {exc}") from exc
    return arrays


def npz_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype[Any]]]:
    """Shape and dtype of every array of an .npz file, read from their headers (no data is loaded)."""
    headers: dict[str, tuple[tuple[int, ...], np.dtype[Any]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read_header(member)
                headers[info.filename[: -len(".npy")]] = (tuple(shape), dtype)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DatasetError(f"{path} is not a readable .npz file: {exc}") from exc
    return headers
