"""HyperparameterSelector: maps an Optuna trial to a ModelConfig, honoring the user's overrides."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from healthtune.config import Architecture
from healthtune.models.config import ModelConfig
from healthtune.search.space import PARAMS, ParamSpec, params_for, validate_overrides

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger(__name__)


class HyperparameterSelector:
    """Suggests one value per searchable parameter; fixed overrides are not searched at all."""

    def __init__(self, architecture: Architecture, overrides: Mapping[str, Any] | None = None) -> None:
        self.architecture = Architecture(architecture)
        self.overrides = validate_overrides(overrides)
        self.specs = params_for(self.architecture.value)
        for message in unused_override_notes(self.architecture, self.overrides):
            logger.warning(message)

    def suggest(self, trial: optuna.Trial) -> ModelConfig:
        values: dict[str, Any] = {}
        for spec in self.specs:
            if spec.condition is not None and values.get(spec.condition[0]) != spec.condition[1]:
                continue  # e.g. momentum only matters for SGD
            override = self.overrides.get(spec.name)
            if override is not None and not isinstance(override, Mapping):
                values[spec.name] = override
                trial.set_user_attr(f"fixed_{spec.name}", override)
                continue
            values[spec.name] = self._suggest_one(trial, spec, override)
        return ModelConfig(architecture=self.architecture, **values)

    def default_params(self) -> dict[str, Any]:
        """The ModelConfig defaults as trial parameters: the first trial of a new study tries them."""
        defaults = ModelConfig(architecture=self.architecture).to_dict()
        params: dict[str, Any] = {}
        for spec in self.specs:
            if spec.condition is not None and defaults[spec.condition[0]] != spec.condition[1]:
                continue
            override = self.overrides.get(spec.name)
            if override is not None and not isinstance(override, Mapping):
                continue
            value = defaults[spec.name]
            if _allowed(spec, override, value):
                params[spec.name] = value
        return params

    @staticmethod
    def _suggest_one(trial: optuna.Trial, spec: ParamSpec, override: Mapping[str, Any] | None) -> Any:
        if spec.kind == "categorical":
            choices = list(override["choices"]) if override else list(spec.choices)
            return trial.suggest_categorical(spec.name, choices)
        low = override["low"] if override else spec.low
        high = override["high"] if override else spec.high
        assert low is not None and high is not None
        if spec.kind == "int":
            return trial.suggest_int(spec.name, int(low), int(high), log=spec.log)
        return trial.suggest_float(spec.name, float(low), float(high), log=spec.log)


def unused_override_notes(architecture: Architecture, overrides: Mapping[str, Any]) -> list[str]:
    """Why an override will never take effect: it is for the other architecture, or the parameter it
    depends on is fixed to another value (momentum with optimizer=adam)."""
    notes = []
    for name, override in overrides.items():
        spec = PARAMS[name]
        if architecture.value not in spec.architectures:
            other = "LSTM (text)" if architecture is Architecture.CNN else "CNN (image)"
            notes.append(
                f"search_space_overrides: {name} applies to {other} models; this dataset trains a "
                f"{architecture.value.upper()}, so {name}={override!r} is ignored"
            )
            continue
        if spec.condition is None:
            continue
        parent, needed = spec.condition
        fixed = overrides.get(parent)
        if fixed is not None and not isinstance(fixed, Mapping) and fixed != needed:
            notes.append(
                f"search_space_overrides: {name} is only used when {parent}={needed!r}, but {parent} is "
                f"fixed to {fixed!r}, so {name}={override!r} is ignored"
            )
    return notes


def _allowed(spec: ParamSpec, override: Mapping[str, Any] | None, value: Any) -> bool:
    if spec.kind == "categorical":
        return value in (override["choices"] if override else spec.choices)
    low = override["low"] if override else spec.low
    high = override["high"] if override else spec.high
    return low is not None and high is not None and low <= value <= high
