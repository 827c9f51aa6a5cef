"""Checks of OptimizationConfig's fields (type, range, allowed values) and the automatic run name."""

from __future__ import annotations

import enum
import math
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from healthtune.exceptions import ConfigError


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
    from healthtune.data import dataset_slug

    name = stem = f"{dataset_slug(dataset)}_{datetime.now().strftime('%Y%m%d_%H%M%S')}"
    with _NAMES_LOCK:
        counter = 1
        while name in _NAMES_GIVEN or (results_root / name).exists():
            counter += 1
            name = f"{stem}_{counter}"
        _NAMES_GIVEN.add(name)
    return name


def require_int(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            raise ConfigError(f"{name} must be an integer, got {name}={value!r}")
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {name}={value!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {name}={value!r}")
