"""Objectives other than accuracy and class weights: parsing, values on known inputs, and a real imbalanced search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from healthtune import OptimizationConfig, optimize
from healthtune.core.choices import Objective
from healthtune.core.exceptions import ConfigError
from healthtune.core.objectives import (
    chance_value,
    low_recall_classes,
    objective_value,
    parse_class_weight,
    per_class,
    resolve_class_weights,
)
from healthtune.data.base import Dataset


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("none", "none"),
        (" Balanced ", "balanced"),
        ("cat=2, dog=0.5", {"cat": 2.0, "dog": 0.5}),
        ({0: 3}, {"0": 3.0}),
    ],
)
def test_class_weight_forms(value: object, parsed: object) -> None:
    assert parse_class_weight(value) == parsed


@pytest.mark.parametrize(
    ("value", "text"),
    [("heavy", "class_weight must be 'none', 'balanced' or per-class weights"), ("cat=0", "a weight > 0"),
     ("cat=x", "a weight > 0"), ({}, "1 to 10000 classes"), (3, "class_weight must be")],
)  # fmt: skip
def test_bad_class_weights_name_the_field(value: object, text: str) -> None:
    with pytest.raises(ConfigError, match=text):
        OptimizationConfig(class_weight=value)  # type: ignore[arg-type]


def test_class_weights_resolve_by_name_or_index_and_balance_the_counts() -> None:
    y = np.array([0] * 8 + [1] * 2)
    assert resolve_class_weights("balanced", y, ("a", "b")) == {0: 10 / 16, 1: 10 / 4}
    assert resolve_class_weights({"b": 3.0}, y, ("a", "b")) == {0: 1.0, 1: 3.0}
    assert resolve_class_weights({"1": 3.0}, y, ("a", "b")) == {0: 1.0, 1: 3.0}
    assert resolve_class_weights("none", y, ("a", "b")) is None
    with pytest.raises(ConfigError, match="class_weight names class 'c'; the classes are a, b"):
        resolve_class_weights({"c": 2.0}, y, ("a", "b"))


def test_objectives_on_known_predictions() -> None:
    y = np.array([0, 0, 0, 0, 1, 1])
    always_zero = np.array([[0.9, 0.1]] * 6)
    assert objective_value(Objective.ACCURACY, y, always_zero) == pytest.approx(4 / 6)
    assert objective_value(Objective.BALANCED_ACCURACY, y, always_zero) == pytest.approx(0.5)
    assert objective_value(Objective.MACRO_F1, y, always_zero) == pytest.approx((0.8 + 0.0) / 2)
    ranked = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.4, 0.6], [0.3, 0.7], [0.2, 0.8]])
    assert objective_value(Objective.ROC_AUC, y, ranked) == pytest.approx(1.0)
    assert chance_value(Objective.MACRO_F1, y, 2) == pytest.approx(
        objective_value(Objective.MACRO_F1, y, always_zero)
    )
    assert chance_value(Objective.BALANCED_ACCURACY, y, 2) == 0.5
    classes = per_class(y, np.argmax(always_zero, axis=1), ("a", "b"))
    assert classes["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    assert [name for name, _, _ in low_recall_classes({**classes, "c": {"recall": 0.9, "support": 3}})] == [
        "b"
    ]


def test_roc_auc_needs_two_classes(tmp_path: Path) -> None:
    config = OptimizationConfig(dataset="digits", objective="roc_auc", results_root=tmp_path, trials=1)
    with pytest.raises(ConfigError, match="objective='roc_auc' needs two classes, this dataset has 10"):
        optimize(config)


@pytest.mark.slow
def test_macro_f1_with_balanced_weights_finds_the_rare_classes(digits: Dataset, tmp_path: Path) -> None:
    # digits where classes 0, 1 and 2 keep 10% of their training examples; the test split is untouched
    rng = np.random.default_rng(0)
    x = np.concatenate([digits.x_train, digits.x_val])
    y = np.concatenate([digits.y_train, digits.y_val])
    keep = np.array([label > 2 or rng.random() < 0.1 for label in y])
    arrays = tmp_path / "imbalanced.npz"
    np.savez(arrays, x_train=x[keep], y_train=y[keep], x_test=digits.x_test, y_test=digits.y_test)

    def rare_recall(objective: str, class_weight: str) -> float:
        result = optimize(OptimizationConfig(
            dataset=f"npz:{arrays}", run_name=objective, results_root=tmp_path / "runs", trials=3,
            max_epochs_per_trial=6, objective=objective, class_weight=class_weight, executor="inline",
            plot_mode="none", tensorboard=False, pruner="none", seed=1,
        ))  # fmt: skip
        assert result.best_trial is not None
        test = result.best_trial.metrics["per_class"]["test"]
        return float(np.mean([test[name]["recall"] for name in ("0", "1", "2")]))

    assert rare_recall("macro_f1", "balanced") > rare_recall("accuracy", "none")
