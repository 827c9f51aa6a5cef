"""Search space: overrides fix or narrow parameters; the selector samples valid ModelConfigs."""

from __future__ import annotations

import dataclasses

import numpy as np
import optuna
import pytest

from healthtune.core.config import Architecture
from healthtune.core.exceptions import ConfigError
from healthtune.data import Dataset
from healthtune.models.config import ModelConfig
from healthtune.models.learning_rates import rate_range
from healthtune.search import HyperparameterSelector, params_for
from healthtune.search.overrides import parse_override, validate_overrides
from healthtune.search.space import SEARCH_SPACE, ParamSpec


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
    assert params["learning_rate"] == defaults.learning_rate == 1e-3
    assert "momentum" not in params  # the default optimizer is adam
    assert "global_pooling" not in params  # the default CNN has 2 blocks: too few for global pooling


def test_the_default_text_model_is_a_bag_of_embeddings_with_its_own_rate() -> None:
    params = HyperparameterSelector(Architecture.LSTM).default_params()
    assert params["text_encoder"] == "bag_of_embeddings"
    assert params["learning_rate"] == rate_range("bag_of_embeddings", "adam").default == 3e-2
    assert params["dense_layers"] == 0
    assert not any(name.startswith(("lstm_", "conv1d_")) for name in params)  # other encoders' parameters


def test_default_params_follow_a_fixed_optimizer_and_encoder() -> None:
    params = HyperparameterSelector(
        Architecture.LSTM, {"optimizer": "sgd", "text_encoder": "lstm"}
    ).default_params()
    assert params["learning_rate"] == rate_range("lstm", "sgd").default
    assert params["momentum"] == 0.9 and params["lstm_units"] == 64
    # an optimizer narrowed away from the default leaves the optimizer and its learning rate to the sampler
    narrowed = HyperparameterSelector(Architecture.CNN, {"optimizer": ["sgd", "rmsprop"]}).default_params()
    assert "optimizer" not in narrowed and "learning_rate" not in narrowed and "filters" in narrowed


@pytest.mark.parametrize("architecture", [Architecture.CNN, Architecture.LSTM])
def test_each_optimizer_draws_its_learning_rate_from_its_own_range(architecture: Architecture) -> None:
    selector = HyperparameterSelector(architecture)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = set()
    for _ in range(60):
        trial = study.ask()
        config = selector.suggest(trial)
        row = rate_range(config.network, config.optimizer)
        assert row.low <= config.learning_rate <= row.high, (config.network, config.optimizer)
        seen.add((config.network, config.optimizer))
        study.tell(trial, 0.5)
    assert len(seen) >= 4
    assert rate_range("cnn", "sgd").low >= 10 * rate_range("cnn", "adam").low  # SGD needs larger steps


def test_per_optimizer_ranges_are_honored_by_overrides() -> None:
    cases = [
        ({"optimizer": "sgd"}, rate_range("cnn", "sgd")),  # a fixed optimizer: its own range
        ({"optimizer": "sgd", "learning_rate": {"low": 1e-4, "high": 2e-4}}, (1e-4, 0.0, 2e-4)),  # user wins
        ({"optimizer": "adamw", "learning_rate": 0.05}, (0.05, 0.0, 0.05)),  # a fixed rate, even off-range
    ]
    for overrides, (low, _, high) in cases:
        selector = HyperparameterSelector(Architecture.CNN, overrides)
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        for _ in range(15):
            trial = study.ask()
            assert low <= selector.suggest(trial).learning_rate <= high, overrides
            study.tell(trial, 0.5)
    text = HyperparameterSelector(
        Architecture.LSTM, {"text_encoder": "bag_of_embeddings", "optimizer": ["adam", "sgd"]}
    )
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        trial = study.ask()
        config = text.suggest(trial)
        row = rate_range("bag_of_embeddings", config.optimizer)
        assert row.low <= config.learning_rate <= row.high
        study.tell(trial, 0.5)


def test_global_pooling_is_searched_only_for_deep_enough_networks() -> None:
    selector = HyperparameterSelector(Architecture.CNN)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(40):
        trial = study.ask()
        config = selector.suggest(trial)
        assert ("global_pooling" in trial.params) == (config.conv_blocks >= 3)
        assert config.conv_blocks >= 3 or not config.global_pooling
        study.tell(trial, 0.5)
    fixed = HyperparameterSelector(Architecture.CNN, {"conv_blocks": 5, "global_pooling": True})
    assert fixed.suggest(optuna.create_study().ask()).global_pooling


def test_text_encoder_parameters_are_drawn_only_for_their_encoder() -> None:
    selector = HyperparameterSelector(Architecture.LSTM)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    encoders = set()
    for _ in range(30):
        trial = study.ask()
        config = selector.suggest(trial)
        encoders.add(config.text_encoder)
        assert ("lstm_units" in trial.params) == (config.text_encoder == "lstm")
        assert ("conv1d_filters" in trial.params) == (config.text_encoder == "conv1d")
        study.tell(trial, 0.5)
    assert encoders == {"lstm", "bag_of_embeddings", "conv1d"}


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
    assert "lstm_units applies to text models" in text and "lstm_units=32 is ignored" in text
    assert "momentum is only used when optimizer='sgd'" in text
    caplog.clear()
    with caplog.at_level("WARNING", logger="healthtune.search.selector"):
        HyperparameterSelector(Architecture.CNN, {"conv_blocks": 2, "global_pooling": True})
    assert "global_pooling is only used when conv_blocks is 3 or more" in " ".join(caplog.messages)
    caplog.clear()
    with caplog.at_level("WARNING", logger="healthtune.search.selector"):
        HyperparameterSelector(Architecture.CNN, {"optimizer": "sgd", "momentum": 0.9, "filters": 16})
    assert caplog.messages == []


def test_a_categorical_range_is_refused_with_both_valid_forms() -> None:
    with pytest.raises(ConfigError, match=r"fix one value \(filters=value\) or list choices \(filters=a,b\)"):
        validate_overrides({"filters": {"low": 5, "high": 2}})


def test_trial_records_list_the_fixed_parameters_too(tmp_path: object) -> None:
    from healthtune.run.study_records import trial_params

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


def test_augmentation_is_searched_for_colour_images_only(digits: Dataset) -> None:
    colour = dataclasses.replace(
        digits, x_train=np.repeat(digits.x_train, 3, axis=-1), x_val=np.repeat(digits.x_val, 3, axis=-1)
    )
    cases = [(digits, {}, {False}), (colour, {}, {True, False}), (digits, {"augmentation": True}, {True})]
    for dataset, overrides, seen_values in cases:
        selector = HyperparameterSelector.for_dataset(dataset, overrides)
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        seen = set()
        for _ in range(12):
            trial = study.ask()
            seen.add(selector.suggest(trial).augmentation)
            assert ("augmentation" in trial.params) == (dataset is colour)
            study.tell(trial, 0.5)
        assert seen == seen_values
    assert "augmentation" not in HyperparameterSelector.for_dataset(digits).default_params()
