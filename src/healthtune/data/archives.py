"""Safe unpacking of zip and tar archives: no path leaves the target folder, links are skipped, size is capped."""

from __future__ import annotations

import re
import shutil
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import IO

from healthtune.core.exceptions import DatasetError

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
MAX_ARCHIVE_MEMBERS = 250_000
"""More entries than this is refused: it is a file-count bomb, not a dataset (CIFAR-10 as PNGs: 60,000)."""
JUNK_NAMES = frozenset({"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"})
"""What macOS Finder and Windows Explorer add to archives and folders; never data."""
_CHUNK = 1024 * 1024
_ZIP_SYMLINK = 0o120000


def archive_suffix(filename: str) -> str | None:
    """The archive suffix `filename` ends with (case-insensitive), or None for any other file."""
    lower = filename.lower()
    return next((suffix for suffix in ARCHIVE_SUFFIXES if lower.endswith(suffix)), None)


def member_parts(name: str) -> list[str] | None:
    """The path parts of an archive member, None for junk; DatasetError when it points outside the archive."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise DatasetError(f"archive member {name!r} has an absolute path; refusing to unpack it")
    parts = [part for part in re.split(r"[\\/]+", name) if part not in ("", ".")]
    if ".." in parts:
        raise DatasetError(f"archive member {name!r} points outside the archive; refusing to unpack it")
    if not parts or any(part in JUNK_NAMES or part.startswith("._") for part in parts):
        return None
    return parts


class _Budget:
    """Counts unpacked bytes, so a small archive cannot fill the disk (a zip bomb)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    def copy(self, source: IO[bytes], target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                self.used += len(chunk)
                if self.used > self.max_bytes:
                    raise DatasetError(
                        f"the archive unpacks to more than {self.max_bytes // 2**20} MB, the limit for "
                        "uploads; upload a smaller dataset or raise the server's max_upload_mb"
                    )
                out.write(chunk)


def _check_count(count: int) -> None:
    if count > MAX_ARCHIVE_MEMBERS:
        raise DatasetError(f"the archive has {count} entries; at most {MAX_ARCHIVE_MEMBERS} are accepted")


def _unpack_zip(archive: Path, target: Path, budget: _Budget) -> None:
    _check_count(zip_entry_count(archive))  # before zipfile builds an object per entry
    with zipfile.ZipFile(archive) as handle:
        members = handle.infolist()
        _check_count(len(members))
        for info in members:
            parts = member_parts(info.filename)
            if parts is None or info.is_dir() or (info.external_attr >> 16) & 0o170000 == _ZIP_SYMLINK:
                continue
            with handle.open(info) as source:
                budget.copy(source, target.joinpath(*parts))


_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_CENTRAL_HEADER = b"PK\x01\x02"
_CENTRAL_HEADER_SIZE = 46


def zip_entry_count(archive: Path) -> int:
    """How many entries a zip's central directory holds, read without building them.

    The end-of-central-directory record (zip64's when present) gives the count; as it can lie, the
    directory's fixed-size headers are then counted, stopping as soon as there are more than
    MAX_ARCHIVE_MEMBERS. zipfile.ZipFile instead parses every entry into an object first: 1.3 million
    entries took 450 MB before any check could run.
    """
    with archive.open("rb") as handle:
        size = handle.seek(0, 2)
        tail_start = max(0, size - _EOCD_SIZE - 0xFFFF)  # the record, then a comment of up to 64 KiB
        handle.seek(tail_start)
        tail = handle.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < _EOCD_SIZE:
            raise zipfile.BadZipFile("no end-of-central-directory record")
        count, directory_size = struct.unpack("<xxxxxxxxxxHI", tail[at : at + 16])
        end = tail_start + at  # the directory ends where its end record begins
        locator = tail[at - 20 : at] if at >= 20 else b""
        if locator[:4] == _ZIP64_LOCATOR:
            (record_at,) = struct.unpack("<Q", locator[8:16])
            handle.seek(record_at)
            record = handle.read(56)
            if record[:4] == _ZIP64_EOCD and len(record) == 56:
                count, directory_size = struct.unpack("<QQ", record[32:48])
                end = record_at
        _check_count(count)
        return _count_central_headers(handle, end - directory_size, end)


def _count_central_headers(handle: IO[bytes], start: int, end: int) -> int:
    if start < 0:
        raise zipfile.BadZipFile("the central directory starts before the file")
    handle.seek(start)
    count = 0
    position = start
    while position + _CENTRAL_HEADER_SIZE <= end:
        header = handle.read(_CENTRAL_HEADER_SIZE)
        if header[:4] != _CENTRAL_HEADER:
            break
        count += 1
        _check_count(count)
        name, extra, comment = struct.unpack("<HHH", header[28:34])
        position += _CENTRAL_HEADER_SIZE + name + extra + comment
        handle.seek(position)
    return count


def _unpack_tar(archive: Path, target: Path, budget: _Budget) -> None:
    with tarfile.open(archive, "r:*") as handle:
        count = 0
        for info in handle:
            count += 1
            _check_count(count)
            parts = member_parts(info.name)
            if parts is None or not info.isfile():  # links, devices and folders are not data
                continue
            source = handle.extractfile(info)
            if source is not None:
                with source:
                    budget.copy(source, target.joinpath(*parts))


def unpack_archive(archive: Path, target: Path, *, max_bytes: int, filename: str | None = None) -> None:
    """Unpack a zip or tar archive (named `filename`, default its own name) into `target`.

    DatasetError for a damaged archive, a member with an absolute or `..` path, more than
    MAX_ARCHIVE_MEMBERS entries, or more than `max_bytes` once unpacked. Symbolic links, devices
    and Finder/Explorer junk (__MACOSX, .DS_Store, ._*, Thumbs.db) are skipped. On error the
    target is removed, so nothing half-unpacked stays behind.
    """
    name = filename or archive.name
    suffix = archive_suffix(name)
    if suffix is None:
        raise DatasetError(
            f"{name!r} is not an archive; expected a name ending in {', '.join(ARCHIVE_SUFFIXES)}"
        )
    budget = _Budget(max_bytes)
    try:
        if suffix == ".zip":
            _unpack_zip(archive, target, budget)
        else:
            _unpack_tar(archive, target, budget)
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError) as error:
        shutil.rmtree(target, ignore_errors=True)
        raise DatasetError(f"{name!r} is not a readable {suffix} archive: {error}") from None
    except DatasetError:
        shutil.rmtree(target, ignore_errors=True)
        raise
