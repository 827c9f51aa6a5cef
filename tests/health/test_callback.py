"""HealthCallback and diagnose() on models healthtune did not build: functional with a residual add, subclassed,
nested, custom layers, logits and one-hot labels; trained for real on digits."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

import healthtune
from healthtune.core.exceptions import ConfigError
from healthtune.data.base import Dataset
from healthtune.health.callback import class_probabilities
from healthtune.health.metrics import METRIC_NAMES
from healthtune.visualize.graph import model_graph
from healthtune.visualize.layer_health import layer_health


def residual_model() -> keras.Model:
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="stem")(inputs)
    y = layers.Conv2D(16, 3, padding="same", activation="relu", name="branch")(x)
    x = layers.Add(name="residual")([x, y])
    x = layers.Flatten()(x)
    x = layers.Dense(32, activation="relu", name="hidden")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax", name="out")(x))


def fit(model: keras.Model, digits: Dataset, callback: keras.callbacks.Callback, *, epochs: int = 4,
        rate: float = 3e-3, loss: str = "sparse_categorical_crossentropy", y: np.ndarray | None = None) -> None:  # fmt: skip
    keras.utils.set_random_seed(0)
    model.compile(optimizer=keras.optimizers.Adam(rate), loss=loss, metrics=["accuracy"])
    y_train = digits.y_train if y is None else y
    y_val = digits.y_val if y is None else keras.utils.to_categorical(digits.y_val, 10)
    model.fit(digits.x_train, y_train, validation_data=(digits.x_val, y_val), epochs=epochs, batch_size=32,
              callbacks=[callback], verbose=0)  # fmt: skip


@pytest.mark.jax_core
def test_a_residual_functional_model_gets_the_six_metrics_findings_and_files(
    digits: Dataset, tmp_path: Path
) -> None:
    callback = healthtune.HealthCallback((digits.x_val, digits.y_val), train_data=(digits.x_train, digits.y_train),
                                         output_dir=tmp_path / "health", plots=True)  # fmt: skip
    fit(residual_model(), digits, callback)
    report = callback.report
    assert report is not None and set(report.metrics) == set(METRIC_NAMES)
    assert all(0.0 <= value <= 1.0 for value in report.metrics.values())
    assert [s.epoch for s in report.snapshots] == [1, 2, 3, 4]
    assert {a.layer for a in report.snapshots[-1].activity} == {"stem", "branch", "hidden"}
    assert {g.layer for g in report.snapshots[-1].gradients} == {"stem", "branch", "hidden", "out"}
    assert report.gate.learned and callback.health is not None and callback.health > 0.5
    # each batch's own loss; an epoch's smaller last batch is left out (a callback cannot know its size)
    assert report.details["training_stability"]["batches"] == 4 * (int(np.ceil(len(digits.y_train) / 32)) - 1)
    stored = json.loads((tmp_path / "health" / "health.json").read_text())
    assert stored["metrics"] == pytest.approx(report.metrics) and stored["overall"] == pytest.approx(
        callback.health
    )
    assert isinstance(stored["findings"], list) and "notes" in stored
    architecture = json.loads((tmp_path / "health" / "architecture.json").read_text())
    assert "residual" in json.dumps(architecture)
    drawn = {p.stem for p in (tmp_path / "health" / "plots").glob("*.png")}
    assert {"training_history", "gradient_flow", "dormant_units", "health_radar"} <= drawn


def test_a_model_that_learned_nothing_is_not_healthy(digits: Dataset) -> None:
    callback = healthtune.HealthCallback((digits.x_val, digits.y_val))
    fit(residual_model(), digits, callback, epochs=2, rate=1e-7)
    assert callback.report is not None and callback.health is not None
    assert callback.health < 0.5 and not callback.report.gate.learned
    assert any(f.severity == "critical" for f in callback.report.findings)


class Subclassed(keras.Model):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.flat = layers.Flatten()
        self.hidden = layers.Dense(32, activation="relu")
        self.out = layers.Dense(10)  # logits

    def call(self, x):  # type: ignore[no-untyped-def]
        return self.out(self.hidden(self.flat(x)))


class Scale(layers.Layer):  # type: ignore[misc]
    """A custom layer with a weight: healthtune does not know it."""

    def build(self, shape):  # type: ignore[no-untyped-def]
        self.scale = self.add_weight(shape=(shape[-1],), initializer="ones")

    def call(self, x):  # type: ignore[no-untyped-def]
        return x * self.scale


def test_subclassed_models_logits_and_custom_layers_are_probed_as_far_as_possible(digits: Dataset) -> None:
    subclassed = healthtune.HealthCallback((digits.x_val, digits.y_val))
    keras.utils.set_random_seed(0)
    model = Subclassed()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(digits.x_train, digits.y_train, validation_data=(digits.x_val, digits.y_val), epochs=3,
              callbacks=[subclassed], verbose=0)  # fmt: skip
    assert subclassed.report is not None and set(subclassed.report.metrics) == set(METRIC_NAMES)
    assert subclassed.report.inputs["val_accuracy"] > 0.6
    probabilities = class_probabilities(model, digits.x_val[:5])  # logits become probabilities
    assert np.allclose(probabilities.sum(axis=1), 1.0) and np.all(probabilities >= 0)
    # a subclassed model has no graph to read layer outputs from: they are recorded as its layers run
    assert {g.layer for g in subclassed.report.snapshots[-1].gradients} == {model.hidden.name, model.out.name}
    assert [a.layer for a in subclassed.report.snapshots[-1].activity] == [model.hidden.name]
    assert not any("not probed" in n for n in subclassed.notes)

    inputs = keras.Input((8, 8, 1))
    hidden = layers.Dense(32, activation="relu", name="hidden")(layers.Flatten()(inputs))
    custom = keras.Model(inputs, layers.Dense(10, activation="softmax")(Scale(name="my_scale")(hidden)))
    callback = healthtune.HealthCallback((digits.x_val, keras.utils.to_categorical(digits.y_val, 10)))
    fit(custom, digits, callback, epochs=2, loss="categorical_crossentropy",
        y=keras.utils.to_categorical(digits.y_train, 10))  # fmt: skip
    assert callback.report is not None and any("my_scale (Scale)" in note for note in callback.notes)
    assert "my_scale" in {g.layer for g in callback.report.snapshots[-1].gradients}


def test_the_layers_inside_a_nested_model_are_probed_and_named_by_their_path(digits: Dataset) -> None:
    dead = layers.Dense(
        32, activation="relu", bias_initializer=keras.initializers.Constant(-10.0), name="dead"
    )
    block = keras.Sequential(
        [layers.Flatten(), layers.Dense(32, activation="relu", name="fine"), dead], name="block"
    )
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax", name="out")(block(inputs)))
    callback = healthtune.HealthCallback((digits.x_val, digits.y_val))
    fit(model, digits, callback, epochs=2)
    assert callback.report is not None
    snapshot = callback.report.snapshots[-1]
    activity = {a.layer: a for a in snapshot.activity}
    assert set(activity) == {"block/fine", "block/dead"} and activity["block/dead"].dormant == 32
    assert {g.layer for g in snapshot.gradients} == {"block/fine", "block/dead", "out"}
    assert any(f.severity == "critical" and f.layer == "block/dead" for f in callback.report.findings)
    assert not any("not probed" in n for n in callback.notes)
    # the architecture view draws the block as one node, as sick as the worst layer inside it
    assert layer_health(callback.report, model_graph(model))["block"].health_state == "critical"


def test_diagnose_judges_a_trained_model_after_the_fact(digits: Dataset) -> None:
    keras.utils.set_random_seed(0)
    model = residual_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(digits.x_train, digits.y_train, validation_data=(digits.x_val, digits.y_val), epochs=3,
                        verbose=0)  # fmt: skip
    report = healthtune.diagnose(model, digits.x_val, digits.y_val, history=history)
    assert set(report.metrics) == set(METRIC_NAMES) and len(report.snapshots) == 1
    assert report.snapshots[0].epoch == 3 and report.details["convergence_quality"]["improvement"] > 0.5
    assert report.details["training_stability"]["batches"] == 0  # per-batch losses need the callback
    notes: list[str] = []
    alone = healthtune.diagnose(model, digits.x_val, digits.y_val, notes=notes)
    assert alone.metrics["convergence_quality"] > 0.3 and any("final validation loss" in n for n in notes)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"validation_data": ([1, 2, 3], [1, 2])}, "validation_data must hold the same non-zero number"),
        ({"validation_data": "val.npz"}, "validation_data must be (x, y) arrays"),
        ({"validation_data": ([1], [1]), "frequency": 0}, "frequency must be an integer >= 1"),
        (
            {"validation_data": ([[1.0]] * 2, ["cat", "dog"])},
            "y must be integer class indexes 0, 1, ... or one-hot",
        ),
        ({"validation_data": ([[1.0]] * 2, [0.5, 3.7])}, "got the value 0.5: is this a regression target?"),
        ({"validation_data": ([[1.0]] * 2, [1, -1])}, "got the value -1"),
        (
            {"validation_data": ([np.ones((2, 1)), np.ones((2, 3))], [0, 1])},
            "x must be one array: health is judged for models with one input",
        ),
        ({"validation_data": ([[1.0], [1.0, 2.0]], [0, 1])}, "arrays of equal-sized examples"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(ConfigError, match=text.replace("(", r"\(").replace(")", r"\)")):
        healthtune.HealthCallback(**kwargs)  # type: ignore[arg-type]


def test_outputs_become_probabilities_as_keras_cross_entropy_reads_them() -> None:
    def of(rows: list[list[float]]) -> np.ndarray:
        model = keras.Sequential([keras.Input((len(rows[0]),)), layers.Identity()])
        return class_probabilities(model, np.array(rows, dtype="float32"))

    softmax = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]
    assert np.allclose(of(softmax), softmax)
    # sigmoid or ReLU scores: divided by their sum (a softmax of values in [0, 1] is near uniform), an all-zero row uniform
    assert np.allclose(of([[0.9, 0.9, 0.0], [0.0, 0.0, 0.0]]), [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    logits = of([[2.0, -1.0, 0.0]])
    assert np.allclose(logits, np.exp([2.0, -1.0, 0.0]) / np.exp([2.0, -1.0, 0.0]).sum())
    assert np.allclose(of([[0.8], [0.1]]), [[0.2, 0.8], [0.9, 0.1]])  # one column: binary, a sigmoid's
    assert np.allclose(of([[0.8], [-2.0]])[:, 1], 1 / (1 + np.exp([-0.8, 2.0])))  # or a logit's


def test_labels_the_model_cannot_output_stop_fit_before_it_trains(digits: Dataset) -> None:
    # a regression head (one linear output) fed the digit classes 0..9: read as binary, named, not an IndexError
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    callback = healthtune.HealthCallback((digits.x_val, digits.y_val.astype("float32")))
    with pytest.raises(
        ConfigError, match=r"labels go up to 9, but the model outputs 2 classes \(one output column"
    ):
        model.fit(digits.x_train, digits.y_train.astype("float32"), epochs=1, verbose=0, callbacks=[callback])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    with pytest.raises(ConfigError, match=r"labels must be 0\.\.1"):
        healthtune.diagnose(model, digits.x_val, digits.y_val)


def test_a_sigmoid_classifier_on_flat_rows_is_probed_and_plotted(digits: Dataset, tmp_path: Path) -> None:
    # digits 0 against 1 as 64 numbers per row: a binary, tabular problem with batch norm and dropout
    def rows(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = y < 2
        return x[keep].reshape(int(keep.sum()), -1), y[keep]

    x_train, y_train = rows(digits.x_train, digits.y_train)
    x_val, y_val = rows(digits.x_val, digits.y_val)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), layers.Dense(16, activation="relu", name="hidden"),
                              layers.BatchNormalization(name="norm"), layers.Dropout(0.2),
                              layers.Dense(1, activation="sigmoid", name="out")])  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    callback = healthtune.HealthCallback((x_val, y_val), output_dir=tmp_path)
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=3, verbose=0, callbacks=[callback])
    assert callback.report is not None and callback.notes == []  # batch norm and dropout are known layers
    assert {g.layer for g in callback.report.snapshots[-1].gradients} == {"hidden", "norm", "out"}
    assert callback.report.inputs["num_classes"] == 2 and callback.report.gate.learned
    drawn = {p.stem for p in (tmp_path / "plots").glob("*.png")}
    assert {
        "confusion_matrix",
        "calibration",
        "gradient_flow",
    } <= drawn and "misclassified_examples" not in drawn
