"""Forward-pass compute of a ModelConfig on a dataset, in MFLOPs per example, without building it.

The search uses it to reject architectures too big to train in reasonable time before any
training starts (a 4-block, 512-filter, 5x5 CNN on MNIST takes half an hour per epoch on 2 CPU
cores). One multiply-accumulate counts as 2 FLOPs; normalization, activations and pooling are
left out because convolutions, LSTM cells and dense layers dominate.
"""

from __future__ import annotations

from healthtune.core.config import Architecture
from healthtune.models.cnn import block_filters
from healthtune.models.config import ModelConfig


def forward_mflops(
    config: ModelConfig,
    *,
    input_shape: tuple[int, ...],
    num_classes: int,
    sequence_length: int | None = None,
) -> float:
    """MFLOPs of one forward pass for one example, mirroring the CNN and text builders."""
    length = sequence_length or input_shape[0]
    if config.architecture is Architecture.CNN:
        macs, features = _cnn_macs(config, input_shape)
    elif config.text_encoder == "lstm":
        macs, features = _lstm_macs(config, length)
    elif config.text_encoder == "conv1d":
        macs, features = _conv1d_macs(config, length)
    else:  # a bag of embeddings only averages its word vectors
        macs, features = 0, config.embedding_dim
    for _ in range(config.dense_layers):
        macs += features * config.dense_units
        features = config.dense_units
    macs += features * num_classes
    return 2.0 * macs / 1e6


def _cnn_macs(config: ModelConfig, input_shape: tuple[int, ...]) -> tuple[int, int]:
    height, width, channels = input_shape[0], input_shape[1], input_shape[2] if len(input_shape) > 2 else 1
    macs = 0
    for filters in block_filters(config):
        for _ in range(config.convs_per_block):
            # padding="same": every output pixel sees kernel x kernel x channels inputs
            macs += height * width * config.kernel_size**2 * channels * filters
            channels = filters
        if min(height, width) >= 2:
            height, width = height // 2, width // 2
    features = channels if config.global_pooling else height * width * channels
    return macs, features


def _lstm_macs(config: ModelConfig, sequence_length: int) -> tuple[int, int]:
    directions = 2 if config.bidirectional else 1
    inputs = config.embedding_dim
    macs = 0
    for _ in range(config.lstm_layers):
        # four gates, each a dense map of [input, previous state] to units, at every time step
        macs += directions * sequence_length * 4 * config.lstm_units * (inputs + config.lstm_units)
        inputs = directions * config.lstm_units
    return macs, inputs


def _conv1d_macs(config: ModelConfig, sequence_length: int) -> tuple[int, int]:
    channels = config.embedding_dim
    macs = 0
    for _ in range(config.conv1d_layers):
        # padding="same": every position sees kernel x channels inputs
        macs += sequence_length * config.conv1d_kernel_size * channels * config.conv1d_filters
        channels = config.conv1d_filters
    return macs, channels
