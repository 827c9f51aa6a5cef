"""Health means what it says: planted cases on digits (the fast subset of bench/health_validity.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import keras
import numpy as np
import optuna
from keras import layers

from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS, ScoringWeights
from healthtune.data import Dataset
from healthtune.health.defaults import CRITICAL_HEALTH_CAP, METRIC_THRESHOLDS, VANISHING_GRADIENT
from healthtune.models import ModelConfig, build_model
from healthtune.plots.study_plots import make_study_plots
from healthtune.run.selection import pareto_numbers

PROPORTIONS = DEFAULT_HEALTH_COMPONENT_PROPORTIONS


def dense_net(*hidden: layers.Layer) -> keras.Model:
    return keras.Sequential(
        [keras.Input((8, 8, 1)), layers.Flatten(), *hidden, layers.Dense(10, activation="softmax")]
    )


def test_a_model_that_did_not_learn_is_never_healthy(train_and_diagnose, digits: Dataset) -> None:  # type: ignore[no-untyped-def]
    build = lambda: build_model(ModelConfig(dense_units=64), digits, total_steps=1)  # noqa: E731
    reference = train_and_diagnose(build)
    stuck = train_and_diagnose(build, optimizer=keras.optimizers.Adam(learning_rate=1e-6))
    assert reference.gate.learned and reference.gate.learning_factor == 1.0
    assert not stuck.gate.learned
    assert stuck.overall(PROPORTIONS) < 0.5
    assert stuck.overall(PROPORTIONS) <= reference.overall(PROPORTIONS) - 0.15, (
        stuck.metrics,
        reference.metrics,
    )
    learning = [f for f in stuck.findings if f.metric == "learning"]
    assert learning and learning[0].severity == "critical" and "did not learn" in learning[0].title
    # its flat loss is stalled, not stable, and a flat run earns no convergence credit
    assert stuck.metrics["training_stability"] < 0.2
    assert stuck.metrics["convergence_quality"] < 0.2
    assert not [f for f in reference.findings if f.severity != "info"], reference.findings


def test_a_deep_sigmoid_stack_vanishes_by_depth_without_any_tiny_norm(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    stack = [layers.Dense(64, activation="sigmoid", name=f"sig_{i}") for i in range(10)]
    report = train_and_diagnose(lambda: dense_net(*stack), optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    first_norms = [g.grad_norm for s in report.snapshots for g in s.gradients if g.layer == "sig_0"]
    assert min(first_norms) > VANISHING_GRADIENT  # the absolute floor alone would call it healthy
    assert report.metrics["gradient_health"] < METRIC_THRESHOLDS["gradient_health"]
    assert report.details["gradient_health"]["layer_states"]["sig_0"].get("vanishing")
    assert report.details["gradient_health"]["depth_fade"] > 2  # orders of magnitude, first layer vs output
    assert any(f.layer == "sig_0" and "vanishing" in f.title for f in report.findings)


def test_a_critical_finding_caps_health(train_and_diagnose, digits: Dataset) -> None:  # type: ignore[no-untyped-def]
    # 30 training examples and a big head: it learns, and memorizes far beyond what generalizes
    few = dataclasses.replace(digits, x_train=digits.x_train[:30], y_train=digits.y_train[:30])
    report = train_and_diagnose(
        lambda: dense_net(layers.Dense(256, activation="relu"), layers.Dense(256, activation="relu")),
        dataset=few, epochs=40, batch_size=16,
    )  # fmt: skip
    assert report.gate.learned and report.gate.worst_severity == "critical"
    assert any(f.severity == "critical" and "overfitting" in f.title for f in report.findings)
    assert report.weighted(PROPORTIONS) > CRITICAL_HEALTH_CAP
    assert report.overall(PROPORTIONS) == CRITICAL_HEALTH_CAP
    stored_gate = report.gate.to_dict()  # what a trial's metrics keep, and what scores use
    assert ScoringWeights().health(report.metrics, stored_gate) == CRITICAL_HEALTH_CAP


def test_every_metric_below_its_threshold_has_a_finding_that_names_it(train_and_diagnose) -> None:  # type: ignore[no-untyped-def]
    report = train_and_diagnose(
        lambda: dense_net(*[layers.Dense(32, activation="tanh") for _ in range(6)]),
        optimizer=keras.optimizers.SGD(1e-3),
        epochs=3,
    )
    low = [name for name, value in report.metrics.items() if value < METRIC_THRESHOLDS[name]]
    assert low, report.metrics
    assert all(any(f.metric == name for f in report.findings) for name in low), (low, report.findings)


def test_a_model_that_answers_the_majority_class_of_imbalanced_data_is_told_to_weigh_the_classes(  # type: ignore[no-untyped-def]
    train_and_diagnose, digits: Dataset
) -> None:
    # nine in ten examples are zeros: always answering 0 is right 90% of the time and learns nothing
    def mostly_zeros(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = (y == 0) | (np.arange(len(y)) % 60 == 0)
        return x[keep], y[keep]

    x_train, y_train = mostly_zeros(digits.x_train, digits.y_train)
    x_val, y_val = mostly_zeros(digits.x_val, digits.y_val)
    skewed = dataclasses.replace(digits, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val)
    report = train_and_diagnose(lambda: dense_net(layers.Dense(64, activation="relu")), dataset=skewed)
    assert report.gate.chance > 0.85 and not report.gate.learned
    answers = report.inputs["answers"]
    assert answers["top_class"] == answers["majority_class"] == 0 and answers["top_share"] > 0.95
    learning = next(f for f in report.findings if f.metric == "learning")
    assert "answers class 0 for" in learning.explanation
    assert learning.suggestion.startswith("weigh the classes (class_weight=balanced)"), learning.suggestion


def _trial(values: list[float], learned: bool) -> optuna.trial.FrozenTrial:
    gate = {"gain": 0.9 if learned else 0.02, "chance": 0.1, "learning_factor": 1.0 if learned else 0.04,
            "cap": 1.0 if learned else 0.5, "worst_severity": None if learned else "critical", "learned": learned}  # fmt: skip
    return optuna.trial.create_trial(
        values=values, user_attrs={"metrics": {"val_accuracy": values[0], "health_gate": gate}}
    )


def test_a_pareto_front_leaves_out_trials_that_did_not_learn(tmp_path: Path) -> None:
    study = optuna.create_study(directions=["maximize", "maximize"])
    # trial 0 stayed at chance but scored the best health (as stored before the gate): Optuna's front has it
    for values, learned in [
        ([0.12, 0.95], False),
        ([0.97, 0.80], True),
        ([0.95, 0.85], True),
        ([0.90, 0.70], True),
    ]:
        study.add_trial(_trial(values, learned))
    assert 0 in {t.number for t in study.best_trials}
    assert pareto_numbers(study) == [1, 2]
    assert "pareto_front" in make_study_plots(study, tmp_path)  # drawn with trial 0 grey, off the front
    assert json.loads((tmp_path / "study_plots" / "pareto_front.json").read_text())["pareto_front"] == [1, 2]


def test_a_model_whose_batch_norm_has_not_settled_is_told_it_learned(
    train_and_diagnose, digits: Dataset
) -> None:  # type: ignore[no-untyped-def]
    # one epoch of 17 batches: the CNN learns while training (about 50%), but predicts with batch
    # normalization's moving statistics, which have not caught up with its weights yet (10-19%)
    report = train_and_diagnose(
        lambda: build_model(ModelConfig(), digits, total_steps=17), epochs=1, batch_size=64, optimizer=None
    )
    assert not report.gate.learned
    learning = next(f for f in report.findings if f.metric == "learning")
    assert "of its training batches right while training" in learning.explanation, learning.explanation
    assert learning.suggestion.startswith("if it has batch normalization"), learning.suggestion
