"""The data-flow graph of a Keras model: its layers in topological order with their inbound layers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from healthtune.visualize.catalog import categorize

logger = logging.getLogger(__name__)


@dataclass
class GraphLayer:
    """One layer (or raw operation) of the model, where its inputs come from and what it outputs."""

    layer: Any
    name: str
    layer_type: str
    category: str
    inputs: list[str] = field(default_factory=list)
    output_shape: list[int | None] = field(default_factory=list)
    parameters: int = 0
    level: int = 0  # longest path from an input: layers on the same level run side by side


def model_graph(model: Any) -> list[GraphLayer]:
    """Every layer of a built model, inputs included, in data-flow order, with levels set.

    Functional models and Sequential models are read from their graph (the layers' inbound
    nodes that belong to this model), so branches and merges get their real edges. Subclassed
    models have no graph: their layers are chained in `model.layers` order (logged).
    """
    graph = _functional_graph(model)
    layers = _from_functional(graph) if graph is not None else _from_layer_list(model)
    _set_levels(layers)
    return layers


def _functional_graph(model: Any) -> Any:
    if hasattr(model, "_functional") and not hasattr(model, "_nodes_by_depth"):  # Sequential
        if model._functional is None:
            raise ValueError(
                f"model {model.name!r} is not built: start it with keras.Input(shape) or call "
                "model.build(input_shape) before visualizing it"
            )
        return model._functional
    return model if hasattr(model, "_nodes_by_depth") and hasattr(model, "operations") else None


def _own_nodes(graph: Any, operation: Any) -> list[Any]:
    """The calls of `operation` that belong to `graph` (a layer reused in another model has more)."""
    keys = getattr(graph, "_nodes", None)
    nodes = list(getattr(operation, "_inbound_nodes", []))
    if keys is None:
        return nodes
    return [node for index, node in enumerate(nodes) if f"{id(operation)}_ib-{index}" in keys]


def _from_functional(graph: Any) -> list[GraphLayer]:
    """Inbound layers from the calls that belong to `graph`; masks (e.g. an Embedding's
    mask_zero, computed by a NotEqual operation) are plumbing, not data flow, and are left out."""
    import keras

    result: list[GraphLayer] = []
    for operation in graph.operations:
        nodes = _own_nodes(graph, operation)
        inputs: list[str] = []
        for node in nodes:
            masks = {id(mask) for mask in keras.tree.flatten(node.arguments.kwargs.get("mask"))}
            for tensor in node.input_tensors:
                source = tensor._keras_history.operation
                if id(tensor) not in masks and source is not None and source.name not in inputs:
                    inputs.append(source.name)
        outputs = nodes[0].output_tensors if nodes else []
        shape = _shape_list(outputs[0].shape) if outputs else []
        result.append(_graph_layer(operation, inputs, shape))
    used = {source for layer in result for source in layer.inputs}
    used.update(tensor._keras_history.operation.name for tensor in graph.outputs)
    return [layer for layer in result if isinstance(layer.layer, keras.layers.Layer) or layer.name in used]


def _from_layer_list(model: Any) -> list[GraphLayer]:
    logger.info("model %r has no functional graph: its layers are drawn as a chain", model.name)
    result: list[GraphLayer] = []
    previous: str | None = None
    for layer in model.layers:
        try:
            shape = _shape_list(layer.output.shape)
        except (AttributeError, ValueError):
            shape = []
        result.append(_graph_layer(layer, [previous] if previous else [], shape))
        previous = layer.name
    return result


def _graph_layer(operation: Any, inputs: list[str], shape: list[int | None]) -> GraphLayer:
    return GraphLayer(
        layer=operation,
        name=operation.name,
        layer_type=type(operation).__name__,
        category=categorize(operation),
        inputs=inputs,
        output_shape=shape,
        parameters=_parameters(operation),
    )


def _parameters(operation: Any) -> int:
    try:
        return int(operation.count_params())
    except (AttributeError, ValueError):  # not a layer, or not built
        return 0


def _shape_list(shape: Any) -> list[int | None]:
    return [None if dim is None else int(dim) for dim in tuple(shape)]


def _set_levels(layers: list[GraphLayer]) -> None:
    """level = length of the longest path from an input (Kahn's order, so any listing order works)."""
    by_name = {layer.name: layer for layer in layers}
    pending = {layer.name: sum(1 for source in layer.inputs if source in by_name) for layer in layers}
    children: dict[str, list[str]] = {layer.name: [] for layer in layers}
    for layer in layers:
        for source in layer.inputs:
            if source in children:
                children[source].append(layer.name)
    ready = [layer.name for layer in layers if pending[layer.name] == 0]
    while ready:
        name = ready.pop(0)
        for child in children[name]:
            by_name[child].level = max(by_name[child].level, by_name[name].level + 1)
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    order = {layer.name: index for index, layer in enumerate(layers)}
    layers.sort(key=lambda layer: (layer.level, order[layer.name]))
