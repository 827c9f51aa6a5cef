"""Architecture visualization: a Keras model as 3D blocks and Cytoscape.js elements (architecture.json)."""

from healthtune.visualize.architecture import SCHEMA_VERSION, ArchitectureVisualization, LayerVisualization
from healthtune.visualize.visualizer import (
    ArchitectureSchemaError,
    ModelVisualizer,
    architecture_schema,
    validate_architecture,
    write_architecture_json,
)

__all__ = [
    "SCHEMA_VERSION",
    "ArchitectureSchemaError",
    "ArchitectureVisualization",
    "LayerVisualization",
    "ModelVisualizer",
    "architecture_schema",
    "validate_architecture",
    "write_architecture_json",
]
