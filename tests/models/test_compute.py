"""forward_mflops agrees with a count taken from the layers of the model the builders make."""

from __future__ import annotations

import numpy as np
import pytest

from healthtune.core.config import Architecture
from healthtune.data.base import DataKind, Dataset
from healthtune.models import ModelConfig, build_model
from healthtune.models.compute import forward_mflops


def _dataset(kind: DataKind, shape: tuple[int, ...]) -> Dataset:
    x = np.zeros((2, *shape), dtype="float32" if kind is DataKind.IMAGE else "int32")
    y = np.arange(2) % 2
    return Dataset(
        "tiny", kind, ("a", "b"), x, y, x, y, x, y,
        vocab_size=40 if kind is DataKind.TEXT else None,
        sequence_length=shape[0] if kind is DataKind.TEXT else None,
    )  # fmt: skip


def _counted_mflops(model: object, sequence_length: int | None) -> float:
    """Multiply-accumulates read off the built layers' weights and output shapes."""
    macs = 0
    for layer in model.layers:  # type: ignore[attr-defined]
        kind = type(layer).__name__
        if kind == "Conv2D":
            height, width = layer.output.shape[1:3]
            macs += height * width * int(np.prod(layer.kernel.shape))
        elif kind == "Conv1D":
            macs += layer.output.shape[1] * int(np.prod(layer.kernel.shape))
        elif kind == "Dense":
            macs += int(np.prod(layer.kernel.shape))
        elif kind in ("LSTM", "Bidirectional"):
            for cell_weights in (w for w in layer.weights if "bias" not in w.path):
                macs += int(np.prod(cell_weights.shape)) * (sequence_length or 0)
    return 2.0 * macs / 1e6


@pytest.mark.parametrize(
    ("shape", "values"),
    [
        ((28, 28, 1), {}),
        ((32, 32, 3), {"conv_blocks": 3, "kernel_size": 5, "filter_growth": 1.5, "global_pooling": True}),
        ((8, 8, 1), {"conv_blocks": 4, "convs_per_block": 1, "dense_layers": 2}),
    ],
)
def test_cnn_estimate_matches_the_built_layers(shape: tuple[int, ...], values: dict[str, object]) -> None:
    config = ModelConfig(**values)  # type: ignore[arg-type]
    model = build_model(config, _dataset(DataKind.IMAGE, shape), total_steps=1)
    estimate = forward_mflops(config, input_shape=shape, num_classes=2)
    assert estimate == pytest.approx(_counted_mflops(model, None), rel=1e-9)


@pytest.mark.parametrize(
    "values",
    [
        {"text_encoder": "lstm"},
        {"text_encoder": "lstm", "lstm_layers": 2, "bidirectional": False, "dense_layers": 0},
        {"text_encoder": "bag_of_embeddings", "dense_layers": 1},
        {"text_encoder": "conv1d", "conv1d_layers": 2, "conv1d_kernel_size": 3},
    ],
)
def test_text_estimate_matches_the_built_layers(values: dict[str, object]) -> None:
    config = ModelConfig(architecture=Architecture.LSTM, **values)  # type: ignore[arg-type]
    model = build_model(config, _dataset(DataKind.TEXT, (30,)), total_steps=1)
    estimate = forward_mflops(config, input_shape=(30,), num_classes=2, sequence_length=30)
    assert estimate == pytest.approx(_counted_mflops(model, 30), rel=1e-9)


def test_the_default_cnn_on_mnist_is_far_below_the_default_limit() -> None:
    from healthtune.core.config import OptimizationConfig

    default = forward_mflops(ModelConfig(), input_shape=(28, 28, 1), num_classes=10)
    largest = forward_mflops(
        ModelConfig(conv_blocks=4, filters=64, kernel_size=5), input_shape=(28, 28, 1), num_classes=10
    )
    limit = OptimizationConfig(dataset="digits").max_model_mflops
    assert default < limit / 3 < limit < largest
