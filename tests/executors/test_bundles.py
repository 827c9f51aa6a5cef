"""Trial bundles: deterministic zips, sha256 checked on arrival, nothing extracted outside the trial dir."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from healthtune.core.exceptions import BundleCorrupt
from healthtune.executors import bundles


def make_trial(root: Path) -> Path:
    (root / "tensorboard").mkdir(parents=True)
    (root / "metrics.json").write_text('{"val_accuracy": 0.9}')
    (root / "tensorboard" / "events.out").write_bytes(bytes(range(256)) * 10)
    return root


def test_pack_and_unpack_round_trip(tmp_path: Path) -> None:
    data = bundles.pack(make_trial(tmp_path / "a"))
    assert bundles.pack(tmp_path / "a") == data, "the same files give the same bytes"
    names = bundles.unpack(data, tmp_path / "b", bundles.sha256(data))
    assert sorted(names) == ["metrics.json", "tensorboard/events.out"]
    assert (tmp_path / "b" / "tensorboard" / "events.out").read_bytes() == bytes(range(256)) * 10


def test_a_hash_mismatch_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    data = bundles.pack(make_trial(tmp_path / "a"))
    damaged = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(BundleCorrupt, match="sha256 mismatch") as caught:
        bundles.unpack(damaged, tmp_path / "b", bundles.sha256(data))
    assert caught.value.reason == "bundle_corrupt"
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/escape.txt", "a/../../escape.txt"])
def test_members_outside_the_trial_dir_are_refused(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "x")
    data = buffer.getvalue()
    with pytest.raises(BundleCorrupt, match="outside"):
        bundles.unpack(data, tmp_path / "trial", bundles.sha256(data))
    assert not (tmp_path / "escape.txt").exists()


def test_not_a_zip_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(BundleCorrupt, match="not a valid zip"):
        bundles.unpack(b"plain text", tmp_path, bundles.sha256(b"plain text"))
