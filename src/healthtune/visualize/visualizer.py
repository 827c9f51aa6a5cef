"""ModelVisualizer: any built Keras model -> ArchitectureVisualization; architecture.json writing and checks."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import HealthtuneError
from healthtune.visualize.architecture import ArchitectureVisualization, LayerVisualization
from healthtune.visualize.graph import GraphLayer, model_graph
from healthtune.visualize.layer_health import LayerHealth, layer_health
from healthtune.visualize.layout import block_size, color_intensity, opacity, positions

if TYPE_CHECKING:
    from healthtune.health.analyzer import HealthReport

SCHEMA_FILE = "architecture.schema.json"
ACTIVATION_LAYER_NAMES = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu",
                          "Softmax": "softmax"}  # fmt: skip


class ArchitectureSchemaError(HealthtuneError, ValueError):
    """architecture.json data does not follow architecture.schema.json (or an edge points nowhere)."""


class ModelVisualizer:
    """Turns a built Keras 3 model (functional, Sequential or subclassed) into visualization data."""

    def visualize(
        self,
        model: Any,
        *,
        health: HealthReport | None = None,
        performance_score: float | None = None,
        health_score: float | None = None,
    ) -> ArchitectureVisualization:
        """The model's layers as 3D blocks along the data flow, with per-layer health from `health`.

        `health_score` defaults to the report's weighted health with the default proportions
        when a report is given. Scores must be in [0, 1]; scores that are not finite become None (grey).
        """
        graph = model_graph(model)
        health_by_layer = layer_health(health, graph)
        sizes = [block_size(layer.output_shape) for layer in graph]
        placed = positions([layer.level for layer in graph], sizes)
        max_params = max((layer.parameters for layer in graph), default=0)
        layers = [
            _layer(layer, size, place, max_params, health_by_layer.get(layer.name, LayerHealth()))
            for layer, size, place in zip(graph, sizes, placed, strict=True)
        ]
        if health_score is None and health is not None:
            from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS

            health_score = health.overall(DEFAULT_HEALTH_COMPONENT_PROPORTIONS)
        return ArchitectureVisualization(
            architecture_type=_architecture_type({layer.category for layer in graph}),
            layers=layers,
            total_parameters=int(model.count_params()),
            model_depth=max((layer.level for layer in graph), default=-1) + 1,
            max_layer_width=max((size[0] for size in sizes), default=0.0),
            max_layer_height=max((size[1] for size in sizes), default=0.0),
            performance_score=_score(performance_score, "performance_score"),
            health_score=_score(health_score, "health_score"),
            model_name=str(getattr(model, "name", "")),
        )


def _layer(
    layer: GraphLayer,
    size: tuple[float, float, float],
    place: tuple[float, float],
    max_params: int,
    health: LayerHealth,
) -> LayerVisualization:
    inner = getattr(layer.layer, "forward_layer", None) or layer.layer  # Bidirectional wraps its RNN
    return LayerVisualization(
        layer_id=layer.name,
        layer_type=layer.layer_type,
        position_z=place[1],
        width=size[0],
        height=size[1],
        depth=size[2],
        parameters=layer.parameters,
        filters=_int_or_none(getattr(layer.layer, "filters", None)),
        kernel_size=_window(layer),
        units=_int_or_none(getattr(inner, "units", None)),
        color_intensity=color_intensity(layer.parameters, max_params),
        opacity=opacity(layer.parameters, health.dormant_share),
        name=layer.name,
        category=layer.category,
        output_shape=layer.output_shape,
        activation=_activation(inner),
        inputs=list(layer.inputs),
        position_x=place[0],
        level=layer.level,
        dormant_share=health.dormant_share,
        dead_units=health.dead_units,
        dormancy_source=health.dormancy_source,
        saturated_share=health.saturated_share,
        grad_norm=health.grad_norm,
        update_ratio=health.update_ratio,
        gradient_state=health.gradient_state,
        health_state=health.health_state,
    )


def _architecture_type(categories: set[str]) -> str:
    if "conv" in categories and "recurrent" in categories:
        return "Mixed"
    if "conv" in categories:
        return "CNN"
    if "recurrent" in categories:
        return "LSTM"
    return "Generic"


def _activation(layer: Any) -> str | None:
    kind = type(layer).__name__
    if kind in ACTIVATION_LAYER_NAMES:
        return ACTIVATION_LAYER_NAMES[kind]
    function = getattr(layer, "activation", None)
    name = getattr(function, "__name__", None)
    return str(name) if name else None


def _window(layer: GraphLayer) -> list[int] | None:
    """A conv layer's kernel size or a pooling layer's window (global pooling has none)."""
    if layer.category == "conv":
        return _kernel(getattr(layer.layer, "kernel_size", None))
    if layer.category == "pooling":
        return _kernel(getattr(layer.layer, "pool_size", None))
    return None


def _kernel(value: Any) -> list[int] | None:
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
        return [int(v) for v in value]
    return None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _score(value: float | None, name: str) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {name}={value!r}")
    return float(value)


@functools.cache
def architecture_schema() -> dict[str, Any]:
    """The JSON Schema of architecture.json (package data next to this module)."""
    text = resources.files("healthtune.visualize").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_architecture(data: Mapping[str, Any]) -> None:
    """Raise ArchitectureSchemaError unless `data` follows the schema and every edge joins two nodes."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(architecture_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise ArchitectureSchemaError(f"architecture.json is invalid at {where}: {error.message}")
    elements = data["cytoscape"]["elements"]
    ids = {node["data"]["id"] for node in elements["nodes"]}
    for edge in elements["edges"]:
        missing = {edge["data"]["source"], edge["data"]["target"]} - ids
        if missing:
            raise ArchitectureSchemaError(
                f"edge {edge['data']['id']!r} points at unknown nodes {sorted(missing)}"
            )


def write_architecture_json(
    model: Any,
    path: str | Path,
    *,
    health: HealthReport | None = None,
    performance_score: float | None = None,
    health_score: float | None = None,
) -> dict[str, Any]:
    """Visualize `model`, validate and write architecture.json atomically; returns the written data."""
    visualization = ModelVisualizer().visualize(
        model, health=health, performance_score=performance_score, health_score=health_score
    )
    data = visualization.to_dict()
    validate_architecture(data)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, allow_nan=False), encoding="utf-8")
    tmp.replace(target)
    return data
