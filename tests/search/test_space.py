"""Search space: overrides fix or narrow parameters; the selector samples valid ModelConfigs."""

from __future__ import annotations

import optuna
import pytest

from healthtune.config import Architecture
from healthtune.exceptions import ConfigError
from healthtune.models.config import ModelConfig
from healthtune.search import HyperparameterSelector, params_for
from healthtune.search.space import parse_override


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
