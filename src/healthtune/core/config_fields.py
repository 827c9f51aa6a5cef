"""Checks of OptimizationConfig's fields (type, range, allowed values) and the automatic run name."""

from __future__ import annotations

import enum
import math
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from healthtune.core.exceptions import ConfigError
from healthtune.core.paths import JOBS_DB, STUDIES_DB


def coerce_enum(name: str, value: Any, enum_type: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, enum_type):
        return value
    allowed = [m.value for m in enum_type]
    try:
        return enum_type(value)
    except ValueError:
        raise ConfigError(f"{name} must be one of {allowed}, got {name}={value!r}") from None


def require_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, got {name}={value!r}")


def as_path(name: str, value: Any) -> Path:
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise ConfigError(f"{name} must be a directory path, got {name}={value!r}")
    return Path(value)


_NAMES_GIVEN: set[str] = set()  # automatic run names handed out by this process
_NAMES_LOCK = threading.Lock()


def automatic_run_name(dataset: str, results_root: Path) -> str:
    """dataset + timestamp (a CSV's name without .csv); `_2`, `_3`... when two runs start in the same
    second (two API jobs, say) or the folder already exists."""
    from healthtune.data.names import dataset_slug

    slug = dataset_slug(dataset)
    if slug.lower().startswith((STUDIES_DB, JOBS_DB)):  # a dataset file named like the storage
        slug = f"data_{slug}"
    name = stem = f"{slug}_{datetime.now().strftime('%Y%m%d_%H%M%S')}"
    with _NAMES_LOCK:
        counter = 1
        while name in _NAMES_GIVEN or (results_root / name).exists():
            counter += 1
            name = f"{stem}_{counter}"
        _NAMES_GIVEN.add(name)
    return name


def require_int(name: str, value: Any, *, minimum: int, optional: bool = False) -> None:
    """An integer >= minimum (or None, when `optional`: the field is then derived or unused)."""
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            raise ConfigError(f"{name} must be an integer, got {name}={value!r}")
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {name}={value!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {name}={value!r}")


_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def check_run_name(name: str, storage_url: str) -> None:
    """ConfigError unless `name` can be a folder of the results root beside what healthtune keeps there.

    The results root also holds the study database and the server's job table, each with the side
    files SQLite makes only while it writes (studies.db-journal, -wal, -shm): a run named like
    one of them would take its place, and every later run would fail to open its storage.
    """
    if not isinstance(name, str) or not _RUN_NAME.match(name):
        raise ConfigError(
            "run_name must be 1-128 letters, digits, '_', '.' or '-' and start with a letter or digit, "
            f"got run_name={name!r}"
        )
    owned = {STUDIES_DB, JOBS_DB}
    if storage_url.startswith("sqlite:///"):
        owned.add(Path(storage_url.removeprefix("sqlite:///")).name)
    taken = next((file for file in sorted(owned) if name.lower().startswith(file.lower())), None)
    if taken is not None:
        raise ConfigError(
            f"run_name {name!r} is reserved: the results root keeps its {taken} file (and {taken}-journal, "
            f"-wal, -shm) under that name; choose another run_name"
        )
