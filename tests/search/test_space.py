"""Search space: overrides fix or narrow parameters; the selector samples valid ModelConfigs."""

from __future__ import annotations

import optuna
import pytest

from healthtune.config import Architecture
from healthtune.exceptions import ConfigError
from healthtune.models.config import ModelConfig
from healthtune.search import HyperparameterSelector, params_for
from healthtune.search.space import SEARCH_SPACE, ParamSpec, parse_override, validate_overrides


def test_every_parameter_is_explained_and_valid_for_model_config() -> None:
    for architecture in ("cnn", "lstm"):
        for spec in params_for(architecture):
            assert len(spec.description) > 20, spec.name
            for value in spec.choices or (spec.low, spec.high):
                ModelConfig.from_dict({spec.name: value})


@pytest.mark.parametrize("architecture", [Architecture.CNN, Architecture.LSTM])
def test_selector_samples_valid_configs_and_honors_overrides(architecture: Architecture) -> None:
    overrides = {"optimizer": "sgd", "learning_rate": {"low": 0.001, "high": 0.002}, "dense_units": [64]}
    selector = HyperparameterSelector(architecture, overrides)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        trial = study.ask()
        config = selector.suggest(trial)
        assert config.architecture is architecture
        assert config.optimizer == "sgd"
        assert 0.001 <= config.learning_rate <= 0.002
        assert config.dense_units == 64
        assert "optimizer" not in trial.params  # fixed parameters are not searched
        assert "momentum" in trial.params  # conditional on sgd
        study.tell(trial, 0.5)


def test_default_params_are_the_model_config_defaults() -> None:
    params = HyperparameterSelector(Architecture.CNN).default_params()
    defaults = ModelConfig()
    assert params["filters"] == defaults.filters
    assert params["learning_rate"] == defaults.learning_rate
    assert "momentum" not in params  # the default optimizer is adam


def test_parse_override_forms() -> None:
    assert parse_override("optimizer=adam") == ("optimizer", "adam")
    assert parse_override("conv_blocks=1:3") == ("conv_blocks", {"low": 1, "high": 3})
    assert parse_override("filters=16,32") == ("filters", {"choices": [16, 32]})
    assert parse_override("batch_norm=false") == ("batch_norm", False)
    with pytest.raises(ConfigError, match="name=value"):
        parse_override("conv_blocks")


def test_overrides_that_cannot_take_effect_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="healthtune.search.selector"):
        HyperparameterSelector(Architecture.CNN, {"lstm_units": 32, "optimizer": "adam", "momentum": 0.9})
    text = " ".join(caplog.messages)
    assert "lstm_units applies to LSTM (text) models" in text and "lstm_units=32 is ignored" in text
    assert "momentum is only used when optimizer='sgd'" in text
    caplog.clear()
    with caplog.at_level("WARNING", logger="healthtune.search.selector"):
        HyperparameterSelector(Architecture.CNN, {"optimizer": "sgd", "momentum": 0.9, "filters": 16})
    assert caplog.messages == []


def test_a_categorical_range_is_refused_with_both_valid_forms() -> None:
    from healthtune.search.space import validate_overrides

    with pytest.raises(ConfigError, match=r"fix one value \(filters=value\) or list choices \(filters=a,b\)"):
        validate_overrides({"filters": {"low": 5, "high": 2}})


def test_trial_records_list_the_fixed_parameters_too(tmp_path: object) -> None:
    from healthtune.study_records import trial_params

    selector = HyperparameterSelector(Architecture.CNN, {"filters": 5, "optimizer": "adam"})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    config = selector.suggest(trial)
    study.tell(trial, 0.5)
    params = trial_params(study.trials[0])
    assert params["filters"] == 5 == config.filters and params["optimizer"] == "adam"
    assert "filters" not in study.trials[0].params and "learning_rate" in params


@pytest.mark.parametrize("spec", SEARCH_SPACE, ids=lambda spec: spec.name)
def test_the_advertised_override_limits_are_the_ones_enforced(spec: ParamSpec) -> None:
    allowed = spec.allowed()
    if allowed["allowed_choices"]:
        for choice in allowed["allowed_choices"]:
            assert validate_overrides({spec.name: choice}) == {spec.name: choice}
        with pytest.raises(ConfigError, match=spec.name):
            validate_overrides({spec.name: "no-such-choice"})
        return
    low, high = allowed["allowed_low"], allowed["allowed_high"]
    assert low is not None and high is not None, f"{spec.name} advertises no limits"
    step = 1 if isinstance(high, int) else high * 1e-3
    for value in (low, high):
        assert validate_overrides({spec.name: value}) == {spec.name: value}
    for value in (low - step, high + step):
        with pytest.raises(ConfigError, match=f"{spec.name} must be"):
            validate_overrides({spec.name: value})
