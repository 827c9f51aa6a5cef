"""Search the user's own model: `model_fn` = "module:function" or "path/to/file.py:function", `build(trial, info)`."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from healthtune.core.exceptions import ConfigError, TrialFailed

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
DEFAULT_LEARNING_RATE = 1e-3
"""An uncompiled user model is compiled with Adam at this rate, sparse categorical cross-entropy and accuracy."""


@dataclass(frozen=True)
class ModelInfo:
    """What `build(trial, info)` is told about the data: enough to shape its input and output layers."""

    input_shape: tuple[int, ...]
    num_classes: int
    kind: str  # "image" or "text"
    class_names: tuple[str, ...]
    vocab_size: int | None = None  # text: embedding input size (0 = padding, 1 = out of vocabulary)
    sequence_length: int | None = None  # text: word indexes per example


def check_model_fn(value: str) -> None:
    """The form `module:function` or `file.py:function` (no import: validation does no I/O)."""
    where, _, function = value.rpartition(":")
    module_like = where.endswith(".py") or bool(_NAME.match(where))
    if not where or not module_like or not _NAME.match(function):
        raise ConfigError(
            f"model_fn must be 'module:function' or 'path/to/file.py:function', got model_fn={value!r}"
        )


def model_fn_path(function: Callable[..., Any]) -> str:
    """The importable name of a Python function, so worker processes can load it again."""
    module = getattr(function, "__module__", None)
    name = getattr(function, "__qualname__", "")
    if not module or not name or "<" in name:
        raise ConfigError(
            f"model_fn must be a module-level function (workers import it by name), got {function!r}"
        )
    if module == "__main__":
        main_file = getattr(sys.modules["__main__"], "__file__", None)
        if not main_file:
            raise ConfigError("model_fn defined in an interactive session cannot be imported by workers: "
                              "put it in a .py file and pass 'path/to/file.py:function'")  # fmt: skip
        return f"{Path(main_file).resolve()}:{name}"
    return f"{module}:{name}"


def load_model_fn(value: str) -> Callable[..., Any]:
    """Import the function; a ConfigError says what went wrong (file, module or name)."""
    check_model_fn(value)
    where, _, function = value.rpartition(":")
    try:
        if where.endswith(".py"):
            path = Path(where).expanduser().resolve()
            if not path.is_file():
                raise ConfigError(f"model_fn: no file {str(path)!r}")
            spec = importlib.util.spec_from_file_location(f"healthtune_user_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise ConfigError(f"model_fn: cannot import {str(path)!r}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except ConfigError:
        raise
    except Exception as error:
        raise ConfigError(
            f"model_fn {value!r}: importing it failed: {type(error).__name__}: {error}"
        ) from error
    target: Any = module
    for part in function.split("."):
        target = getattr(target, part, None)
    if not callable(target):
        raise ConfigError(f"model_fn {value!r}: {where} has no function {function!r}")
    return target  # type: ignore[no-any-return]


def model_info(dataset: Any) -> ModelInfo:
    return ModelInfo(
        input_shape=tuple(int(n) for n in dataset.input_shape),
        num_classes=int(dataset.num_classes),
        kind=dataset.kind.value,
        class_names=tuple(dataset.class_names),
        vocab_size=dataset.vocab_size,
        sequence_length=dataset.sequence_length,
    )


def build_user_model(function: Callable[..., Any], trial: Any, info: ModelInfo) -> Any:
    """Call `function(trial, info)`; check it gave a Keras classifier with one output per class and compile
    it when the user did not (a compiled model keeps its optimizer, loss and metrics; accuracy is added)."""
    import keras

    try:
        model = function(trial, info)
    except Exception as error:
        raise TrialFailed(f"model_fn failed: {type(error).__name__}: {error}") from error
    if not isinstance(model, keras.Model):
        raise TrialFailed(f"model_fn must return a keras.Model, got {type(model).__name__}")
    outputs = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
    if outputs is not None and outputs != info.num_classes:
        raise TrialFailed(f"model_fn's model has {outputs} outputs; the data has {info.num_classes} classes")
    if not model.compiled:
        model.compile(optimizer=keras.optimizers.Adam(DEFAULT_LEARNING_RATE),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
    elif "accuracy" not in _metric_names(model):
        model.compile(optimizer=model.optimizer, loss=model.loss, metrics=["accuracy"])
    return model


def _metric_names(model: Any) -> set[str]:
    config: Mapping[str, Any] = model.get_compile_config() or {}
    metrics = config.get("metrics") or []
    return {m if isinstance(m, str) else str(getattr(m, "name", m)) for m in metrics}


def fixed_trial(params: Mapping[str, Any]) -> Any:
    """An Optuna trial that answers every suggest_* call with the value the orchestrator recorded."""
    import optuna

    return optuna.trial.FixedTrial(dict(params))
