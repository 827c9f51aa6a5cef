"""Health probes: per-layer activation statistics and gradient/weight norms on a fixed probe batch."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np

from healthtune.health.defaults import DORMANCY_TAU, SATURATION_MARGIN
from healthtune.health.gradients import gradient_fn, layer_outputs_fn

SCHEDULE_SAMPLES = 32  # steps at which a schedule is evaluated to average it over an epoch
SATURATING = {"tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0)}
"""Bounded activations and their bounds: an output next to a bound is saturated (SATURATION_MARGIN)."""
RECURRENT_LAYERS = ("LSTM", "GRU", "SimpleRNN", "Bidirectional")
ACTIVATION_LAYERS = ("Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax")


@dataclass
class LayerActivity:
    """Activation statistics of one layer's units (dense units, conv channels, LSTM units)."""

    layer: str
    kind: str  # dense, conv, recurrent, activation
    units: int
    mean_abs: list[float]  # E|h_i| per unit over the probe batch (and positions / time steps)
    dormant: int  # units with s_i = E|h_i| / mean_k E|h_k| <= tau
    dead: int  # units that are exactly 0 for every probe example
    # share of the non-dormant units' outputs next to a bound of a tanh/sigmoid (0 for unbounded
    # activations, and in snapshots stored before it was measured)
    saturated_share: float = 0.0

    @property
    def dormant_share(self) -> float:
        return self.dormant / self.units if self.units else 0.0


@dataclass
class LayerGradient:
    """Gradient and weight L2 norms of one layer's trainable weights on the probe batch."""

    layer: str
    grad_norm: float
    weight_norm: float
    update_ratio: float  # mean learning rate since the previous probe * |g| / |w|
    grad_max: float  # largest |gradient| entry, for the gradient-flow plot
    kind: str = ""  # the layer's class ("Conv2D", "BatchNormalization"); "" in snapshots stored before


@dataclass
class ProbeSnapshot:
    """Everything one probe measured, after a given epoch (1-based)."""

    epoch: int
    learning_rate: float
    activity: list[LayerActivity] = field(default_factory=list)
    gradients: list[LayerGradient] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProbeSnapshot:
        return cls(
            epoch=values["epoch"],
            learning_rate=values["learning_rate"],
            activity=[LayerActivity(**a) for a in values["activity"]],
            gradients=[LayerGradient(**g) for g in values["gradients"]],
        )


class ProbedLayer(NamedTuple):
    """A layer whose units the probe reads, named by its path in the model ("backbone/conv1_relu")."""

    name: str
    layer: Any
    kind: str  # dense, conv, recurrent, activation


def model_layers(model: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every layer of `model` in order, with nested models (a Sequential block, a pretrained backbone)
    expanded into their own layers, each named by its path ("block/conv2d")."""
    import keras

    result = []
    for layer in model.layers:
        name = f"{prefix}{layer.name}"
        if isinstance(layer, keras.Model):
            result.extend(model_layers(layer, f"{name}/"))
        else:
            result.append((name, layer))
    return result


def unit_kind(layer: Any) -> str | None:
    """dense, conv, recurrent or activation for a layer whose outputs are unit activations after a
    non-linearity; None for every other layer (see pre_activation)."""
    kind = type(layer).__name__
    if kind in RECURRENT_LAYERS:
        return "recurrent"
    if kind in ACTIVATION_LAYERS:
        return "activation"
    if _dense_or_conv(kind) and not pre_activation(layer):
        return "dense" if kind == "Dense" else "conv"
    return None


def pre_activation(layer: Any) -> bool:
    """A Dense or Conv layer without a non-linearity: its outputs feed the activation that is probed."""
    return _dense_or_conv(type(layer).__name__) and activation_name(layer) == "linear"


def _dense_or_conv(kind: str) -> bool:
    return kind == "Dense" or "Conv" in kind  # Conv2D, Conv1DTranspose, DepthwiseConv2D, SeparableConv2D


def probed_layers(model: Any) -> list[ProbedLayer]:
    """Layers whose outputs are unit activations after a non-linearity, at any depth; the output layer
    (the last one) is left out."""
    chosen = []
    for name, layer in model_layers(model)[:-1]:
        kind = unit_kind(layer)
        if kind is not None:
            chosen.append(ProbedLayer(name, layer, kind))
    return chosen


def current_learning_rate(model: Any) -> float:
    import keras

    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return 0.0
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def optimizer_step(model: Any) -> int:
    """Training steps the optimizer has taken (0 without an optimizer)."""
    import keras

    optimizer = getattr(model, "optimizer", None)
    return 0 if optimizer is None else int(keras.ops.convert_to_numpy(optimizer.iterations))


def mean_learning_rate(model: Any, first_step: int, end_step: int) -> float:
    """The mean learning rate of the steps first_step..end_step - 1, the current one without steps.

    The rate at a probe is not the step size of the epoch before it: a cosine schedule reaches 0 at
    the last step, which made every layer of such a trial look as if its weights barely changed.
    """
    import keras

    optimizer = getattr(model, "optimizer", None)
    schedule = getattr(optimizer, "_learning_rate", None)  # Keras keeps a schedule here, else a variable
    if end_step <= first_step or not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return current_learning_rate(model)
    steps = np.unique(np.linspace(first_step, end_step - 1, SCHEDULE_SAMPLES).round()).astype(np.int64)
    return float(np.mean(keras.ops.convert_to_numpy(schedule(steps))))


class Prober:
    """Measures a model on a fixed probe batch; build once per model, call after any epoch."""

    def __init__(
        self, model: Any, x: np.ndarray, y: np.ndarray, tau: float = DORMANCY_TAU, *, activity: bool = True
    ) -> None:
        """`activity=False` measures gradients only (for a model whose layers' outputs could not be recorded)."""
        self.model = model
        self.x = x
        self.y = y
        self.tau = tau
        self.layers = probed_layers(model) if activity else []
        # a bounded activation's range, for saturation (recurrent layers' gates are not their outputs)
        self.bounds = [
            None if probed.kind == "recurrent" else SATURATING.get(activation_name(probed.layer))
            for probed in self.layers
        ]
        self.activity = (
            layer_outputs_fn(model, [probed.layer for probed in self.layers]) if self.layers else None
        )
        self.gradients = gradient_fn(model)
        self.probed_step = optimizer_step(model)  # where the previous probe's update-ratio window ended

    def snapshot(self, epoch: int) -> ProbeSnapshot:
        step = optimizer_step(self.model)
        rate = mean_learning_rate(self.model, self.probed_step, step)
        self.probed_step = step
        return ProbeSnapshot(
            epoch=epoch,
            learning_rate=current_learning_rate(self.model),
            activity=self.measure_activity(),
            gradients=self.measure_gradients(rate),
        )

    def measure_activity(self) -> list[LayerActivity]:
        if self.activity is None:
            return []
        result = []
        outputs = self.activity(self.x)
        for probed, bounds, output in zip(self.layers, self.bounds, outputs, strict=True):
            if output.size == 0:  # the layer is not on the path from the inputs to the outputs
                continue
            values = np.asarray(output, dtype=np.float64)
            per_unit = values.reshape(-1, values.shape[-1])  # examples x positions/time steps, units
            result.append(activity_stats(probed.name, probed.kind, per_unit, self.tau, bounds))
        return result

    def measure_gradients(self, rate: float | None = None) -> list[LayerGradient]:
        """Norms on the probe batch; update ratios use `rate` (default: the current learning rate)."""
        import keras

        grads = self.gradients(self.x, self.y)
        by_path = {w.path: g for w, g in zip(self.model.trainable_weights, grads, strict=True)}
        rate = current_learning_rate(self.model) if rate is None else rate
        result = []
        for name, layer in model_layers(self.model):
            weights = [w for w in layer.trainable_weights if w.path in by_path]
            if not weights:
                continue
            layer_grads = [np.asarray(by_path[w.path], dtype=np.float64) for w in weights]
            grad_sq = sum(float(np.sum(g * g)) for g in layer_grads)
            weight_sq = sum(
                float(np.sum(np.square(np.asarray(keras.ops.convert_to_numpy(w), dtype=np.float64))))
                for w in weights
            )
            grad_norm, weight_norm = math.sqrt(grad_sq), math.sqrt(weight_sq)
            result.append(
                LayerGradient(
                    layer=name,
                    grad_norm=grad_norm,
                    weight_norm=weight_norm,
                    update_ratio=rate * grad_norm / weight_norm if weight_norm > 0 else float("inf"),
                    grad_max=max(float(np.max(np.abs(g))) if g.size else 0.0 for g in layer_grads),
                    kind=type(layer).__name__,
                )
            )
        return result


def activation_name(layer: Any) -> str:
    return str(getattr(getattr(layer, "activation", None), "__name__", "linear"))


def activity_stats(
    layer: str, kind: str, values: np.ndarray, tau: float, bounds: tuple[float, float] | None = None
) -> LayerActivity:
    """Dormancy per unit: s_i = E|h_i| / mean_k E|h_k|, dormant when s_i <= tau; dead when always 0.

    `values` is examples (and positions) x units; with `bounds` (a bounded activation's range), the
    share of the non-dormant units' outputs within SATURATION_MARGIN of a bound is the saturated share.
    """
    abs_values = np.abs(values)
    mean_abs = abs_values.mean(axis=0)
    layer_mean = float(mean_abs.mean()) if mean_abs.size else 0.0
    if layer_mean > 0 and math.isfinite(layer_mean):
        dormant = int(np.sum(mean_abs / layer_mean <= tau))
    else:
        dormant = int(mean_abs.size)  # a silent layer: every unit is dormant
    dead = int(np.sum(abs_values.max(axis=0) == 0))
    saturated = 0.0
    if bounds is not None and layer_mean > 0 and values.size:
        alive = values[:, mean_abs / layer_mean > tau]
        low, high = bounds
        margin = SATURATION_MARGIN * (high - low)
        at_bound = (alive <= low + margin) | (alive >= high - margin)
        saturated = float(at_bound.mean()) if alive.size else 0.0
    return LayerActivity(
        layer, kind, int(mean_abs.size), [float(v) for v in mean_abs], dormant, dead, saturated
    )
