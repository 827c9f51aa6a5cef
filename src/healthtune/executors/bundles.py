"""Trial bundles: a trial directory travels as one zip with its sha256, and is unpacked safely."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from healthtune.core.exceptions import BundleCorrupt

# Without object storage a bundle travels inside the job's JSON output, base64-encoded; RunPod
# caps a job's output (about 20 MB for /run), so inline bundles stay well under that.
INLINE_BUNDLE_LIMIT_BYTES = 8 * 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(directory: Path) -> bytes:
    """Every file under `directory`, relative paths, deflated; the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def unpack(data: bytes, destination: Path, expected_sha256: str) -> list[str]:
    """Check the hash, then extract into `destination`; returns the extracted names.

    Raises BundleCorrupt on a hash mismatch, a damaged zip, or a member that would land outside
    `destination` (absolute paths, `..`).
    """
    actual = sha256(data)
    if actual != expected_sha256:
        raise BundleCorrupt(
            f"bundle sha256 mismatch: the worker reported {expected_sha256}, received {actual} "
            f"({len(data)} bytes)"
        )
    destination = Path(destination)
    root = destination.resolve()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            for name in names:
                target = (root / name).resolve()
                if not target.is_relative_to(root) or os.path.isabs(name):
                    raise BundleCorrupt(f"bundle member {name!r} would be written outside {destination}")
            destination.mkdir(parents=True, exist_ok=True)
            archive.extractall(root)
    except zipfile.BadZipFile as error:
        raise BundleCorrupt(f"bundle is not a valid zip: {error}") from error
    return names
