"""Per-layer health from a HealthReport's last probe: dormancy, saturation, gradient norm and state, overall severity."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from healthtune.health.findings import dormancy_severity, saturation_severity
from healthtune.health.gradient_states import peak_rate, probe_states

if TYPE_CHECKING:
    from healthtune.health.analyzer import HealthReport
    from healthtune.visualize.graph import GraphLayer

SEVERITIES = ("ok", "info", "warning", "critical")
GRADIENT_SEVERITY = {
    "ok": "ok",
    "too_slow": "info",
    "vanishing": "warning",
    "too_fast": "warning",
    "exploding": "critical",
    "nan": "critical",
}
PASS_THROUGH = ("normalization", "activation", "dropout")
"""Layers between a conv/dense layer and the activation that measured its units (bn_1 between conv_1 and act_1)."""


@dataclass
class LayerHealth:
    """What the last probe says about one layer; None where the probe did not measure it."""

    dormant_share: float | None = None
    dead_units: int | None = None
    dormancy_source: str | None = None  # the layer whose activations were measured
    saturated_share: float | None = None  # tanh/sigmoid outputs at a bound; None where none were
    grad_norm: float | None = None
    update_ratio: float | None = None
    gradient_state: str | None = None  # ok, too_slow, too_fast, vanishing, exploding, nan
    health_state: str | None = None  # ok, info, warning, critical (the worst of both)


def layer_health(report: HealthReport | None, layers: Sequence[GraphLayer]) -> dict[str, LayerHealth]:
    """Health per layer name, from `report.snapshots[-1]`.

    Activity is measured on activation layers (act_N), Dense layers with a non-linear activation
    and recurrent layers. An activation layer's dormancy is also shown on the conv/dense layer
    that feeds it (through batch norm or dropout), since those are the same channels: conv_N
    gets act_N's dormant share, with `dormancy_source = "act_N"`.
    Gradients are per layer with trainable weights, classified as in the gradient_health metric
    (health.gradient_states.probe_states: vanishing by depth too). Layers inside a nested model are
    keyed by their path ("backbone/conv1"); the nested model's own node gets their worst state.
    """
    if report is None or not report.snapshots:
        return {}
    snapshot = report.snapshots[-1]
    result: dict[str, LayerHealth] = {}
    states = probe_states(snapshot, peak_rate(report.snapshots))
    for gradient in snapshot.gradients:
        state = states[gradient.layer]
        entry = result.setdefault(gradient.layer, LayerHealth())
        entry.grad_norm = _finite(gradient.grad_norm)
        entry.update_ratio = _finite(gradient.update_ratio)
        entry.gradient_state = state
    by_name = {layer.name: layer for layer in layers}
    for activity in snapshot.activity:
        targets = [activity.layer]
        producer = _producer(activity.layer, by_name)
        if producer is not None and producer not in {a.layer for a in snapshot.activity}:
            targets.append(producer)
        for name in targets:
            entry = result.setdefault(name, LayerHealth())
            entry.dormant_share = activity.dormant_share
            entry.dead_units = activity.dead
            entry.dormancy_source = activity.layer
            entry.saturated_share = activity.saturated_share or None
    for entry in result.values():
        entry.health_state = _worst(entry)
    _roll_up_nested(result, by_name)
    return result


def _roll_up_nested(result: dict[str, LayerHealth], by_name: dict[str, GraphLayer]) -> None:
    """A nested model (a backbone drawn as one node) takes the worst state of the layers inside it."""
    for name in by_name:
        inside = [entry.health_state for key, entry in result.items() if key.startswith(f"{name}/")]
        states = [state for state in inside if state is not None]
        if states and name not in result:
            result[name] = LayerHealth(health_state=max(states, key=SEVERITIES.index))


def _producer(name: str, by_name: dict[str, GraphLayer]) -> str | None:
    """The conv/dense layer whose units an activation layer measures, if there is exactly one."""
    layer = by_name.get(name)
    if layer is None or layer.category != "activation":
        return None
    while len(layer.inputs) == 1 and layer.inputs[0] in by_name:
        layer = by_name[layer.inputs[0]]
        if layer.category in ("conv", "dense"):
            return layer.name
        if layer.category not in PASS_THROUGH:
            return None
    return None


def _worst(entry: LayerHealth) -> str | None:
    states = []
    if entry.dormant_share is not None:
        states.append(dormancy_severity(entry.dormant_share))
    if entry.saturated_share is not None:
        states.append(saturation_severity(entry.saturated_share))
    if entry.gradient_state is not None:
        states.append(GRADIENT_SEVERITY.get(entry.gradient_state, "warning"))
    return max(states, key=SEVERITIES.index) if states else None


def _finite(value: float) -> float | None:
    """JSON has no NaN or infinity: such values become null (the gradient state still says 'nan')."""
    return float(value) if math.isfinite(value) else None
