"""The architecture as Cytoscape.js elements (nodes, edges in data-flow order) and a teaching legend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from healthtune.visualize.catalog import CATEGORIES, legend

if TYPE_CHECKING:
    from healthtune.visualize.architecture import LayerVisualization


def shape_text(output_shape: Sequence[int | None]) -> str:
    """'8x8x32' for (None, 8, 8, 32): the shape of one example, '?' for unknown sizes."""
    dims = ["?" if dim is None else str(dim) for dim in output_shape[1:]]
    return "x".join(dims) if dims else "scalar"


def node_label(layer: LayerVisualization) -> str:
    """Two lines: the layer's name, then what it is in a few characters (e.g. 'Conv2D 32@3x3')."""
    kind = layer.layer_type
    if layer.category == "conv" and layer.filters is not None:
        kernel = "x".join(str(k) for k in layer.kernel_size or [])
        detail = f"{kind} {layer.filters}@{kernel}" if kernel else f"{kind} {layer.filters}"
    elif layer.category == "input":
        detail = f"Input {shape_text(layer.output_shape)}"
    elif layer.category in ("dense", "recurrent") and layer.units is not None:
        doubled = "x2" if kind == "Bidirectional" else ""
        detail = f"{kind} {layer.units}{doubled}"
        if layer.activation and layer.category == "dense":
            detail += f" {layer.activation}"
    elif layer.category == "activation" and layer.activation:
        detail = layer.activation
    elif layer.category == "pooling" and layer.kernel_size:
        detail = f"{kind} {'x'.join(str(k) for k in layer.kernel_size)}"
    else:
        detail = kind
    return f"{layer.name}\n{detail}"


def node_data(layer: LayerVisualization) -> dict[str, Any]:
    style = CATEGORIES.get(layer.category, CATEGORIES["other"])
    return {
        "id": layer.layer_id,
        "label": node_label(layer),
        "type": layer.layer_type,
        "category": layer.category,
        "output_shape": list(layer.output_shape),
        "params": layer.parameters,
        "activation": layer.activation,
        "units": layer.units,
        "filters": layer.filters,
        "kernel_size": layer.kernel_size,
        "level": layer.level,
        "color": style.color,
        "shape": style.shape,
        "dormant_share": layer.dormant_share,
        "dead_units": layer.dead_units,
        "saturated_share": layer.saturated_share,
        "grad_norm": layer.grad_norm,
        "update_ratio": layer.update_ratio,
        "gradient_state": layer.gradient_state,
        "health_state": layer.health_state,
    }


def cytoscape_elements(layers: Sequence[LayerVisualization]) -> dict[str, list[dict[str, Any]]]:
    """{"nodes": [{data: ...}], "edges": [{data: {id, source, target, tensor_shape}}]}.

    Nodes follow the data flow; each layer's inbound edges follow it, so edges are in data-flow
    order too. An edge carries the shape of the tensor flowing along it, which teaches what
    each layer does to the data (8x8x32 -> 4x4x32 through a pooling layer).
    """
    by_id = {layer.layer_id: layer for layer in layers}
    nodes = [{"data": node_data(layer)} for layer in layers]
    edges = []
    for layer in layers:
        for source in layer.inputs:
            if source not in by_id:
                continue
            edges.append(
                {
                    "data": {
                        "id": f"{source}->{layer.layer_id}",
                        "source": source,
                        "target": layer.layer_id,
                        "tensor_shape": shape_text(by_id[source].output_shape),
                    }
                }
            )
    return {"nodes": nodes, "edges": edges}


def cytoscape_legend(layers: Sequence[LayerVisualization]) -> list[dict[str, str]]:
    """One entry per layer type present: type, category, colour, node shape, what the layer does."""
    return legend((layer.layer_type, layer.category) for layer in layers)
