"""Search-space overrides: a user fixes a parameter, narrows its range or restricts its choices; checked here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from healthtune.core.exceptions import ConfigError
from healthtune.search.space import PARAMS, ParamSpec

MAX_OVERRIDE_CHOICES = 64
"""Longest choice list an override may give (before repeats are dropped); every parameter has fewer values."""


def validate_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check user overrides; return them normalized.

    A value fixes the parameter; `{"low": a, "high": b}` narrows a numeric range;
    `{"choices": [...]}` (or a list) restricts a categorical one.
    """
    from healthtune.models.config import ModelConfig

    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"search_space_overrides must be a mapping, got {overrides!r}")
    normalized: dict[str, Any] = {}
    for name, value in overrides.items():
        spec = PARAMS.get(name)
        if spec is None:
            raise ConfigError(
                f"search_space_overrides: unknown parameter {name!r}; valid: {', '.join(sorted(PARAMS))}"
            )
        if isinstance(value, list | tuple):
            value = {"choices": list(value)}
        if isinstance(value, Mapping):
            normalized[name] = _validate_narrowing(spec, dict(value))
            for candidate in normalized[name].get("choices", []) or [
                normalized[name]["low"],
                normalized[name]["high"],
            ]:
                ModelConfig.from_dict({name: candidate})
        else:
            if spec.kind == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)
            ModelConfig.from_dict({name: value})  # raises ConfigError naming the field
            normalized[name] = value
    return normalized


def _validate_narrowing(spec: ParamSpec, value: dict[str, Any]) -> dict[str, Any]:
    where = f"search_space_overrides[{spec.name!r}]"
    if set(value) == {"choices"}:
        if not isinstance(value["choices"], list | tuple):
            raise ConfigError(f"{where}: choices must be a list, got {type(value['choices']).__name__}")
        if len(value["choices"]) > MAX_OVERRIDE_CHOICES:
            raise ConfigError(
                f"{where}: at most {MAX_OVERRIDE_CHOICES} choices, got {len(value['choices'])}; "
                f"{spec.name} has {len(spec.choices)} values to pick from"
            )
        choices: list[Any] = []
        for choice in value["choices"]:  # repeats add nothing but work
            if choice not in choices:
                choices.append(choice)
        if not choices:
            raise ConfigError(f"{where}: choices must not be empty")
        if spec.kind != "categorical":
            raise ConfigError(f"{where}: {spec.name} is a {spec.kind} range; narrow it with low and high")
        return {"choices": choices}
    if set(value) != {"low", "high"}:
        raise ConfigError(f"{where} must be a value, {{'low': a, 'high': b}} or {{'choices': [...]}}")
    if spec.kind == "categorical":
        raise ConfigError(
            f"{where}: {spec.name} is categorical, not a range; fix one value ({spec.name}=value) or list "
            f"choices ({spec.name}=a,b); searched by default: {list(spec.choices)}"
        )
    low, high = value["low"], value["high"]
    for bound in (low, high):
        if isinstance(bound, bool) or not isinstance(bound, int | float) or not math.isfinite(bound):
            raise ConfigError(f"{where}: low and high must be numbers, got low={low!r}, high={high!r}")
    if low > high:
        raise ConfigError(f"{where}: low must be <= high, got low={low!r}, high={high!r}")
    if spec.kind == "int":
        if not (float(low).is_integer() and float(high).is_integer()):
            raise ConfigError(f"{where}: {spec.name} is an integer; got low={low!r}, high={high!r}")
        low, high = int(low), int(high)
    if spec.log and low <= 0:
        raise ConfigError(f"{where}: {spec.name} is searched on a log scale; low must be > 0, got {low!r}")
    return {"low": low, "high": high}


def parse_override(text: str) -> tuple[str, Any]:
    """CLI form: `name=value`, `name=low:high` or `name=a,b,c`."""
    if "=" not in text:
        raise ConfigError(f"search-space override must look like name=value, name=low:high or name=a,b; "
                          f"got {text!r}")  # fmt: skip
    name, raw = (part.strip() for part in text.split("=", 1))
    if ":" in raw:
        low, high = raw.split(":", 1)
        return name, {"low": _scalar(low), "high": _scalar(high)}
    if "," in raw:
        return name, {"choices": [_scalar(item) for item in raw.split(",") if item.strip()]}
    return name, _scalar(raw)


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text
