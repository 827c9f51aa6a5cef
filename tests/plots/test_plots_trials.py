"""Real CNN and LSTM trials draw every expected plot: valid, readable PNGs and JSON files holding the data shown."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from healthtune.health.defaults import DORMANCY_TAU
from healthtune.health.metrics import METRIC_NAMES
from healthtune.plots import DPI, FIGSIZE, PLOTS

CNN_PLOTS = [plot.name for plot in PLOTS]  # every plot applies to a CNN trial with health probes
LSTM_PLOTS = [plot.name for plot in PLOTS]
EXPECTED_SIZE = (round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI))


def load(out_dir: Path, name: str) -> dict[str, Any]:
    def no_constants(value: str) -> Any:
        raise AssertionError(f"{name}.json holds {value}: not plain JSON")

    data: dict[str, Any] = json.loads(
        (out_dir / f"{name}.json").read_text(encoding="utf-8"), parse_constant=no_constants
    )
    return data


def test_a_cnn_trial_draws_every_plot_in_registry_order(cnn_trial) -> None:  # type: ignore[no-untyped-def]
    assert cnn_trial.written == CNN_PLOTS
    assert len(cnn_trial.written) >= 13
    files = sorted(path.name for path in cnn_trial.out_dir.iterdir())
    assert files == sorted([f"{name}.png" for name in CNN_PLOTS] + [f"{name}.json" for name in CNN_PLOTS])


def test_an_lstm_trial_draws_every_plot_in_registry_order(lstm_trial) -> None:  # type: ignore[no-untyped-def]
    assert lstm_trial.written == LSTM_PLOTS
    assert len(lstm_trial.written) >= 11


def test_every_png_is_valid_full_size_and_not_blank(trial) -> None:  # type: ignore[no-untyped-def]
    for name in trial.written:
        path = trial.out_dir / f"{name}.png"
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == EXPECTED_SIZE, name
            pixels = np.asarray(image.convert("L"), dtype=np.float64)
        assert pixels.std() > 15, f"{name}.png looks blank (std {pixels.std():.1f})"
        assert np.mean(pixels < 200) > 0.02, f"{name}.png has almost no ink"


def test_every_json_names_its_plot_with_title_and_caption(trial) -> None:  # type: ignore[no-untyped-def]
    for name in trial.written:
        data = load(trial.out_dir, name)
        assert data["plot"] == name
        assert data["title"] and "\n" not in data["title"]
        assert len(data["caption"]) > 40


def test_training_history_json_holds_the_curves_and_the_best_epoch(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "training_history")
    assert data["epochs"] == [1, 2]
    assert data["val_loss"] == pytest.approx(trial.history["val_loss"])
    assert data["accuracy"] == pytest.approx(trial.history["accuracy"])
    assert data["best_epoch"] == int(np.argmin(trial.history["val_loss"])) + 1
    assert len(data["batch_loss"]) == len(trial.history["batch_loss"])


def test_confusion_matrix_counts_cover_the_test_set(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "confusion_matrix")
    classes = len(trial.dataset.class_names)
    counts = np.array(data["counts"])
    assert data["labels"] == list(trial.dataset.class_names)
    assert counts.shape == (classes, classes)
    assert counts.sum() == len(trial.dataset.y_test)
    assert list(counts.sum(axis=1)) == list(np.bincount(trial.dataset.y_test, minlength=classes))
    rows = np.array(data["normalized"]).sum(axis=1)
    assert np.allclose(rows[counts.sum(axis=1) > 0], 1.0)
    assert data["accuracy"] == pytest.approx(np.trace(counts) / counts.sum())


def test_per_class_metrics_has_one_entry_per_class(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "per_class_metrics")
    assert [entry["label"] for entry in data["classes"]] == list(trial.dataset.class_names)
    assert sum(entry["support"] for entry in data["classes"]) == len(trial.dataset.y_test)
    for entry in data["classes"]:
        assert 0 <= entry["precision"] <= 1 and 0 <= entry["recall"] <= 1 and 0 <= entry["f1"] <= 1
    recall = sum(entry["recall"] * entry["support"] for entry in data["classes"]) / len(trial.dataset.y_test)
    accuracy = float(np.mean(trial.context.test_predictions == trial.dataset.y_test))
    assert recall == pytest.approx(accuracy)  # support-weighted recall is the accuracy


def test_roc_pr_json_has_an_area_per_class_and_a_macro_average(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "roc_pr_curves")
    assert len(data["classes"]) == len(trial.dataset.class_names)
    areas = [entry["roc_auc"] for entry in data["classes"] if entry["roc_auc"] is not None]
    assert areas and all(0 <= area <= 1 for area in areas)
    assert data["macro"]["roc_auc"] == pytest.approx(np.mean(areas))
    assert len(data["macro"]["tpr"]) == len(data["grid"]) == len(data["macro"]["precision"])


def test_gradient_plots_show_every_probed_layer(trial) -> None:  # type: ignore[no-untyped-def]
    last = trial.report.snapshots[-1]
    flow = load(trial.out_dir, "gradient_flow")
    assert [layer["layer"] for layer in flow["layers"]] == [g.layer for g in last.gradients]
    for layer, probe in zip(flow["layers"], last.gradients, strict=True):
        assert layer["grad_norm"] == pytest.approx(probe.grad_norm)
        assert layer["grad_max"] <= layer["grad_norm"] + 1e-12  # one entry never exceeds the L2 norm
        assert layer["grad_rms"] <= layer["grad_max"] + 1e-12
    norms = load(trial.out_dir, "gradient_norms")
    assert norms["epochs"] == [s.epoch for s in trial.report.snapshots]
    assert set(norms["layers"]) == {g.layer for g in last.gradients}
    assert norms["healthy_update_band"] == [1e-5, 1e-1]


def test_weight_and_bias_histograms_count_every_weight(trial) -> None:  # type: ignore[no-untyped-def]
    kernels = load(trial.out_dir, "weight_distributions")
    total = sum(
        int(np.prod(w.shape))
        for layer in trial.model.layers
        for w in layer.weights
        if w.name in ("kernel", "recurrent_kernel", "embeddings")
    )
    counted = sum(stats["count"] for layer in kernels["layers"] for stats in layer["weights"].values())
    assert counted == total
    for layer in kernels["layers"]:
        for stats in layer["weights"].values():
            assert sum(stats["counts"]) == stats["count"]
    biases = load(trial.out_dir, "bias_distributions")
    assert biases["layers"] and all(set(layer["weights"]) <= {"bias", "beta"} for layer in biases["layers"])


def test_recurrent_kernels_and_embeddings_are_in_the_lstm_histograms(lstm_trial) -> None:  # type: ignore[no-untyped-def]
    layers = {
        layer["layer"]: layer["weights"]
        for layer in load(lstm_trial.out_dir, "weight_distributions")["layers"]
    }
    assert set(layers["bilstm_1"]) == {"kernel", "recurrent_kernel"}
    assert set(layers["embedding"]) == {"embeddings"}


def test_cnn_activation_maps_show_the_first_block(cnn_trial) -> None:  # type: ignore[no-untyped-def]
    data = load(cnn_trial.out_dir, "activation_maps")
    assert data["kind"] == "feature_maps" and data["layer"] == "act_1"
    assert data["map_shape"] == [8, 8, 8]
    assert len(data["maps"]) == len(data["channels_shown"]) == 8
    assert np.array(data["input"]).shape == (8, 8)


def test_lstm_activation_maps_show_hidden_states_word_by_word(lstm_trial) -> None:  # type: ignore[no-untyped-def]
    data = load(lstm_trial.out_dir, "activation_maps")
    assert data["kind"] == "hidden_states" and data["layer"] == "bilstm_1"
    example = lstm_trial.dataset.x_test[data["example_index"]]
    assert len(data["words"]) == int(np.count_nonzero(example))
    assert np.array(data["states"]).shape == (len(data["words"]), 16)  # 8 units x 2 directions
    # The twin layer (same weights, return_sequences=True) ends exactly where the real layer does.
    assert data["final_state_difference"] < 1e-5


def test_dormant_units_json_matches_the_last_probe(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "dormant_units")
    last = trial.report.snapshots[-1]
    assert data["tau"] == DORMANCY_TAU and data["epoch"] == last.epoch
    assert [(layer["layer"], layer["dormant"], layer["dead"]) for layer in data["layers"]] == [
        (a.layer, a.dormant, a.dead) for a in last.activity
    ]
    for layer in data["layers"]:
        assert sum(score <= DORMANCY_TAU for score in layer["scores"]) == layer["dormant"]
    assert data["neuron_utilization"] == pytest.approx(trial.report.metrics["neuron_utilization"])


def test_misclassified_examples_are_real_mistakes_most_confident_first(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "misclassified_examples")
    names = trial.dataset.class_names
    assert data["examples"]
    for example in data["examples"]:
        index = example["index"]
        assert names[trial.dataset.y_test[index]] == example["true_label"] != example["predicted_label"]
        assert example["confidence"] == pytest.approx(trial.context.test_probabilities[index].max())
    confidences = [example["confidence"] for example in data["examples"]]
    assert confidences == sorted(confidences, reverse=True)


def test_misclassified_texts_are_decoded_with_the_vocabulary(lstm_trial) -> None:  # type: ignore[no-untyped-def]
    data = load(lstm_trial.out_dir, "misclassified_examples")
    assert data["kind"] == "texts"
    vocabulary = lstm_trial.dataset.extras["vocabulary"]
    first = data["examples"][0]
    tokens = [t for t in lstm_trial.dataset.x_test[first["index"]] if t != 0]
    assert first["decoded"] is True
    assert first["text"].split()[:5] == [vocabulary[t] for t in tokens[:5]]


def test_health_radar_has_every_metric_and_the_weighted_scores(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "health_radar")
    weights = trial.context.weights
    assert list(data["metrics"]) == list(METRIC_NAMES)
    assert data["metrics"] == pytest.approx(trial.report.metrics)
    assert data["health"] == pytest.approx(weights.health(trial.report.metrics, trial.report.gate))
    assert data["accuracy"] == pytest.approx(trial.history["val_accuracy"][-1])
    assert data["accuracy_source"] == "validation accuracy (last epoch)"
    assert data["total"] == pytest.approx(
        weights.total(data["accuracy"], trial.report.metrics, trial.report.gate)
    )


def test_learning_rate_schedule_follows_the_optimizer(cnn_trial, lstm_trial) -> None:  # type: ignore[no-untyped-def]
    cosine = load(cnn_trial.out_dir, "learning_rate_schedule")
    steps = cosine["steps_per_epoch"] * 2
    assert cosine["schedule"] == "CosineDecay" and cosine["steps"][-1] == steps
    assert cosine["learning_rate"][0] == pytest.approx(3e-3)
    assert cosine["learning_rate"][-1] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.diff(cosine["learning_rate"]) <= 1e-12)
    assert [p["epoch"] for p in cosine["probes"]] == [1, 2]
    constant = load(lstm_trial.out_dir, "learning_rate_schedule")
    assert constant["schedule"] == "constant"
    assert set(np.round(constant["learning_rate"], 9)) == {1e-3}


def test_calibration_bins_cover_the_test_set(trial) -> None:  # type: ignore[no-untyped-def]
    data = load(trial.out_dir, "calibration")
    assert len(data["edges"]) == 11 and len(data["counts"]) == 10
    assert sum(data["counts"]) == len(trial.dataset.y_test)
    assert 0 <= data["ece"] <= 1
    confidence = trial.context.test_probabilities.max(axis=1)
    accuracy = float(np.mean(trial.context.test_predictions == trial.dataset.y_test))
    filled = [(c, n) for c, n in zip(data["confidence"], data["counts"], strict=True) if n]
    mean_confidence = sum(c * n for c, n in filled) / len(trial.dataset.y_test)
    assert mean_confidence == pytest.approx(confidence.mean())
    assert data["ece"] >= abs(mean_confidence - accuracy) - 1e-9  # the ECE bounds the overall gap
    assert all(value is None or math.isfinite(value) for value in data["accuracy"])
