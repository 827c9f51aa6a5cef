"""The real download path against a local HTTP mirror: checksum, atomic cache, corruption, offline help."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.data import load_dataset
from healthtune.data.cifar import Cifar10Source
from healthtune.data.mnist import IDX_STEMS, MnistSource
from healthtune.data.reuters import ReutersSource

Builders = dict[str, Callable[..., Path]]


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _files_in(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def test_download_verify_and_cache(mirror: tuple[Path, str], data_dir: Path, write_files: Builders) -> None:
    root, url = mirror
    tarball = write_files["cifar10"](root / "cifar10")
    source = Cifar10Source(mirror_url=url, checksums={tarball.name: _sha256(tarball)})
    ds = load_dataset(source, validation_split=0.2, seed=0)
    assert ds.x_train.shape == (80, 32, 32, 3) and ds.x_test.shape == (20, 32, 32, 3)
    assert _files_in(data_dir) == ["cifar10/prepared.npz"]  # no temp files, no raw archive left behind
    tarball.unlink()  # the next load must come from the cache, not the mirror
    again = load_dataset("cifar10", validation_split=0.2, seed=0)
    assert np.array_equal(again.x_train, ds.x_train)


def test_mirror_from_environment(
    mirror: tuple[Path, str], data_dir: Path, write_files: Builders, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, url = mirror
    path = write_files["reuters"](root / "reuters")
    monkeypatch.setenv("HEALTHTUNE_DATASET_MIRROR", url + "/")
    raw = ReutersSource(checksums={"reuters.npz": _sha256(path)}).load_raw(data_dir)
    assert len(raw.x_train) == 184 and len(raw.x_test) == 46


def test_multi_file_download_of_real_mnist(
    mirror: tuple[Path, str], data_dir: Path, shared_datasets: Path
) -> None:
    root, url = mirror
    (root / "mnist").symlink_to(shared_datasets / "mnist", target_is_directory=True)
    checksums = {
        f"{stem}.gz": "md5:"
        + hashlib.md5((shared_datasets / "mnist" / f"{stem}.gz").read_bytes()).hexdigest()
        for stem in IDX_STEMS
    }
    raw = MnistSource(mirror_url=url, checksums=checksums).load_raw(data_dir)
    assert isinstance(raw.x_train, np.ndarray) and raw.x_train.shape == (60000, 28, 28, 1)
    assert _files_in(data_dir) == ["mnist/prepared.npz"]


def test_corrupted_download_is_rejected_and_removed(
    mirror: tuple[Path, str], data_dir: Path, write_files: Builders
) -> None:
    root, url = mirror
    tarball = write_files["cifar10"](root / "cifar10")
    expected = _sha256(tarball)
    data = bytearray(tarball.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tarball.write_bytes(bytes(data))
    actual = _sha256(tarball)
    source = Cifar10Source(mirror_url=url, checksums={tarball.name: expected})
    with pytest.raises(DatasetError) as info:
        load_dataset(source, validation_split=0.2, seed=0)
    message = str(info.value)
    assert "cifar-10-python.tar.gz" in message and expected in message and actual in message
    assert _files_in(data_dir) == []


def test_official_checksum_applies_to_mirrors(
    mirror: tuple[Path, str], data_dir: Path, write_files: Builders
) -> None:
    """Without an override the published md5 is checked, so a mirror cannot serve other files."""
    root, url = mirror
    write_files["cifar10"](root / "cifar10")
    with pytest.raises(DatasetError, match="md5:c58f30108f718f92721af3b95e74349a"):
        load_dataset("cifar10", validation_split=0.2, seed=0, mirror_url=url)
    assert _files_in(data_dir) == []


def test_offline_without_cache_explains_what_to_do(closed_port_url: str, data_dir: Path) -> None:
    with pytest.raises(DatasetError) as info:
        load_dataset("fashion_mnist", validation_split=0.2, seed=0, mirror_url=closed_port_url)
    message = str(info.value)
    assert "healthtune datasets import fashion_mnist" in message
    for stem in IDX_STEMS:
        assert f"{stem}.gz" in message
    assert "fashion-mnist.s3-website.eu-central-1.amazonaws.com" in message
    assert str(data_dir / "fashion_mnist" / "prepared.npz") in message
    assert _files_in(data_dir) == []


def test_unknown_checksum_override_is_rejected() -> None:
    with pytest.raises(ConfigError, match=re.escape("cifar-10-python.tar.gz")):
        Cifar10Source(checksums={"cifar10.zip": "md5:00"})
