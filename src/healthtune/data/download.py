"""Fetching official dataset files: mirrors, urllib download to a temp file, checksum check, offline help."""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.data.defaults import DOWNLOAD_TIMEOUT_S, MIRROR_ENV

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_ALGORITHMS = ("md5", "sha1", "sha256")


class ChecksumMismatch(DatasetError):
    """A downloaded file does not have the published checksum (it was deleted)."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset's official distribution: its name, where it is published and its checksum."""

    filename: str
    urls: tuple[str, ...]  # official locations, tried in order
    checksum: str  # "md5:<hex>" or "sha256:<hex>"


def parse_checksum(checksum: str) -> tuple[str, str]:
    """Split "algo:hex" into its parts; ConfigError for an unknown algorithm."""
    algo, sep, digest = checksum.partition(":")
    if not sep or algo.lower() not in _ALGORITHMS or not digest:
        raise ConfigError(
            f"checksum {checksum!r} is invalid; expected 'ALGO:HEX' with ALGO one of {', '.join(_ALGORITHMS)}"
        )
    return algo.lower(), digest.lower()


def file_checksum(path: Path, algo: str = "sha256") -> str:
    """The hex digest of a file."""
    digest = hashlib.new(algo, usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_mirror(mirror_url: str | None) -> str | None:
    """The mirror to use: the argument, else $HEALTHTUNE_DATASET_MIRROR, else None (official sources)."""
    mirror = mirror_url if mirror_url is not None else os.environ.get(MIRROR_ENV, "")
    mirror = mirror.strip().rstrip("/")
    return mirror or None


def candidate_urls(dataset_name: str, remote: RemoteFile, mirror: str | None) -> tuple[str, ...]:
    """Where to fetch a file: only {mirror}/{dataset_name}/{filename} when a mirror is set."""
    if mirror:
        return (f"{mirror}/{dataset_name}/{remote.filename}",)
    return remote.urls


def _download_to(url: str, target: Path, timeout: float) -> int:
    request = urllib.request.Request(url, headers={"User-Agent": "healthtune-dataset-fetcher"})
    with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:
        size = 0
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            size += len(chunk)
    return size


def fetch_file(
    dataset_name: str,
    remote: RemoteFile,
    dest_dir: Path,
    *,
    mirror_url: str | None = None,
    checksum: str | None = None,
    timeout: float = DOWNLOAD_TIMEOUT_S,
) -> Path:
    """Download one file into dest_dir and verify it; returns its path.

    The file is written to a temporary name, checked against `checksum` (default: the official one)
    and only then renamed. A checksum mismatch raises DatasetError naming the file, the expected and
    the actual checksum, and removes the download. Network failures raise DatasetError with the
    URLs tried (the caller turns it into offline instructions).
    """
    algo, expected = parse_checksum(checksum or remote.checksum)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / remote.filename
    errors: list[str] = []
    for url in candidate_urls(dataset_name, remote, resolve_mirror(mirror_url)):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{remote.filename}.", suffix=".part", dir=dest_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            logger.info("downloading %s", url)
            size = _download_to(url, tmp, timeout)
            actual = file_checksum(tmp, algo)
            if actual != expected:
                raise ChecksumMismatch(
                    f"checksum mismatch for {remote.filename} downloaded from {url}: "
                    f"expected {algo}:{expected}, got {algo}:{actual} ({size} bytes); "
                    "the corrupted download was deleted"
                )
            os.replace(tmp, final)
            logger.info("downloaded %s (%d bytes, %s verified)", remote.filename, size, algo)
            return final
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            errors.append(f"{url}: {reason}")
        finally:
            tmp.unlink(missing_ok=True)
    raise DatasetError(f"could not download {remote.filename}: " + "; ".join(errors))


def fetch_all(
    dataset_name: str,
    files: tuple[RemoteFile, ...],
    dest_dir: Path,
    *,
    mirror_url: str | None = None,
    checksums: Mapping[str, str] | None = None,
    cache_hint: Path,
) -> dict[str, Path]:
    """Download every file of a dataset, or raise DatasetError with step-by-step offline instructions."""
    paths: dict[str, Path] = {}
    overrides = dict(checksums or {})
    for remote in files:
        try:
            paths[remote.filename] = fetch_file(
                dataset_name,
                remote,
                dest_dir,
                mirror_url=mirror_url,
                checksum=overrides.get(remote.filename),
            )
        except ChecksumMismatch:
            shutil.rmtree(dest_dir, ignore_errors=True)
            raise
        except DatasetError as exc:
            shutil.rmtree(dest_dir, ignore_errors=True)
            raise DatasetError(offline_instructions(dataset_name, files, str(exc), cache_hint)) from exc
    return paths


def offline_instructions(dataset_name: str, files: tuple[RemoteFile, ...], reason: str, cache: Path) -> str:
    """The message shown when a dataset is neither cached nor downloadable."""
    lines = [
        f"dataset {dataset_name!r} is not in the cache ({cache}) and could not be downloaded ({reason}).",
        "To install it offline, download these files on a machine with internet access:",
    ]
    lines += [f"  {f.filename}  from {f.urls[0]}  ({f.checksum})" for f in files]
    lines += [
        f"put them together in one directory (for example ./{dataset_name}-files/) and run:",
        f"  healthtune datasets import {dataset_name} ./{dataset_name}-files",
        f"Alternatively set {MIRROR_ENV} to a mirror that serves {{mirror}}/{dataset_name}/{{filename}}.",
    ]
    return "\n".join(lines)
