"""Planted pathologies are detected by the right metric and named in the findings (real training)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from healthtune.core.config import Architecture
from healthtune.core.scoring import ScoringWeights
from healthtune.data import Dataset, import_dataset, load_dataset
from healthtune.health.analyzer import HealthReport
from healthtune.health.defaults import UPDATE_RATIO_LOW
from healthtune.models import ModelConfig, build_model
from healthtune.plots.context import PlotContext
from healthtune.plots.dormancy import DormantUnitsPlot


def dense_net(*hidden: layers.Layer) -> keras.Model:
    return keras.Sequential(
        [keras.Input((8, 8, 1)), layers.Flatten(), *hidden, layers.Dense(10, activation="softmax")]
    )


def titles(report: HealthReport, metric: str) -> list[str]:
    return [f"{f.layer}: {f.title}" for f in report.findings if f.metric == metric]


def test_a_healthy_small_cnn_scores_well_everywhere(train_and_diagnose, digits: Dataset) -> None:  # type: ignore[no-untyped-def]
    report = train_and_diagnose(lambda: build_model(ModelConfig(dense_units=64), digits, total_steps=1))
    assert min(report.metrics.values()) >= 0.5, report.metrics
    assert report.metrics["gradient_health"] >= 0.9
    assert report.metrics["convergence_quality"] >= 0.8
    assert not [f for f in report.findings if f.severity == "critical"]


@pytest.mark.jax_core
def test_a_very_high_learning_rate_is_unstable_and_explodes(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    report = train_and_diagnose(
        lambda: dense_net(layers.Dense(64, activation="linear"), layers.Dense(64, activation="linear")),
        optimizer=keras.optimizers.SGD(learning_rate=10.0, momentum=0.99),
    )
    assert report.metrics["training_stability"] == 0.0
    assert report.metrics["gradient_health"] == 0.0
    # TensorFlow's loss overflows to NaN; JAX clips probabilities, so its loss saturates near 16
    (stability,) = [f for f in report.findings if f.metric == "training_stability"]
    assert stability.severity == "critical"
    assert "NaN" in stability.title or "diverged" in stability.title


def test_negative_bias_relu_layers_have_dead_units(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    dead = keras.initializers.Constant(-5.0)
    report = train_and_diagnose(
        lambda: dense_net(
            layers.Dense(64, activation="relu", name="healthy"),
            layers.Dense(64, activation="relu", bias_initializer=dead, name="dead_layer"),
        )
    )
    assert report.metrics["neuron_utilization"] <= 0.6
    assert report.details["neuron_utilization"]["layers"]["dead_layer"]["dead"] >= 32
    assert any(t.startswith("dead_layer:") and "dormant" in t for t in titles(report, "neuron_utilization"))


def test_tanh_units_with_huge_initial_weights_are_saturated(train_and_diagnose, digits: Dataset) -> None:  # type: ignore[no-untyped-def]
    def tanh_net(init: object) -> keras.Model:
        return dense_net(
            *[
                layers.Dense(128, activation="tanh", kernel_initializer=init, name=f"tanh_{i}")
                for i in range(3)
            ]
        )

    saturated = train_and_diagnose(lambda: tanh_net(keras.initializers.RandomNormal(stddev=3.0)))
    layer_stats = saturated.details["neuron_utilization"]["layers"]
    assert layer_stats["tanh_1"]["saturated_share"] >= 0.5
    assert saturated.metrics["neuron_utilization"] < 0.75  # below its threshold: the number says it too
    assert any(t.startswith("tanh_1:") and "saturated" in t for t in titles(saturated, "neuron_utilization"))
    # the dormant-units plot draws the saturated share and states the metric's own number
    context = PlotContext(None, digits, {}, saturated, ScoringWeights(), np.zeros((1, 10)), 5, 32)
    _, drawn = DormantUnitsPlot().draw(context)
    assert drawn["neuron_utilization"] == pytest.approx(saturated.metrics["neuron_utilization"])
    assert drawn["layers"][1]["saturated_share"] == layer_stats["tanh_1"]["saturated_share"]
    healthy = train_and_diagnose(lambda: tanh_net("glorot_uniform"))
    assert max(s["saturated_share"] for s in healthy.details["neuron_utilization"]["layers"].values()) < 0.1
    assert not any("saturated" in t for t in titles(healthy, "neuron_utilization"))


def test_saturation_reads_each_activation_s_own_bounds() -> None:
    from healthtune.health.probes import SATURATING, activity_stats

    # two sigmoid units: one stuck at 1 for 3 of 4 inputs, one in the middle; the tanh bounds would
    # read 0.995 as saturated too, but 0.002 (a sigmoid at its floor) only with the sigmoid's
    outputs = np.array([[0.995, 0.5], [0.999, 0.4], [0.998, 0.6], [0.3, 0.002]])
    stats = activity_stats("sig", "dense", outputs, 0.025, SATURATING["sigmoid"])
    assert stats.saturated_share == pytest.approx(4 / 8)
    assert activity_stats(
        "sig", "dense", outputs, 0.025, SATURATING["tanh"]
    ).saturated_share == pytest.approx(3 / 8)
    assert activity_stats("relu", "dense", outputs, 0.025).saturated_share == 0.0


def test_a_deep_sigmoid_stack_has_vanishing_gradients(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    stack = [layers.Dense(32, activation="sigmoid", name=f"sig_{i}") for i in range(12)]
    report = train_and_diagnose(lambda: dense_net(*stack), optimizer=keras.optimizers.SGD(learning_rate=0.01))
    assert report.metrics["gradient_health"] <= 0.5
    assert any("vanishing" in t for t in titles(report, "gradient_health"))
    assert any(t.startswith("sig_0:") for t in titles(report, "gradient_health"))


def test_a_huge_dense_layer_is_parameter_inefficient(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    small = train_and_diagnose(lambda: dense_net(layers.Dense(32, activation="relu")), epochs=3)
    huge = train_and_diagnose(
        lambda: dense_net(layers.Dense(4096, activation="relu"), layers.Dense(2048, activation="relu")),
        epochs=3,
    )
    assert huge.details["parameter_efficiency"]["params"] > 8_000_000
    assert huge.metrics["parameter_efficiency"] < 0.3 < small.metrics["parameter_efficiency"]
    assert titles(huge, "parameter_efficiency")


def test_a_tiny_training_set_overfits_even_at_its_best_epoch(
    train_and_diagnose, shared_datasets, data_dir
) -> None:  # type: ignore[no-untyped-def]
    # 40 epochs on 200 examples: the model returned is its best epoch's, and memorizes already there.
    import_dataset("fashion_mnist", shared_datasets / "fashion-mnist", data_dir)
    tiny = load_dataset("fashion_mnist", validation_split=0.5, seed=0, max_samples=400, data_dir=data_dir)
    report = train_and_diagnose(
        lambda: keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(512, activation="relu"),
                                  layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")]),
        dataset=tiny,
        epochs=40,
        batch_size=16,
    )  # fmt: skip
    details = report.details["convergence_quality"]
    assert details["best_epoch"] < 40  # the validation loss bottomed out long before the last epoch
    assert details["train_val_gap"] > 0.1 and details["overfitting_penalty"] > 0.3
    assert report.metrics["convergence_quality"] < 0.6
    overfitting = [
        f for f in report.findings if f.metric == "convergence_quality" and "overfitting" in f.title
    ]
    assert overfitting and overfitting[0].severity == "critical"


@pytest.mark.jax_core
def test_an_lstm_is_probed_per_unit(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    text = load_dataset("csv:" + str(_reuters()), validation_split=0.2, seed=0, max_samples=300,
                        vocab_size=500, sequence_length=30)  # fmt: skip
    config = ModelConfig(
        architecture=Architecture.LSTM, text_encoder="lstm", lstm_units=8, embedding_dim=8, dense_units=8
    )
    report = train_and_diagnose(lambda: build_model(config, text, total_steps=1), dataset=text, epochs=1)
    assert report.details["neuron_utilization"]["layers"]["bilstm_1"]["units"] == 16
    assert "bilstm_1" in report.details["gradient_health"]["layer_states"]


def _reuters():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).resolve().parents[3] / "shared" / "datasets" / "reuters-r8"


@pytest.mark.jax_core
def test_a_cosine_schedule_that_ends_at_zero_does_not_look_like_frozen_weights(  # type: ignore[no-untyped-def]
    train_and_diagnose, digits: Dataset
) -> None:
    # The rate at the last probe is 0 (the schedule's end); the update ratio must use the epoch's rates.
    epochs, batch_size = 2, 32
    steps = epochs * -(-len(digits.y_train) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps)
    report = train_and_diagnose(
        lambda: build_model(ModelConfig(dense_units=64), digits, total_steps=steps),
        optimizer=keras.optimizers.Adam(schedule), epochs=epochs, batch_size=batch_size,
    )  # fmt: skip
    assert report.snapshots[-1].learning_rate == pytest.approx(0.0, abs=1e-12)
    assert all(g.update_ratio > UPDATE_RATIO_LOW for g in report.snapshots[-1].gradients)
    assert not [title for title in titles(report, "gradient_health") if "barely change" in title]
    assert report.metrics["gradient_health"] >= 0.9


def test_a_layer_whose_outputs_overflowed_says_nan_not_dormant() -> None:
    from healthtune.health.findings import dormancy_findings
    from healthtune.health.metrics import neuron_utilization
    from healthtune.health.probes import ProbeSnapshot, activity_stats

    overflowed = activity_stats("dense", "dense", np.full((4, 3), np.nan), 0.025)
    healthy = activity_stats("dense_1", "dense", np.array([[0.5, 1.0], [1.5, 0.2]]), 0.025)
    result = neuron_utilization(ProbeSnapshot(epoch=1, learning_rate=0.1, activity=[overflowed, healthy]))
    assert result.score == pytest.approx(1 - 3 / 5)
    (finding,) = dormancy_findings(result)
    assert (finding.severity, finding.layer) == ("critical", "dense")
    assert finding.title == "outputs are NaN or infinite (3 of 3 units)"


def test_many_layers_with_the_same_problem_become_a_few_findings_and_one_that_names_the_rest() -> None:
    from healthtune.health.findings import Finding, collapse_layer_findings

    def vanishing(layer: str) -> Finding:
        return Finding(
            "warning", "gradient_health", layer, "gradients are vanishing (3 of 3 probes)", "why", "try"
        )

    backbone = [vanishing(f"backbone/conv{i}") for i in range(10)]
    other = Finding(
        "warning", "gradient_health", None, "gradient norms differ 1e+05x across layers", "x", "y"
    )
    collapsed = collapse_layer_findings([*backbone, other], shown=3)
    assert collapsed[:3] == backbone[:3] and collapsed[-1] == other and len(collapsed) == 5
    rest = collapsed[3]
    assert (rest.severity, rest.metric, rest.layer, rest.explanation) == (
        "warning",
        "gradient_health",
        None,
        "why",
    )
    assert rest.title == "the same in 7 more layers: backbone/conv3, backbone/conv4, backbone/conv5, ..."
    # one layer more than shown is not worth a summary; each problem is grouped on its own
    assert collapse_layer_findings(backbone[:4], shown=3) == backbone[:4]
    dormant = [
        Finding("info", "neuron_utilization", f"act{i}", "20% of units are dormant", "w", "t")
        for i in range(5)
    ]
    assert len(collapse_layer_findings([*backbone, *dormant], shown=3)) == 8
