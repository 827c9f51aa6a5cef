"""The search space per architecture, documented in one place, and validation of user overrides."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from healthtune.exceptions import ConfigError

CNN = "cnn"
LSTM = "lstm"
BOTH = (CNN, LSTM)


@dataclass(frozen=True)
class ParamSpec:
    """One searchable hyperparameter: its range or choices and what it means."""

    name: str
    kind: str  # "int", "float" or "categorical"
    description: str
    architectures: tuple[str, ...] = BOTH
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    condition: tuple[str, Any] | None = None  # only sampled when another parameter has this value

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.allowed(),
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "architectures": list(self.architectures),
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "choices": list(self.choices),
            "condition": list(self.condition) if self.condition else None,
        }

    def allowed(self) -> dict[str, Any]:
        """What an override may use, beyond the default search: the model's own limits."""
        from healthtune.models.config import CHOICE_LIMITS, NUMERIC_LIMITS

        low, high = NUMERIC_LIMITS.get(self.name, (None, None))
        choices: tuple[Any, ...] = CHOICE_LIMITS.get(self.name, ())
        if not choices and self.kind == "categorical" and all(isinstance(c, bool) for c in self.choices):
            choices = (True, False)
        return {"allowed_low": low, "allowed_high": high, "allowed_choices": list(choices)}


SEARCH_SPACE: tuple[ParamSpec, ...] = (
    ParamSpec("conv_blocks", "int", "How many conv blocks (conv, normalization, activation, pooling) are "
              "stacked. More blocks see larger patterns but cost time.", (CNN,), 1, 4),
    ParamSpec("convs_per_block", "int", "Convolutions stacked inside each block before it pools; two "
              "small convs see as far as one big one with fewer parameters.", (CNN,), 1, 2),
    ParamSpec("filters", "categorical", "Filters (feature detectors) in the first conv block.",
              (CNN,), choices=(16, 32, 64)),
    ParamSpec("filter_growth", "categorical", "Factor by which the filter count grows from one block to "
              "the next (2 doubles them).", (CNN,), choices=(1.0, 1.5, 2.0)),
    ParamSpec("kernel_size", "categorical", "Width of each convolution window in pixels.",
              (CNN,), choices=(3, 5)),
    ParamSpec("batch_norm", "categorical", "Batch normalization after each convolution: steadier, faster "
              "training and fewer dead units.", (CNN,), choices=(True, False)),
    ParamSpec("pooling", "categorical", "How each block halves the image: keep the strongest response "
              "(max) or the average.", (CNN,), choices=("max", "avg")),
    ParamSpec("global_pooling", "categorical", "Average each feature map to one number before the head "
              "(fewer parameters) instead of flattening it.", (CNN,), choices=(True, False)),
    ParamSpec("conv_dropout", "float", "Share of conv activations dropped at random while training, "
              "against overfitting.", (CNN,), 0.0, 0.4),
    ParamSpec("embedding_dim", "categorical", "Length of the vector that represents each word.",
              (LSTM,), choices=(32, 64, 128)),
    ParamSpec("lstm_layers", "int", "Stacked LSTM layers; the second one reads the first one's outputs.",
              (LSTM,), 1, 2),
    ParamSpec("lstm_units", "categorical", "Memory cells per LSTM layer (and direction).",
              (LSTM,), choices=(32, 64, 128)),
    ParamSpec("bidirectional", "categorical", "Read the text forwards and backwards and join both.",
              (LSTM,), choices=(True, False)),
    ParamSpec("lstm_dropout", "float", "Share of LSTM inputs dropped at random while training.",
              (LSTM,), 0.0, 0.5),
    ParamSpec("activation", "categorical", "Non-linearity of the hidden layers. ReLU is the classic; "
              "leaky ReLU, GELU and swish keep a small gradient for negative inputs.",
              choices=("relu", "leaky_relu", "gelu", "swish")),
    ParamSpec("dense_layers", "int", "Fully connected hidden layers before the output layer.", low=0, high=2),
    ParamSpec("dense_units", "categorical", "Units per hidden dense layer.", choices=(64, 128, 256)),
    ParamSpec("dense_dropout", "float", "Share of dense units dropped at random while training.",
              low=0.0, high=0.5),
    ParamSpec("optimizer", "categorical", "The update rule: Adam and AdamW adapt the step per weight, "
              "SGD with momentum is simple and robust, RMSprop scales by recent gradient size.",
              choices=("adam", "adamw", "sgd", "rmsprop")),
    ParamSpec("learning_rate", "float", "Step size of each update. Too high diverges or kills units, too "
              "low learns slowly.", low=1e-4, high=1e-2, log=True),
    ParamSpec("momentum", "float", "SGD only: how much of the previous step is carried into the next.",
              low=0.8, high=0.99, condition=("optimizer", "sgd")),
    ParamSpec("weight_decay", "float", "AdamW only: pulls weights towards zero each step (regularization).",
              low=1e-5, high=1e-2, log=True, condition=("optimizer", "adamw")),
    ParamSpec("lr_schedule", "categorical", "Keep the learning rate constant, or decay it along a cosine "
              "curve to zero by the last epoch.", choices=("constant", "cosine")),
)  # fmt: skip

PARAMS: dict[str, ParamSpec] = {spec.name: spec for spec in SEARCH_SPACE}


def params_for(architecture: str) -> list[ParamSpec]:
    return [spec for spec in SEARCH_SPACE if architecture in spec.architectures]


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
