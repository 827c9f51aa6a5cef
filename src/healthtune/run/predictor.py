"""Predict with a run's model on raw images or texts, prepared exactly as its training data was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from healthtune.core import native_logs
from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.core.paths import OPTIMIZED_DIR, PREPROCESSING_FILE, SUMMARY_FILE, TrialPaths
from healthtune.data.preprocessing import (
    check_record,
    describe_preprocessing,
    prepare_inputs,
    with_model_channels,
)

PREDICT_BATCH_SIZE = 256


class Predictor:
    """A run's Keras model with its input preparation and class names.

    `predict(["oil prices rose"])` gives class names, `predict_proba(...)` the probabilities;
    images may be file paths, PIL images or arrays (uint8, or floats in [0, 1]) of any size.
    """

    def __init__(self, model: Any, preprocessing: dict[str, Any]) -> None:
        self.model = model
        self.preprocessing = preprocessing
        self.kind: str = preprocessing["kind"]
        self.class_names: tuple[str, ...] = tuple(preprocessing["class_names"])

    def prepare(self, inputs: Any) -> npt.NDArray[Any]:
        """The batch the model takes: images scaled to [0, 1] and resized, texts tokenized and padded."""
        return prepare_inputs(self.preprocessing, inputs)

    def predict_proba(self, inputs: Any, *, batch_size: int = PREDICT_BATCH_SIZE) -> npt.NDArray[np.float32]:
        """(n, classes) probabilities, columns in the order of `class_names`."""
        from healthtune.training.feeding import predict

        return np.asarray(predict(self.model, self.prepare(inputs), batch_size), dtype=np.float32)

    def predict(self, inputs: Any, *, batch_size: int = PREDICT_BATCH_SIZE) -> list[str]:
        """The most likely class name of each input."""
        probabilities = self.predict_proba(inputs, batch_size=batch_size)
        return [self.class_names[i] for i in np.argmax(probabilities, axis=1)]


def load_predictor(path: str | Path) -> Predictor:
    """The Predictor of a run directory (its best model), its optimized_model/ or the .keras file in
    it, or a trial directory (trials/trial_N): `healthtune.load_predictor(result.run_dir)`."""
    import keras

    model_file = find_model_file(Path(path).expanduser())
    preprocessing = load_preprocessing(model_file)
    if keras.backend.backend() == "tensorflow":
        native_logs.absorb_onednn_dtype_notice()  # an LSTM's mask would log a false-looking error
    model = keras.saving.load_model(model_file)
    return Predictor(model, with_model_channels(preprocessing, model.input_shape[-1]))


def find_model_file(path: Path) -> Path:
    """The .keras file `path` names or holds (a run directory means its optimized model)."""
    if path.is_file():
        if path.suffix != ".keras":
            raise ConfigError(f"{path} is not a .keras model file")
        return path
    if not path.is_dir():
        raise ConfigError(
            f"{path} does not exist; give a run directory, its optimized_model/ or a .keras file"
        )
    if (path / OPTIMIZED_DIR).is_dir():
        path = path / OPTIMIZED_DIR
    summary = path / SUMMARY_FILE
    if summary.is_file():
        return path / str(json.loads(summary.read_text(encoding="utf-8"))["model_file"])
    if (trial_model := TrialPaths(path).model).is_file():
        return trial_model
    raise ConfigError(
        f"{path} holds no model: give a finished run's directory, its {OPTIMIZED_DIR}/, a trial directory "
        "or a .keras file"
    )


def load_preprocessing(model_file: Path) -> dict[str, Any]:
    """The preprocessing record next to the model or in its run directory; runs from before it was
    written get it rebuilt from the trial's data settings (which loads the dataset once)."""
    folders = [model_file.parent, *model_file.parents[1:3]]
    for folder in folders:
        record_file = folder / PREPROCESSING_FILE
        if record_file.is_file():
            return check_record(json.loads(record_file.read_text(encoding="utf-8")), record_file)
    config_file = TrialPaths(model_file.parent).config
    if not config_file.is_file():
        raise DatasetError(
            f"no {PREPROCESSING_FILE} for {model_file} (looked in {', '.join(str(f) for f in folders)})"
        )
    from healthtune.training.spec import DataSpec, load_trial_data

    data = json.loads(config_file.read_text(encoding="utf-8"))["spec"]["data"]
    return describe_preprocessing(load_trial_data(DataSpec(**data)))
