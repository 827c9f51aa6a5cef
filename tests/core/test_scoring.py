"""ScoringWeights: defaults from one module, auto-completion, validation with clear messages."""

from __future__ import annotations

import pytest

from healthtune import OptimizationConfig, ScoringWeights
from healthtune.core.exceptions import ConfigError
from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS, objective_values, score


def test_defaults() -> None:
    weights = ScoringWeights()
    assert (weights.accuracy_weight, weights.health_overall_weight) == (0.70, 0.30)
    assert list(weights.health_component_proportions.values()) == [
        0.10,
        0.20,
        0.0,
        0.05,
        0.10,
        0.0,
        0.15,
        0.40,
    ]


def test_proportions_written_before_calibration_and_robustness_still_load() -> None:
    six = {"neuron_utilization": 0.15, "parameter_efficiency": 0.30, "training_stability": 0.0,
           "gradient_health": 0.15, "convergence_quality": 0.30, "accuracy_consistency": 0.10}  # fmt: skip
    weights = ScoringWeights(0.7, 0.3, six)
    assert weights.health_component_proportions["calibration"] == 0.0
    assert weights.health_component_proportions["robustness"] == 0.0
    stored = dict.fromkeys(six, 0.5)  # a trial stored before them: they score 1, not measured
    assert ScoringWeights().health(stored) == pytest.approx(
        0.5
        * sum(six_share for name, six_share in DEFAULT_HEALTH_COMPONENT_PROPORTIONS.items() if name in six)
        + sum(share for name, share in DEFAULT_HEALTH_COMPONENT_PROPORTIONS.items() if name not in six)
    )
    with pytest.raises(ConfigError, match="missing \\['accuracy_consistency'\\]"):
        ScoringWeights(0.7, 0.3, {k: v for k, v in six.items() if k != "accuracy_consistency"})


def test_seed_examples_fill_the_other_weight() -> None:
    weights = ScoringWeights.resolve(accuracy_weight=0.80)
    assert weights.health_overall_weight == pytest.approx(0.20)
    assert weights.health_component_proportions == DEFAULT_HEALTH_COMPONENT_PROPORTIONS
    weights = ScoringWeights.resolve(health_overall_weight=0.40)
    assert weights.accuracy_weight == pytest.approx(0.60)


def test_small_rounding_is_normalized() -> None:
    weights = ScoringWeights(0.705, 0.3)
    assert weights.accuracy_weight + weights.health_overall_weight == pytest.approx(1.0)
    nudged = DEFAULT_HEALTH_COMPONENT_PROPORTIONS["neuron_utilization"] + 0.005
    proportions = {**DEFAULT_HEALTH_COMPONENT_PROPORTIONS, "neuron_utilization": nudged}
    assert sum(ScoringWeights(0.7, 0.3, proportions).health_component_proportions.values()) == pytest.approx(
        1.0
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accuracy_weight": 1.2}, "accuracy_weight must be in [0, 1], got accuracy_weight=1.2"),
        ({"health_overall_weight": -0.1}, "health_overall_weight must be in [0, 1]"),
        ({"accuracy_weight": 0.5, "health_overall_weight": 0.2}, "accuracy_weight + health_overall_weight must be 1"),
        ({"health_component_proportions": {**DEFAULT_HEALTH_COMPONENT_PROPORTIONS, "vibes": 0.0}},
         "unknown name(s) ['vibes']"),
        ({"health_component_proportions": {"neuron_utilization": 1.0}}, "missing ['parameter_efficiency'"),
        ({"health_component_proportions": {**DEFAULT_HEALTH_COMPONENT_PROPORTIONS, "gradient_health": 0.5}},
         "must sum to 1"),
        ({"health_component_proportions": {**DEFAULT_HEALTH_COMPONENT_PROPORTIONS, "gradient_health": "x"}},
         "health_component_proportions['gradient_health'] must be a number"),
    ],
)  # fmt: skip
def test_bad_weights_name_the_key_and_value(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        ScoringWeights.resolve(**kwargs)  # type: ignore[arg-type]
    assert message in str(error.value)


def test_config_carries_weights_and_simple_mode_forces_accuracy_only() -> None:
    config = OptimizationConfig(mode="health", accuracy_weight=0.8)  # type: ignore[arg-type]
    assert config.weights.health_overall_weight == pytest.approx(0.2)
    simple = OptimizationConfig(mode="simple", accuracy_weight=0.8)  # type: ignore[arg-type]
    assert (simple.weights.accuracy_weight, simple.weights.health_overall_weight) == (1.0, 0.0)
    with pytest.raises(ConfigError, match="accuracy_weight \\+ health_overall_weight must be 1"):
        OptimizationConfig(mode="health", accuracy_weight=0.9, health_overall_weight=0.9)  # type: ignore[arg-type]


def test_scores_per_mode() -> None:
    from healthtune.core.config import Mode

    health = dict.fromkeys(DEFAULT_HEALTH_COMPONENT_PROPORTIONS, 0.5)
    metrics = {"val_accuracy": 0.9, "health": health}
    weights = ScoringWeights()
    assert objective_values(Mode.SIMPLE, weights, metrics) == [0.9]
    assert objective_values(Mode.HEALTH, weights, metrics) == [pytest.approx(0.7 * 0.9 + 0.3 * 0.5)]
    assert objective_values(Mode.PARETO, weights, metrics) == [0.9, pytest.approx(0.5)]
    assert score(Mode.PARETO, weights, metrics) == pytest.approx(0.78)


def test_scores_use_the_trials_learning_gate_and_cap() -> None:
    from healthtune.core.config import Mode
    from healthtune.health.learning import make_gate

    health = dict.fromkeys(DEFAULT_HEALTH_COMPONENT_PROPORTIONS, 0.9)
    weights = ScoringWeights()
    at_chance = {
        "val_accuracy": 0.12,
        "health": health,
        "health_gate": make_gate(0.02, 0.1, ["critical"]).to_dict(),
    }
    assert objective_values(Mode.PARETO, weights, at_chance) == [0.12, pytest.approx(0.9 * 0.04)]
    assert score(Mode.HEALTH, weights, at_chance) == pytest.approx(0.7 * 0.12 + 0.3 * 0.9 * 0.04)
    capped = {
        "val_accuracy": 0.95,
        "health": health,
        "health_gate": make_gate(0.94, 0.1, ["critical"]).to_dict(),
    }
    assert objective_values(Mode.PARETO, weights, capped) == [0.95, 0.5]
    # a trial stored before gates existed is weighted as it was
    assert objective_values(Mode.PARETO, weights, {"val_accuracy": 0.12, "health": health})[
        1
    ] == pytest.approx(0.9)
