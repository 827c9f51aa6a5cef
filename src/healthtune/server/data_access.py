"""Which datasets a server may read: registry names, its own uploads, and the folders its operator allows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from healthtune.core.exceptions import ConfigError
from healthtune.data.names import DATASET_NAMES, USER_PREFIXES
from healthtune.data.registry import unknown_dataset
from healthtune.data.uploads import rebase_upload
from healthtune.server.settings import ServerSettings

_SHOWN = 200  # characters of a refused name repeated in the message


def refusal(name: str) -> ConfigError:
    """The one message for every path a server will not read: the same whether it exists or not,
    so a client cannot use it to probe the server's disk."""
    shown = name.strip()[:_SHOWN]
    return ConfigError(
        f"dataset {shown!r} is outside what this server may read: a server reads datasets only from "
        "its uploads (POST /api/datasets/uploads, or Upload in the web UI) and from the folders its "
        "operator lists in HEALTHTUNE_DATA_ROOTS. Upload the data, or ask the operator to add its "
        f"folder; registry datasets ({', '.join(DATASET_NAMES)}) are always available"
    )


def split_form(name: str) -> tuple[str, str]:
    """("images"/"texts"/"csv"/"npz", path text) for an explicit form, ("", path text) for a bare path."""
    for form in USER_PREFIXES:
        if name.startswith(f"{form}:"):
            return form, name[len(form) + 1 :].strip()
    return "", name


def confine_dataset(name: str, roots: Sequence[Path]) -> str:
    """`name` as a server job may use it, or ConfigError (see `refusal`).

    Registry names pass as they are. A path (images:, texts:, csv:, npz: or bare) passes when,
    resolved with its symbolic links followed, it lies inside one of `roots`; it comes back
    absolute and resolved, so a link changed later cannot move the job elsewhere and a server
    started from another directory finds it again. A relative path is taken inside the roots
    (the first where it exists). Nothing is read: existence is checked later, inside the roots.
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"dataset must be a non-empty string, got dataset={name!r}")
    text = name.strip()
    if text in DATASET_NAMES:
        return text
    form, path_text = split_form(text)
    if not path_text:
        raise ConfigError(f"dataset {text[:_SHOWN]!r} names no path; expected {form}:PATH")
    try:
        resolved = _resolve_inside(Path(path_text), roots)
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop, an unreadable name
        raise refusal(text) from None
    looks_like_a_name = not form and not any(mark in text for mark in ("/", "\\", "."))
    if looks_like_a_name and (resolved is None or not resolved.exists()):
        raise unknown_dataset(text)  # a mistyped registry name, not a path
    if resolved is None:
        raise refusal(text)
    return f"{form}:{resolved}" if form else str(resolved)


def _resolve_inside(path: Path, roots: Sequence[Path]) -> Path | None:
    resolved_roots = [root.resolve() for root in roots]
    bases = [path] if path.is_absolute() else [root / path for root in resolved_roots]
    inside = [
        candidate
        for candidate in (base.resolve() for base in bases)
        if any(candidate.is_relative_to(root) for root in resolved_roots)
    ]
    inside.sort(key=lambda candidate: not candidate.exists())  # only paths inside the roots are looked at
    return inside[0] if inside else None


def reads_from(dataset: str, folder: Path) -> bool:
    """Does a job's dataset name point into `folder` (however the path was written)?"""
    _, path_text = split_form(dataset.strip())
    if not path_text or path_text in DATASET_NAMES:
        return False
    try:
        return Path(path_text).expanduser().resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError, RuntimeError):
        return False


def current_config(values: dict[str, Any], settings: ServerSettings) -> dict[str, Any]:
    """A stored job config with this server's own places: results root, storage, data cache and
    uploads. A job runs where today's server keeps runs, wherever the server that queued it did."""
    current = dict(values)
    current.update(results_root=str(settings.results_root), storage_url=settings.storage_url)
    current["data_dir"] = str(settings.data_dir) if settings.data_dir is not None else None
    if isinstance(current.get("dataset"), str):
        current["dataset"] = rebase_upload(current["dataset"], settings.uploads_dir)
    return current
