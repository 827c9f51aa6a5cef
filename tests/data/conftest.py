"""Fixtures for the data-layer tests: tiny files in the official formats and a local HTTP mirror."""

from __future__ import annotations

import csv
import functools
import io
import pickle
import socket
import tarfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from healthtune.data import clear_dataset_cache
from healthtune.data.cifar import Cifar10Source, Cifar100Source

RNG_SEED = 1234


@pytest.fixture(autouse=True)
def _fresh_memory_cache() -> Iterator[None]:
    clear_dataset_cache()
    yield
    clear_dataset_cache()


def _pickled(obj: object) -> bytes:
    return pickle.dumps(obj, protocol=2)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _cifar_batch(n: int, classes: int, label_key: bytes, rng: np.random.Generator) -> dict[bytes, object]:
    labels = [i % classes for i in range(n)]
    return {
        b"batch_label": b"tiny batch",
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        label_key: labels,
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def write_cifar10_tarball(directory: Path, per_batch: int = 20) -> Path:
    """cifar-10-python.tar.gz with 5 training batches, a test batch and batches.meta (pickled dicts)."""
    rng = np.random.default_rng(RNG_SEED)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "cifar-10-python.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for i in range(1, 6):
            _add(
                tar,
                f"cifar-10-batches-py/data_batch_{i}",
                _pickled(_cifar_batch(per_batch, 10, b"labels", rng)),
            )
        _add(tar, "cifar-10-batches-py/test_batch", _pickled(_cifar_batch(per_batch, 10, b"labels", rng)))
        meta = {b"label_names": [n.encode() for n in Cifar10Source.class_names], b"num_vis": 3072}
        _add(tar, "cifar-10-batches-py/batches.meta", _pickled(meta))
        _add(tar, "cifar-10-batches-py/readme.html", b"<html></html>")
    return path


def write_cifar100_tarball(directory: Path, n: int = 200) -> Path:
    """cifar-100-python.tar.gz with train, test and meta (fine and coarse labels)."""
    rng = np.random.default_rng(RNG_SEED)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "cifar-100-python.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for split in ("train", "test"):
            batch = _cifar_batch(n, 100, b"fine_labels", rng)
            batch[b"coarse_labels"] = [i % 20 for i in range(n)]
            _add(tar, f"cifar-100-python/{split}", _pickled(batch))
        meta = {
            b"fine_label_names": [name.encode() for name in Cifar100Source.class_names],
            b"coarse_label_names": [f"super_{i}".encode() for i in range(20)],
        }
        _add(tar, "cifar-100-python/meta", _pickled(meta))
    return path


def _ppm(width: int, height: int, value: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (value, 255 - value, 40)).save(buffer, format="PPM")
    return buffer.getvalue()


def _semicolon_csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Filename", "Width", "Height", "Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2", "ClassId"])
    writer.writerows(rows)
    return out.getvalue().encode()


def gtsrb_members(classes: int = 3, per_class: int = 4) -> dict[str, dict[str, bytes]]:
    """zip name -> member path -> bytes, laid out like the three official GTSRB archives."""
    train: dict[str, bytes] = {}
    for c in range(classes):
        rows: list[list[object]] = []
        for i in range(per_class):
            name = f"00000_{i:05d}.ppm"
            width, height = 30 + i, 34 + c
            train[f"GTSRB/Final_Training/Images/{c:05d}/{name}"] = _ppm(width, height, 60 * c)
            rows.append([name, width, height, 2, 3, width - 3, height - 2, c])
        train[f"GTSRB/Final_Training/Images/{c:05d}/GT-{c:05d}.csv"] = _semicolon_csv(rows)
    test: dict[str, bytes] = {}
    gt_rows: list[list[object]] = []
    for i in range(classes * 2):
        name = f"{i:05d}.ppm"
        test[f"GTSRB/Final_Test/Images/{name}"] = _ppm(40, 41, 20 * i)
        gt_rows.append([name, 40, 41, 5, 5, 35, 36, i % classes])
    test["GTSRB/Final_Test/Images/GT-final_test.test.csv"] = _semicolon_csv([r[:-1] for r in gt_rows])
    return {
        "GTSRB_Final_Training_Images.zip": train,
        "GTSRB_Final_Test_Images.zip": test,
        "GTSRB_Final_Test_GT.zip": {"GT-final_test.csv": _semicolon_csv(gt_rows)},
    }


def write_gtsrb(directory: Path, *, extracted: bool = False) -> Path:
    """The three official GTSRB zips in `directory`, or (extracted=True) their unpacked contents."""
    directory.mkdir(parents=True, exist_ok=True)
    for archive, members in gtsrb_members().items():
        if extracted:
            for name, data in members.items():
                target = directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        else:
            with zipfile.ZipFile(directory / archive, "w") as zf:
                for name, data in members.items():
                    zf.writestr(name, data)
    return directory


IMDB_REVIEWS = {
    ("train", "pos"): ["A wonderful film.<br /><br />Great acting!", "Loved it, truly great", "great fun"],
    ("train", "neg"): ["Terrible plot, awful acting.", "Boring and awful", "I hated this movie"],
    ("test", "pos"): ["Great great film", "splendid"],
    ("test", "neg"): ["awful", "Dull, boring"],
}


def write_aclimdb(directory: Path, *, tarball: bool = False) -> Path:
    """An aclImdb/ tree (with the unsup reviews that must be ignored), or aclImdb_v1.tar.gz."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        f"aclImdb/{split}/{label}/{i}_{7 if label == 'pos' else 2}.txt": text.encode()
        for (split, label), texts in IMDB_REVIEWS.items()
        for i, text in enumerate(texts)
    }
    files["aclImdb/train/unsup/0_0.txt"] = b"unlabelled review"
    files["aclImdb/imdb.vocab"] = b"the\nand\n"
    if tarball:
        path = directory / "aclImdb_v1.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            for name, data in files.items():
                _add(tar, name, data)
        return path
    for name, data in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(data)
    return directory / "aclImdb"


def token_sequences(n: int, rng: np.random.Generator, top: int = 60) -> np.ndarray:
    seqs = np.empty(n, dtype=object)
    for i in range(n):
        seqs[i] = [int(v) for v in rng.integers(1, top, size=int(rng.integers(3, 12)))]
    return seqs


def write_reuters_npz(directory: Path, n: int = 230) -> Path:
    """reuters.npz as Keras ships it: one pool of word-rank sequences `x` and topic labels `y`."""
    rng = np.random.default_rng(RNG_SEED)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "reuters.npz"
    np.savez(path, x=token_sequences(n, rng), y=np.arange(n) % 46)
    return path


@pytest.fixture
def write_files() -> dict[str, Callable[..., Path]]:
    """The builders, for tests that need files in a particular place."""
    return {
        "cifar10": write_cifar10_tarball,
        "cifar100": write_cifar100_tarball,
        "gtsrb": write_gtsrb,
        "imdb": write_aclimdb,
        "reuters": write_reuters_npz,
    }


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A local HTTP server on 127.0.0.1 serving (root, url); put files at root/{dataset}/{filename}."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
