"""Searching the user's own model function: from a file path, on the local and inline executors, with
plots and a working predictor; the function's mistakes are clear errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import healthtune
from healthtune import OptimizationConfig
from healthtune.core.exceptions import ConfigError
from healthtune.data.base import Dataset
from healthtune.search.user_model import check_model_fn, load_model_fn, model_fn_path

MODEL_FILE = textwrap.dedent('''
    import keras
    from keras import layers


    def build(trial, info):
        """A small functional CNN with a residual add; compiled by healthtune (it is returned uncompiled)."""
        inputs = keras.Input(info.input_shape)
        x = layers.Conv2D(trial.suggest_categorical("filters", [8, 16]), 3, padding="same", activation="relu")(inputs)
        x = layers.Add()([x, layers.Conv2D(x.shape[-1], 3, padding="same", activation="relu")(x)])
        x = layers.Flatten()(x)
        x = layers.Dense(trial.suggest_int("units", 16, 64, log=True), activation="relu")(x)
        return keras.Model(inputs, layers.Dense(info.num_classes, activation="softmax")(x))


    def compiled(trial, info):
        model = build(trial, info)
        model.compile(optimizer=keras.optimizers.SGD(trial.suggest_float("lr", 0.01, 0.1, log=True), momentum=0.9),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model


    def not_a_model(trial, info):
        return "a model"
''')


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_models.py"
    path.write_text(MODEL_FILE)
    return path


@pytest.mark.parametrize("executor", ["inline", "local"])
def test_a_user_model_function_is_searched_like_a_built_in_model(
    model_file: Path, tmp_path: Path, digits: Dataset, executor: str
) -> None:
    config = OptimizationConfig(dataset="digits", results_root=tmp_path / "runs", run_name=f"own_{executor}", trials=3,
                                max_epochs_per_trial=2, executor=executor, plot_mode="best", tensorboard=False)  # fmt: skip
    result = healthtune.optimize(config, model_fn=f"{model_file}:build")
    assert [t.state for t in result.trials] == ["complete"] * 3
    assert all({"filters", "units"} == set(t.params) for t in result.trials)
    assert result.config["model_fn"] == f"{model_file}:build"
    best = result.best_trial
    assert best is not None and best.metrics["health"] and best.metrics["val_accuracy"] > 0.5
    trial_dir = result.run_dir / "trials" / f"trial_{best.number}"
    assert (trial_dir / "architecture.json").is_file()
    assert len(list((trial_dir / "plots").glob("*.png"))) >= 10
    predictor = healthtune.load_predictor(result.run_dir)
    predicted = predictor.predict(digits.x_test[:20])
    assert np.mean(np.array(predicted) == np.array([digits.class_names[k] for k in digits.y_test[:20]])) > 0.5


def test_a_compiled_user_model_keeps_its_optimizer_and_a_bad_one_fails_its_trials(
    model_file: Path, tmp_path: Path
) -> None:
    config = OptimizationConfig(dataset="digits", results_root=tmp_path / "runs", trials=2, max_epochs_per_trial=1,
                                executor="inline", plot_mode="none", tensorboard=False, max_consecutive_failures=2)  # fmt: skip
    result = healthtune.optimize(config, model_fn=f"{model_file}:compiled")
    assert all("lr" in t.params for t in result.trials) and result.best_trial is not None
    bad = OptimizationConfig(**{**config.to_dict(), "run_name": "bad"})
    with pytest.raises(
        healthtune.HealthtuneError, match=r"2 trials failed in a row|model_fn must return a keras.Model"
    ):
        healthtune.optimize(bad, model_fn=f"{model_file}:not_a_model")


def test_model_fn_names_are_checked_without_importing(model_file: Path) -> None:
    check_model_fn("my_package.models:build")
    check_model_fn(f"{model_file}:build")
    for wrong in ("build", "my models:build", "pkg:", ":build", "dir/file.txt:build"):
        with pytest.raises(ConfigError, match="model_fn must be 'module:function'"):
            OptimizationConfig(model_fn=wrong)
    with pytest.raises(ConfigError, match="has no function 'nope'"):
        load_model_fn(f"{model_file}:nope")
    with pytest.raises(ConfigError, match="no file"):
        load_model_fn("/no/such/file.py:build")
    with pytest.raises(ConfigError, match="importing it failed: ModuleNotFoundError"):
        load_model_fn("no_such_module_anywhere:build")
    with pytest.raises(ConfigError, match="module-level function"):
        model_fn_path(lambda trial, info: None)
    assert model_fn_path(check_model_fn) == "healthtune.search.user_model:check_model_fn"
