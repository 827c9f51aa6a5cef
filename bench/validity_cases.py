"""Planted health cases for bench/health_validity.py: three real datasets and models with known pathologies.

Each case builds a compiled Keras model (through healthtune's own builders where a ModelConfig can
express it) and says which metric must flag it. Healthy references have no expected metric.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
BENCH_DATA_DIR = Path(os.environ.get("HEALTHTUNE_BENCH_DATA_DIR", "/tmp/healthtune-bench-data"))
NOISY_SHARE = 0.4  # share of training labels shuffled in the noisy-labels case
OVERFIT_EXAMPLES = 100  # training examples left to the overfitting case


@dataclass(frozen=True)
class Setting:
    """How a dataset is trained: its data and the epochs and batch size the references need."""

    name: str
    data: Any
    epochs: int
    batch_size: int


@dataclass(frozen=True)
class Planted:
    model: Any
    data: Any
    epochs: int
    batch_size: int


@dataclass(frozen=True)
class Case:
    name: str
    expected: str | None  # the metric that must flag it; None for a healthy reference
    plant: Callable[[Setting, int], Planted]


def load_setting(name: str) -> Setting:
    """digits (all of it), 6,000-image Fashion-MNIST and MNIST subsets, Reuters R8 (4,000 texts, 5,000 words)."""
    from healthtune.data import import_dataset, list_datasets, load_dataset

    if name == "digits":
        return Setting(name, load_dataset("digits", validation_split=0.2, seed=0), 10, 32)
    if name in ("fashion", "mnist"):  # mnist held out: no rule or weight was chosen on it (December 4, 2026)
        registered, folder = {"fashion": ("fashion_mnist", "fashion-mnist"), "mnist": ("mnist", "mnist")}[
            name
        ]
        if not {i.name: i.cached for i in list_datasets(BENCH_DATA_DIR)}.get(registered):
            import_dataset(registered, SHARED / folder, BENCH_DATA_DIR)
        data = load_dataset(
            registered, validation_split=0.2, seed=0, max_samples=6000, data_dir=BENCH_DATA_DIR
        )
        return Setting(name, data, 6, 64)
    if name == "reuters":
        data = load_dataset(f"csv:{SHARED / 'reuters-r8'}", validation_split=0.2, seed=0, max_samples=4000,
                            vocab_size=5000, sequence_length=100)  # fmt: skip
        return Setting(name, data, 6, 64)
    raise ValueError(f"unknown dataset {name!r}; choose digits, fashion, mnist or reuters")


def _configured(**overrides: Any) -> Callable[[Setting, int], Planted]:
    """A model healthtune's own builders make from ModelConfig(**overrides) (LSTM for text)."""

    def plant(setting: Setting, seed: int) -> Planted:
        from healthtune.models import ModelConfig, architecture_for, build_model

        config = ModelConfig(architecture=architecture_for(setting.data), **overrides)
        steps = setting.epochs * -(-len(setting.data.y_train) // setting.batch_size)
        return Planted(build_model(config, setting.data, total_steps=steps), setting.data, setting.epochs,
                       setting.batch_size)  # fmt: skip

    return plant


def _hand_built(
    layers_for: Callable[[Any], list[Any]], optimizer: Callable[[], Any]
) -> Callable[[Setting, int], Planted]:
    """A hand-built network: the input (embedding + average for text), `layers_for(keras.layers)`, softmax."""

    def plant(setting: Setting, seed: int) -> Planted:
        import keras
        from keras import layers

        data = setting.data
        stem = [keras.Input(data.input_shape)]
        if data.vocab_size is not None:
            stem += [layers.Embedding(data.vocab_size, 32), layers.GlobalAveragePooling1D()]
        else:
            stem += [layers.Flatten()]
        model = keras.Sequential(
            [*stem, *layers_for(layers), layers.Dense(data.num_classes, activation="softmax")]
        )
        model.compile(optimizer=optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return Planted(model, data, setting.epochs, setting.batch_size)

    return plant


def _with_data(base: Callable[[Setting, int], Planted], change: Callable[[Any, int], Any],
               epochs: int | None = None, batch_size: int | None = None) -> Callable[[Setting, int], Planted]:  # fmt: skip
    """`base` trained on changed data (fewer examples, shuffled labels) and possibly longer."""

    def plant(setting: Setting, seed: int) -> Planted:
        changed = dataclasses.replace(
            setting, data=change(setting.data, seed), epochs=epochs or setting.epochs,
            batch_size=batch_size or setting.batch_size,
        )  # fmt: skip
        return base(changed, seed)

    return plant


def shuffled_labels(data: Any, seed: int) -> Any:
    """NOISY_SHARE of the training labels shuffled among themselves; validation and test stay clean."""
    rng = np.random.default_rng(seed)
    y = data.y_train.copy()
    picked = rng.choice(len(y), int(NOISY_SHARE * len(y)), replace=False)
    y[picked] = rng.permutation(y[picked])
    return dataclasses.replace(data, y_train=y)


def few_examples(data: Any, seed: int) -> Any:
    """The first OVERFIT_EXAMPLES training examples (the split is already shuffled and stratified)."""
    return dataclasses.replace(
        data, x_train=data.x_train[:OVERFIT_EXAMPLES], y_train=data.y_train[:OVERFIT_EXAMPLES]
    )


def _sgd(rate: float, momentum: float = 0.0) -> Callable[[], Any]:
    def make() -> Any:
        import keras

        return keras.optimizers.SGD(learning_rate=rate, momentum=momentum)

    return make


UNREGULARIZED = {
    "conv_dropout": 0.0,
    "dense_dropout": 0.0,
    "lstm_dropout": 0.0,
    "word_dropout": 0.0,
    "weight_decay": 0.0,
}
CASES = [
    Case("reference", None, _configured()),
    Case("small", None, _configured(filters=16, dense_units=32, embedding_dim=16)),
    Case("low_lr", "convergence_quality", _configured(learning_rate=1e-6, lr_schedule="constant")),
    # issue 20's network for images (3 blocks of 3 tanh convolutions, 4 dense layers, no batch norm);
    # for text the default encoder under the same head; both trained by plain SGD at 1e-3
    Case("stalled", "training_stability", _configured(
        conv_blocks=3, convs_per_block=3, batch_norm=False, activation="tanh", dense_layers=4, optimizer="sgd",
        learning_rate=1e-3, momentum=0.0, lr_schedule="constant", **UNREGULARIZED)),
    Case("diverging", "training_stability", _configured(
        batch_norm=False, optimizer="sgd", learning_rate=10.0, momentum=0.99, lr_schedule="constant")),
    Case("dying_relu", "neuron_utilization", _configured(
        batch_norm=False, learning_rate=0.02, lr_schedule="constant", dense_layers=2, **UNREGULARIZED)),
    Case("vanishing", "gradient_health", _hand_built(
        lambda layers: [layers.Dense(64, activation="sigmoid") for _ in range(10)], _sgd(0.05, 0.9))),
    Case("overfitting", "convergence_quality", _with_data(
        _configured(batch_norm=False, dense_layers=2, dense_units=1024, lr_schedule="constant", **UNREGULARIZED),
        few_examples, epochs=40, batch_size=16)),
    Case("bloat", "parameter_efficiency", _configured(dense_layers=2, dense_units=2560, embedding_dim=512)),
    Case("noisy_labels", "convergence_quality", _with_data(_configured(), shuffled_labels)),
]  # fmt: skip
