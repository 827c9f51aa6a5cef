"""Command-line flags for every OptimizationConfig field (one place), and the config they give."""

from __future__ import annotations

import argparse
import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from healthtune.core.config import OptimizationConfig

FLAG_ALIASES = {
    "max_epochs_per_trial": ["--epochs"],
    "search_space_overrides": ["--override", "-O"],
    "health_component_proportions": ["--proportion"],
}
MAPPING_FIELDS = ("search_space_overrides", "health_component_proportions")


def _field_type(annotation: Any) -> tuple[Any, bool]:
    """(base type, optional?) of a dataclass annotation such as `int | None`."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        return next(a for a in args if a is not type(None)), True
    return annotation, False


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per OptimizationConfig field; unset flags keep the config's own defaults."""
    hints = typing.get_type_hints(OptimizationConfig)
    for field in dataclasses.fields(OptimizationConfig):
        base, _ = _field_type(hints[field.name])
        flags = [f"--{field.name.replace('_', '-')}", *FLAG_ALIASES.get(field.name, [])]
        default: Any = field.default
        if field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        if isinstance(default, enum.Enum):
            default = default.value
        shown = "auto" if default == "" else "none" if default in ({}, None) else default
        help_text = f"{field.metadata.get('help', '')} (default: {shown})"
        if field.name in MAPPING_FIELDS:  # repeatable: -O a=1 -O b=2, or comma-separated pairs
            parser.add_argument(
                *flags, dest=field.name, action="append", metavar="NAME=VALUE", help=help_text
            )
        elif isinstance(base, type) and issubclass(base, enum.Enum):
            choices = [m.value for m in base]
            parser.add_argument(*flags, dest=field.name, choices=choices, help=help_text)
        elif base is bool:  # --tensorboard, --tensorboard false, or --no-tensorboard
            parser.add_argument(
                *flags,
                dest=field.name,
                type=_boolean,
                nargs="?",
                const=True,
                metavar="true|false",
                help=help_text,
            )
            parser.add_argument(
                f"--no-{field.name.replace('_', '-')}", dest=field.name, action="store_false", default=None,
                help=f"same as {flags[0]} false",
            )  # fmt: skip
        else:
            casters: dict[Any, Callable[[str], Any]] = {int: int, float: float, Path: Path}
            caster = casters.get(base, str)
            parser.add_argument(*flags, dest=field.name, type=caster, help=help_text)


def config_from_args(args: argparse.Namespace) -> OptimizationConfig:
    from healthtune.search.overrides import parse_override

    values: dict[str, Any] = {}
    for field in dataclasses.fields(OptimizationConfig):
        value = getattr(args, field.name, None)
        if value is None:
            continue
        if field.name == "search_space_overrides":
            value = dict(parse_override(text) for text in value)
        elif field.name == "health_component_proportions":
            value = parse_proportions(value)
        values[field.name] = value
    return OptimizationConfig(**values)


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_proportions(items: Sequence[str]) -> dict[str, float]:
    from healthtune.core.exceptions import ConfigError

    result = {}
    for item in (part for text in items for part in text.split(",") if part.strip()):
        name, _, value = item.partition("=")
        try:
            result[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                f"health_component_proportions: expected name=number (e.g. gradient_health=0.2), got {item!r}"
            ) from None
    return result
