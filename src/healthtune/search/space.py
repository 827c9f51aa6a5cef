"""The search space per architecture, documented in one place: ranges, choices, conditions and what each does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from healthtune.models.learning_rates import describe as describe_rates
from healthtune.models.learning_rates import overall_range, rate_range

CNN = "cnn"
LSTM = "lstm"  # the text architecture; `text_encoder` picks its network
BOTH = (CNN, LSTM)


@dataclass(frozen=True)
class AtLeast:
    """A condition on a numeric parameter: it holds from this value up."""

    minimum: int

    def __str__(self) -> str:
        return f"{self.minimum} or more"


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
    # only sampled when another parameter has this value (or, with AtLeast, at least this value)
    condition: tuple[str, Any] | None = None
    # the learning rate: the range comes from the network and the optimizer drawn before it
    per_network_and_optimizer: bool = False

    def applies(self, values: Mapping[str, Any]) -> bool:
        """Whether this parameter matters, given the values drawn (or fixed) before it."""
        return self.condition is None or condition_met(self.condition[1], values.get(self.condition[0]))

    def bounds(self, architecture: str, values: Mapping[str, Any]) -> tuple[float, float]:
        """The searched range, given the values drawn before it (the optimizer, the text encoder)."""
        if self.per_network_and_optimizer:
            network = CNN if architecture == CNN else str(values["text_encoder"])
            row = rate_range(network, str(values["optimizer"]))
            return row.low, row.high
        assert self.low is not None and self.high is not None, f"{self.name} is not numeric"
        return self.low, self.high

    def to_dict(self) -> dict[str, Any]:
        condition = None
        if self.condition:
            parent, wanted = self.condition
            condition = [parent, str(wanted) if isinstance(wanted, AtLeast) else wanted]
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
            "condition": condition,
        }

    def allowed(self) -> dict[str, Any]:
        """What an override may use, beyond the default search: the model's own limits."""
        from healthtune.models.config import CHOICE_LIMITS, NUMERIC_LIMITS

        low, high = NUMERIC_LIMITS.get(self.name, (None, None))
        choices: tuple[Any, ...] = CHOICE_LIMITS.get(self.name, ())
        if not choices and self.kind == "categorical" and all(isinstance(c, bool) for c in self.choices):
            choices = (True, False)
        return {"allowed_low": low, "allowed_high": high, "allowed_choices": list(choices)}


def condition_met(wanted: Any, value: Any) -> bool:
    if isinstance(wanted, AtLeast):
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= wanted.minimum
    return bool(value == wanted)


_RATE_LOW, _RATE_HIGH = overall_range()
_TEXT_LSTM = ("text_encoder", "lstm")
_TEXT_CONV = ("text_encoder", "conv1d")

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
    ParamSpec("batch_norm", "categorical", "Batch normalization after each convolution and each hidden dense "
              "layer: steadier, faster training and fewer dead units.", (CNN,), choices=(True, False)),
    ParamSpec("pooling", "categorical", "How each block halves the image: keep the strongest response "
              "(max) or the average.", (CNN,), choices=("max", "avg")),
    ParamSpec("global_pooling", "categorical", "Average each feature map to one number before the head "
              "(fewer parameters) instead of flattening it. Searched only from 3 conv blocks: after one or "
              "two, the averaged features have seen too little of the image to learn in a few epochs.",
              (CNN,), choices=(True, False), condition=("conv_blocks", AtLeast(3))),
    ParamSpec("conv_dropout", "float", "Share of conv activations dropped at random while training, "
              "against overfitting.", (CNN,), 0.0, 0.4),
    ParamSpec("augmentation", "categorical", "Random horizontal flips, shifts up to 10% and rotations up "
              "to about 11 degrees of every training image (never at prediction): more varied examples, "
              "less overfitting. Searched for colour images only; off for grayscale, digit-like images, "
              "where a mirrored or turned character may be another one.", (CNN,), choices=(True, False)),
    ParamSpec("text_encoder", "categorical", "How the word vectors of a text become one vector for the "
              "head. bag_of_embeddings averages them, ignoring order (fastText): few weights, learns from a "
              "few hundred texts. conv1d slides filters over runs of words and keeps each one's strongest "
              "match: detects phrases. lstm reads the words in order and remembers what matters: the most "
              "expressive and the slowest, it needs thousands of texts.",
              (LSTM,), choices=("bag_of_embeddings", "conv1d", "lstm")),
    ParamSpec("embedding_dim", "categorical", "Length of the vector that represents each word.",
              (LSTM,), choices=(32, 64, 128)),
    ParamSpec("word_dropout", "float", "Share of a text's words hidden at random at each training step, so the "
              "network learns from all of its words instead of leaning on a few.", (LSTM,), 0.0, 0.3),
    ParamSpec("lstm_layers", "int", "LSTM only: stacked LSTM layers; the second one reads the first one's "
              "outputs.", (LSTM,), 1, 2, condition=_TEXT_LSTM),
    ParamSpec("lstm_units", "categorical", "LSTM only: memory cells per LSTM layer (and direction).",
              (LSTM,), choices=(32, 64, 128), condition=_TEXT_LSTM),
    ParamSpec("bidirectional", "categorical", "LSTM only: read the text forwards and backwards and join both.",
              (LSTM,), choices=(True, False), condition=_TEXT_LSTM),
    ParamSpec("lstm_dropout", "float", "LSTM only: share of LSTM inputs dropped at random while training.",
              (LSTM,), 0.0, 0.5, condition=_TEXT_LSTM),
    ParamSpec("conv1d_layers", "int", "conv1d only: stacked 1D convolutions; the second one combines the "
              "first one's phrases.", (LSTM,), 1, 2, condition=_TEXT_CONV),
    ParamSpec("conv1d_filters", "categorical", "conv1d only: phrase detectors per convolution.",
              (LSTM,), choices=(64, 128, 256), condition=_TEXT_CONV),
    ParamSpec("conv1d_kernel_size", "categorical", "conv1d only: words each filter looks at together.",
              (LSTM,), choices=(3, 5, 7), condition=_TEXT_CONV),
    ParamSpec("activation", "categorical", "Non-linearity of the hidden layers. ReLU is the classic; "
              "leaky ReLU, GELU and swish keep a small gradient for negative inputs.",
              choices=("relu", "leaky_relu", "gelu", "swish")),
    ParamSpec("dense_layers", "int", "Fully connected hidden layers before the output layer.", low=0, high=2),
    ParamSpec("dense_units", "categorical", "Units per hidden dense layer.", choices=(64, 128, 256)),
    ParamSpec("dense_dropout", "float", "Share of hidden dense units dropped at random while training "
              "(with no hidden layer: of the features that reach the output layer).",
              low=0.0, high=0.5),
    ParamSpec("optimizer", "categorical", "The update rule: Adam and AdamW adapt the step per weight, "
              "SGD with momentum is simple and robust, RMSprop scales by recent gradient size.",
              choices=("adam", "adamw", "sgd", "rmsprop")),
    ParamSpec("learning_rate", "float", "Step size of each update. Too high diverges or kills units, too "
              "low learns slowly. SGD needs about ten times Adam's rate, and a bag of embeddings more than "
              f"a CNN, so the searched range (log scale) depends on both: {describe_rates()}.",
              low=_RATE_LOW, high=_RATE_HIGH, log=True, per_network_and_optimizer=True),
    ParamSpec("momentum", "float", "SGD only: how much of the previous step is carried into the next.",
              low=0.8, high=0.95, condition=("optimizer", "sgd")),
    ParamSpec("weight_decay", "float", "AdamW only: pulls weights towards zero each step (regularization).",
              low=1e-5, high=1e-2, log=True, condition=("optimizer", "adamw")),
    ParamSpec("lr_schedule", "categorical", "Keep the learning rate constant, or decay it along a cosine "
              "curve to zero by the last epoch.", choices=("constant", "cosine")),
)  # fmt: skip

PARAMS: dict[str, ParamSpec] = {spec.name: spec for spec in SEARCH_SPACE}


def params_for(architecture: str) -> list[ParamSpec]:
    return [spec for spec in SEARCH_SPACE if architecture in spec.architectures]
