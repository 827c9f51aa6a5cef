"""architecture.json for healthtune's CNN and LSTM, a branching model and Sequential models."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import keras
import pytest

from healthtune.visualize import (
    ArchitectureSchemaError,
    ArchitectureVisualization,
    ModelVisualizer,
    validate_architecture,
    write_architecture_json,
)
from healthtune.visualize.layout import GREY, log_scale, score_color


def check_graph(data: dict[str, Any]) -> None:
    """Every edge joins existing nodes, in data-flow order; layer inputs match the edges."""
    nodes = data["cytoscape"]["elements"]["nodes"]
    edges = data["cytoscape"]["elements"]["edges"]
    position = {node["data"]["id"]: index for index, node in enumerate(nodes)}
    assert len(position) == len(nodes)  # ids are unique
    for edge in edges:
        assert edge["data"]["source"] in position and edge["data"]["target"] in position
        assert position[edge["data"]["source"]] < position[edge["data"]["target"]]
    targets = [position[edge["data"]["target"]] for edge in edges]
    assert targets == sorted(targets)
    from_layers = {
        (s, layer["layer_id"]) for layer in data["visualization"]["layers"] for s in layer["inputs"]
    }
    assert from_layers == {(e["data"]["source"], e["data"]["target"]) for e in edges}


@pytest.mark.jax_core
def test_cnn_architecture_follows_the_schema_and_the_model(cnn: Any) -> None:
    visualization = ModelVisualizer().visualize(cnn, performance_score=0.95)
    data = visualization.to_dict()
    validate_architecture(data)
    check_graph(data)

    assert data["schema_version"] == 1
    assert len(visualization.layers) == len(cnn.layers)
    assert sum(layer.parameters for layer in visualization.layers) == cnn.count_params()
    assert visualization.total_parameters == cnn.count_params()
    assert visualization.architecture_type == "CNN"
    assert visualization.model_depth == len(cnn.layers)  # a plain chain
    names = [layer.layer_id for layer in visualization.layers]
    assert names[:3] == ["image", "conv_1", "bn_1"] and names[-1] == "predictions"
    assert len(data["cytoscape"]["elements"]["edges"]) == len(cnn.layers) - 1

    # Two convolutions per block: conv_1 and conv_2 see 8x8 inputs, conv_3 (second block) 4x4.
    conv_1, conv_3 = visualization.layer("conv_1"), visualization.layer("conv_3")
    assert (conv_1.filters, conv_1.kernel_size, conv_1.output_shape) == (32, [3, 3], [None, 8, 8, 32])
    assert conv_1.width == log_scale(8) and conv_3.width == log_scale(4)  # spatial size, log-scaled
    assert conv_3.depth > conv_1.depth  # more filters, deeper block
    dense = visualization.layer("dense_1")
    assert (dense.units, dense.activation, dense.height, dense.depth) == (128, "linear", 0.5, 0.5)
    assert visualization.layer("dense_act_1").activation == "relu"  # after dense_bn_1, as in the conv blocks
    zs = [layer.position_z for layer in visualization.layers]
    assert zs == sorted(zs) and len(set(zs)) == len(zs)
    assert visualization.max_layer_width == max(layer.width for layer in visualization.layers)
    biggest = max(visualization.layers, key=lambda layer: layer.parameters)
    assert biggest.color_intensity == 1.0  # the layer with the most parameters
    assert visualization.layer("act_1").color_intensity == 0.0
    assert visualization.health_color == GREY and visualization.performance_color == score_color(0.95)

    node = data["cytoscape"]["elements"]["nodes"][1]["data"]
    assert node["id"] == "conv_1" and node["label"] == "conv_1\nConv2D 32@3x3"
    assert node["params"] == conv_1.parameters and node["output_shape"] == [None, 8, 8, 32]
    assert node["dormant_share"] is None and node["health_state"] is None


def test_legend_lists_only_the_types_present(cnn: Any, lstm: Any) -> None:
    cnn_legend = ModelVisualizer().visualize(cnn).to_dict()["cytoscape"]["legend"]
    types = [entry["type"] for entry in cnn_legend]
    assert types == ["InputLayer", "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Dropout",
                     "Flatten", "Dense"]  # fmt: skip
    assert all(entry["description"] and entry["color"].startswith("#") for entry in cnn_legend)
    lstm_types = {
        entry["type"] for entry in ModelVisualizer().visualize(lstm).to_dict()["cytoscape"]["legend"]
    }
    assert lstm_types == {"InputLayer", "WordDropout", "Embedding", "Bidirectional", "Dense", "Dropout"}


def test_lstm_architecture(lstm: Any) -> None:
    visualization = ModelVisualizer().visualize(lstm)
    data = visualization.to_dict()
    validate_architecture(data)
    check_graph(data)
    assert visualization.architecture_type == "LSTM"
    assert [layer.layer_id for layer in visualization.layers] == [layer.name for layer in lstm.layers]
    assert sum(layer.parameters for layer in visualization.layers) == lstm.count_params()
    embedding, bilstm = visualization.layer("embedding"), visualization.layer("bilstm_1")
    assert embedding.output_shape == [None, 30, 16]
    assert embedding.height == 0.5 * log_scale(30)  # a sequence is a sheet: time steps down
    assert (bilstm.units, bilstm.activation, bilstm.output_shape) == (16, "tanh", [None, 32])
    assert (bilstm.height, bilstm.depth) == (0.5, 0.5)  # a flat wide slab
    labels = {node["data"]["id"]: node["data"]["label"] for node in data["cytoscape"]["elements"]["nodes"]}
    assert labels["bilstm_1"] == "bilstm_1\nBidirectional 16x2"


@pytest.mark.jax_core
def test_branching_model_gets_its_merge_edges() -> None:
    inputs = keras.Input((16,), name="features")
    left = keras.layers.Dense(8, activation="relu", name="left")(inputs)
    right = keras.layers.Dense(8, activation="relu", name="right")(inputs)
    added = keras.layers.Add(name="residual")([left, right])
    joined = keras.layers.Concatenate(name="joined")([added, inputs])
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(joined)
    model = keras.Model(inputs, outputs)

    visualization = ModelVisualizer().visualize(model)
    data = visualization.to_dict()
    validate_architecture(data)
    check_graph(data)
    edges = [(e["data"]["source"], e["data"]["target"]) for e in data["cytoscape"]["elements"]["edges"]]
    assert set(edges) == {
        ("features", "left"), ("features", "right"), ("left", "residual"), ("right", "residual"),
        ("residual", "joined"), ("features", "joined"), ("joined", "predictions"),
    }  # fmt: skip
    levels = {layer.layer_id: layer.level for layer in visualization.layers}
    assert levels == {"features": 0, "left": 1, "right": 1, "residual": 2, "joined": 3, "predictions": 4}
    left_block, right_block = visualization.layer("left"), visualization.layer("right")
    assert left_block.position_z == right_block.position_z
    assert left_block.position_x < 0 < right_block.position_x  # side by side
    assert visualization.model_depth == 5
    legend = [entry["type"] for entry in data["cytoscape"]["legend"]]
    assert legend == ["InputLayer", "Dense", "Add", "Concatenate"]


def test_sequential_models_include_their_input() -> None:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"), keras.layers.Dense(2)])
    visualization = ModelVisualizer().visualize(model)
    validate_architecture(visualization.to_dict())
    assert len(visualization.layers) == len(model.layers) + 1  # Sequential.layers leaves the input out
    assert visualization.layers[1].layer_id == "hidden" and visualization.layers[1].inputs
    assert visualization.total_parameters == model.count_params()

    with pytest.raises(ValueError, match="not built"):
        ModelVisualizer().visualize(keras.Sequential([keras.layers.Dense(2)]))


def test_round_trip_through_json_and_the_written_file(cnn: Any, tmp_path: Path) -> None:
    written = write_architecture_json(cnn, tmp_path / "trial_0" / "architecture.json", performance_score=0.5)
    text = (tmp_path / "trial_0" / "architecture.json").read_text(encoding="utf-8")
    loaded = json.loads(text)
    assert loaded == written
    again = ArchitectureVisualization.from_dict(loaded)
    assert again.to_dict() == loaded
    assert again.performance_score == 0.5 and again.layer("conv_1").kernel_size == [3, 3]


def test_validation_rejects_broken_data(cnn: Any) -> None:
    data = ModelVisualizer().visualize(cnn).to_dict()
    broken = copy.deepcopy(data)
    broken["visualization"]["layers"][1]["width"] = -1.0
    with pytest.raises(ArchitectureSchemaError, match="layers/1/width"):
        validate_architecture(broken)
    dangling = copy.deepcopy(data)
    dangling["cytoscape"]["elements"]["edges"][0]["data"]["source"] = "nowhere"
    with pytest.raises(ArchitectureSchemaError, match="nowhere"):
        validate_architecture(dangling)
    with pytest.raises(ValueError, match="schema_version"):
        ArchitectureVisualization.from_dict({**data, "schema_version": 2})
    with pytest.raises(ValueError, match="performance_score"):
        ModelVisualizer().visualize(cnn, performance_score=95.0)


def test_score_colors_go_from_red_to_green() -> None:
    red, yellow, green = score_color(0.0), score_color(0.5), score_color(1.0)
    assert int(red[1:3], 16) > int(red[3:5], 16)
    assert int(green[3:5], 16) > int(green[1:3], 16)
    assert abs(int(yellow[1:3], 16) - int(yellow[3:5], 16)) <= 2
    assert score_color(None) == GREY == score_color(float("nan"))
