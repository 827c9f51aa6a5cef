"""LayerVisualization and ArchitectureVisualization: the 3D data of architecture.json and its round trip."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from healthtune.visualize.layout import score_color

SCHEMA_VERSION = 1


@dataclass
class LayerVisualization:
    """One layer as a 3D block (sizes and positions in scene units), with its health when known."""

    layer_id: str  # unique in the model; the Keras layer name, also the Cytoscape node id
    layer_type: str  # the Keras class: Conv2D, Dense, LSTM, Bidirectional, ...
    position_z: float  # centre along the data flow
    width: float
    height: float
    depth: float
    parameters: int
    filters: int | None = None
    kernel_size: list[int] | None = None  # conv kernel or pooling window
    units: int | None = None
    color_intensity: float = 0.0  # share of the model's capacity here, log-scaled, in [0, 1]
    opacity: float = 1.0
    name: str = ""
    category: str = "other"
    output_shape: list[int | None] = field(default_factory=list)
    activation: str | None = None
    inputs: list[str] = field(default_factory=list)  # layer_ids feeding this layer
    position_x: float = 0.0  # parallel branches sit side by side
    level: int = 0  # longest path from an input
    dormant_share: float | None = None
    dead_units: int | None = None
    dormancy_source: str | None = None
    saturated_share: float | None = None
    grad_norm: float | None = None
    update_ratio: float | None = None
    gradient_state: str | None = None
    health_state: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> LayerVisualization:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})


@dataclass
class ArchitectureVisualization:
    """A whole model for the 3D view and the Cytoscape graph, with its scores as colours."""

    architecture_type: str  # CNN, LSTM, Mixed or Generic
    layers: list[LayerVisualization]
    total_parameters: int
    model_depth: int  # levels along the data flow (the number of layers for a plain chain)
    max_layer_width: float
    max_layer_height: float
    performance_score: float | None = None
    health_score: float | None = None
    model_name: str = ""

    @property
    def performance_color(self) -> str:
        return score_color(self.performance_score)

    @property
    def health_color(self) -> str:
        return score_color(self.health_score)

    def layer(self, layer_id: str) -> LayerVisualization:
        for layer in self.layers:
            if layer.layer_id == layer_id:
                return layer
        raise KeyError(f"no layer {layer_id!r}; layers are {[layer.layer_id for layer in self.layers]}")

    def to_dict(self) -> dict[str, Any]:
        """architecture.json: schema_version, the 3D data and the Cytoscape elements with their legend."""
        from healthtune.visualize.cytoscape import cytoscape_elements, cytoscape_legend

        return {
            "schema_version": SCHEMA_VERSION,
            "visualization": {
                "model_name": self.model_name,
                "architecture_type": self.architecture_type,
                "total_parameters": self.total_parameters,
                "model_depth": self.model_depth,
                "max_layer_width": self.max_layer_width,
                "max_layer_height": self.max_layer_height,
                "performance_score": self.performance_score,
                "health_score": self.health_score,
                "performance_color": self.performance_color,
                "health_color": self.health_color,
                "layers": [layer.to_dict() for layer in self.layers],
            },
            "cytoscape": {
                "elements": cytoscape_elements(self.layers),
                "legend": cytoscape_legend(self.layers),
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArchitectureVisualization:
        """Read architecture.json back (colours and Cytoscape elements are derived, so not read)."""
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"architecture.json schema_version must be {SCHEMA_VERSION}, got {version!r}")
        values = data["visualization"]
        return cls(
            architecture_type=values["architecture_type"],
            layers=[LayerVisualization.from_dict(layer) for layer in values["layers"]],
            total_parameters=int(values["total_parameters"]),
            model_depth=int(values["model_depth"]),
            max_layer_width=float(values["max_layer_width"]),
            max_layer_height=float(values["max_layer_height"]),
            performance_score=values.get("performance_score"),
            health_score=values.get("health_score"),
            model_name=values.get("model_name", ""),
        )
