"""Per-layer health from a real HealthReport lands on the right 3D blocks and Cytoscape nodes."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS
from healthtune.data import Dataset
from healthtune.health.analyzer import HealthReport
from healthtune.training.spec import HealthSpec
from healthtune.training.trainer import diagnose, seed_everything, train_model
from healthtune.visualize import ModelVisualizer, validate_architecture


def trained_report(model: Any, data: Dataset) -> HealthReport:
    outcome = train_model(model, data, epochs=1, batch_size=64, health=HealthSpec(frequency=1))
    report, _ = diagnose(model, data, outcome)
    return report


def test_health_of_a_trained_cnn(digits: Dataset) -> None:
    from healthtune.models import ModelConfig, build_model

    seed_everything(0)
    model = build_model(ModelConfig(filters=8, dense_units=32), digits, total_steps=20)
    report = trained_report(model, digits)
    visualization = ModelVisualizer().visualize(model, health=report, performance_score=0.9)
    data = visualization.to_dict()
    validate_architecture(data)

    snapshot = report.snapshots[-1]
    activity = {a.layer: a for a in snapshot.activity}
    gradients = {g.layer: g for g in snapshot.gradients}
    act_1, conv_1 = visualization.layer("act_1"), visualization.layer("conv_1")
    assert act_1.dormant_share == activity["act_1"].dormant_share
    assert act_1.dormancy_source == "act_1" and act_1.grad_norm is None  # no weights
    # conv_1's channels are what act_1 measures (through bn_1), so conv_1 shows act_1's dormancy
    assert conv_1.dormant_share == activity["act_1"].dormant_share and conv_1.dormancy_source == "act_1"
    assert conv_1.grad_norm == gradients["conv_1"].grad_norm
    assert conv_1.update_ratio == gradients["conv_1"].update_ratio
    assert conv_1.gradient_state == "ok" and conv_1.health_state in ("ok", "info", "warning", "critical")
    assert visualization.layer("bn_1").dormant_share is None  # batch norm is not a unit's output
    assert visualization.layer("dense_1").dormancy_source == "dense_act_1"  # through dense_bn_1, as conv_1
    assert visualization.layer("pool_1").health_state is None  # nothing measured there
    assert visualization.health_score == report.overall(DEFAULT_HEALTH_COMPONENT_PROPORTIONS)
    assert visualization.health_color.startswith("#")

    nodes = {node["data"]["id"]: node["data"] for node in data["cytoscape"]["elements"]["nodes"]}
    assert nodes["conv_1"]["dormant_share"] == conv_1.dormant_share
    assert nodes["conv_1"]["grad_norm"] == conv_1.grad_norm
    assert nodes["conv_1"]["health_state"] == conv_1.health_state
    assert nodes["predictions"]["gradient_state"] is not None


def test_a_dead_layer_shows_as_critical_and_faded(digits: Dataset) -> None:
    """A ReLU layer whose biases start at -5 never fires: its block is critical and fades out."""
    seed_everything(0)
    inputs = keras.Input(digits.input_shape, name="image")
    x = keras.layers.Flatten(name="flatten")(inputs)
    x = keras.layers.Dense(32, activation="relu", name="dense_1")(x)
    x = keras.layers.Dense(
        32, activation="relu", name="dense_2", bias_initializer=keras.initializers.Constant(-5.0)
    )(x)
    outputs = keras.layers.Dense(digits.num_classes, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    report = trained_report(model, digits)

    visualization = ModelVisualizer().visualize(model, health=report)
    validate_architecture(visualization.to_dict())
    dead, alive = visualization.layer("dense_2"), visualization.layer("dense_1")
    assert dead.dormant_share == 1.0 and dead.dead_units == 32
    assert dead.health_state == "critical"
    assert dead.opacity < alive.opacity
    assert np.isclose(dead.opacity, 0.9 * 0.4)


def test_a_saturated_tanh_layer_shows_its_saturated_share(digits: Dataset) -> None:
    """tanh units with huge initial weights sit at +-1: the block says how much and is not "ok"."""
    seed_everything(0)
    huge = keras.initializers.RandomNormal(stddev=3.0)
    model = keras.Sequential(
        [
            keras.Input(digits.input_shape),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(64, activation="tanh", kernel_initializer=huge, name="tanh_1"),
            keras.layers.Dense(64, activation="relu", name="relu_1"),
            keras.layers.Dense(digits.num_classes, activation="softmax", name="predictions"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    report = trained_report(model, digits)

    visualization = ModelVisualizer().visualize(model, health=report)
    data = visualization.to_dict()
    validate_architecture(data)
    saturated, relu = visualization.layer("tanh_1"), visualization.layer("relu_1")
    assert saturated.saturated_share is not None and saturated.saturated_share >= 0.5
    assert saturated.health_state == "warning"
    assert relu.saturated_share is None  # unbounded: never saturated, so not shown
    (node,) = [n["data"] for n in data["cytoscape"]["elements"]["nodes"] if n["data"]["id"] == "tanh_1"]
    assert node["saturated_share"] == saturated.saturated_share
