"""HyperparameterSelector: maps an Optuna trial to a ModelConfig, honoring the user's overrides and the data."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from healthtune.core.config import Architecture
from healthtune.models.config import ModelConfig
from healthtune.search.overrides import validate_overrides
from healthtune.search.space import PARAMS, AtLeast, ParamSpec, condition_met, params_for

if TYPE_CHECKING:
    import optuna

    from healthtune.data import Dataset

logger = logging.getLogger(__name__)


class HyperparameterSelector:
    """Suggests one value per searchable parameter; fixed overrides are not searched at all.

    `data_fixed` holds parameters the data settles unless an override says otherwise (no
    augmentation on grayscale images); they are not searched and not listed in a trial's params.
    """

    def __init__(
        self,
        architecture: Architecture,
        overrides: Mapping[str, Any] | None = None,
        data_fixed: Mapping[str, Any] | None = None,
    ) -> None:
        self.architecture = Architecture(architecture)
        self.overrides = validate_overrides(overrides)
        self.data_fixed = dict(data_fixed or {})
        self.specs = params_for(self.architecture.value)
        for message in unused_override_notes(self.architecture, self.overrides):
            logger.warning(message)

    @classmethod
    def for_dataset(
        cls, dataset: Dataset, overrides: Mapping[str, Any] | None = None
    ) -> HyperparameterSelector:
        """The space for this data: images -> CNN, augmentation searched only for colour images."""
        from healthtune.data import DataKind
        from healthtune.models import architecture_for

        data_fixed: dict[str, Any] = {}
        if dataset.kind is DataKind.IMAGE and dataset.input_shape[-1] < 3:
            data_fixed["augmentation"] = False  # grayscale: digits and the like, see models/augmentation.py
        return cls(architecture_for(dataset), overrides, data_fixed)

    def suggest(self, trial: optuna.Trial) -> ModelConfig:
        values: dict[str, Any] = {}
        for spec in self.specs:
            if not spec.applies(values):
                continue  # e.g. momentum only matters for SGD
            override = self.overrides.get(spec.name)
            if override is not None and not isinstance(override, Mapping):
                values[spec.name] = override
                trial.set_user_attr(f"fixed_{spec.name}", override)
                continue
            if override is None and spec.name in self.data_fixed:
                values[spec.name] = self.data_fixed[spec.name]
                continue
            values[spec.name] = self._suggest_one(trial, spec, override, values)
        return ModelConfig(architecture=self.architecture, **values)

    def default_params(self) -> dict[str, Any]:
        """The ModelConfig defaults as trial parameters: the first trial of a new study tries them.

        The defaults follow the fixed overrides (optimizer=sgd: SGD's default learning rate); a
        parameter whose default an override excludes is left to the sampler, and so is any
        parameter that depends on it.
        """
        fixed = {
            name: value
            for name, value in self.overrides.items()
            if not isinstance(value, Mapping) and self.architecture.value in PARAMS[name].architectures
        }
        defaults = ModelConfig(architecture=self.architecture, **{**self.data_fixed, **fixed}).to_dict()
        known: dict[str, Any] = {**self.data_fixed, **fixed}
        params: dict[str, Any] = {}
        for spec in self.specs:
            if spec.name in known:
                continue
            parents = [spec.condition[0]] if spec.condition else []
            if spec.per_network_and_optimizer:
                parents += ["optimizer"] + (
                    ["text_encoder"] if self.architecture is Architecture.LSTM else []
                )
            if any(parent not in known for parent in parents) or not spec.applies(known):
                continue
            value = defaults[spec.name]
            if self._allowed(spec, self.overrides.get(spec.name), value, known):
                params[spec.name] = known[spec.name] = value
        return params

    def _suggest_one(
        self,
        trial: optuna.Trial,
        spec: ParamSpec,
        override: Mapping[str, Any] | None,
        values: Mapping[str, Any],
    ) -> Any:
        if spec.kind == "categorical":
            choices = list(override["choices"]) if override else list(spec.choices)
            return trial.suggest_categorical(spec.name, choices)
        low, high = (
            (override["low"], override["high"]) if override else spec.bounds(self.architecture.value, values)
        )
        if spec.kind == "int":
            return trial.suggest_int(spec.name, int(low), int(high), log=spec.log)
        return trial.suggest_float(spec.name, float(low), float(high), log=spec.log)

    def _allowed(
        self, spec: ParamSpec, override: Mapping[str, Any] | None, value: Any, values: Mapping[str, Any]
    ) -> bool:
        if spec.kind == "categorical":
            return value in (override["choices"] if override else spec.choices)
        low, high = (
            (override["low"], override["high"]) if override else spec.bounds(self.architecture.value, values)
        )
        return bool(low <= value <= high)


def unused_override_notes(architecture: Architecture, overrides: Mapping[str, Any]) -> list[str]:
    """Why an override will never take effect: it is for the other architecture, or the parameter it
    depends on is fixed to another value (momentum with optimizer=adam)."""
    notes = []
    for name, override in overrides.items():
        spec = PARAMS[name]
        if architecture.value not in spec.architectures:
            other = "text" if architecture is Architecture.CNN else "CNN (image)"
            mine = "CNN" if architecture is Architecture.CNN else "text network"
            notes.append(
                f"search_space_overrides: {name} applies to {other} models; this dataset trains a "
                f"{mine}, so {name}={override!r} is ignored"
            )
            continue
        if spec.condition is None:
            continue
        parent, needed = spec.condition
        fixed = overrides.get(parent)
        if fixed is not None and not isinstance(fixed, Mapping) and not condition_met(needed, fixed):
            when = f"{parent} is {needed}" if isinstance(needed, AtLeast) else f"{parent}={needed!r}"
            notes.append(
                f"search_space_overrides: {name} is only used when {when}, but {parent} is "
                f"fixed to {fixed!r}, so {name}={override!r} is ignored"
            )
    return notes
