"""Layer categories: each Keras layer type's category, colour, Cytoscape shape and one-line explanation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ACTIVATION_TYPES = ("Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax")
MERGE_TYPES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")
RESHAPE_TYPES = ("Flatten", "Reshape", "Permute", "RepeatVector")
RECURRENT_TYPES = ("LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional")


@dataclass(frozen=True)
class Category:
    """How one family of layers is drawn (colour, Cytoscape node shape) and explained."""

    color: str
    shape: str
    description: str


CATEGORIES: dict[str, Category] = {
    "input": Category("#78909c", "tag", "Where the data enters the network."),
    "conv": Category(
        "#1e88e5", "round-rectangle", "Learned filters slid over the input, one feature map each."
    ),
    "pooling": Category("#00acc1", "vee", "Summarizes windows of each feature map; has no weights."),
    "normalization": Category("#8e24aa", "barrel", "Rescales activations to a steady range."),
    "activation": Category("#fb8c00", "ellipse", "An element-wise non-linearity."),
    "dropout": Category(
        "#9e9e9e", "diamond", "Randomly silences inputs while training, against overfitting."
    ),
    "reshape": Category("#6d4c41", "rhomboid", "Rearranges values without changing them; has no weights."),
    "dense": Category("#43a047", "rectangle", "Fully connected: every unit sees every input."),
    "embedding": Category("#5e35b1", "hexagon", "Looks up a learned vector for each token."),
    "recurrent": Category("#e53935", "concave-hexagon", "Reads a sequence step by step with a memory."),
    "merge": Category("#fdd835", "star", "Joins several branches into one tensor."),
    "model": Category("#3949ab", "round-octagon", "A whole sub-model used as one layer."),
    "other": Category("#bdbdbd", "round-diamond", "A layer without a special drawing."),
}

DESCRIPTIONS: dict[str, str] = {
    "InputLayer": "Where the data enters: the shape of one example, the batch size left open.",
    "Conv1D": "Slides learned filters along the sequence; each filter detects one local pattern.",
    "Conv2D": "Slides small learned filters over the image; each filter detects one local pattern "
    "(an edge, a stroke, a texture) and produces one feature map.",
    "Conv3D": "Slides learned 3D filters over a volume; each filter produces one feature map.",
    "SeparableConv2D": "A depthwise filter per channel, then a 1x1 mix of channels: a cheaper convolution.",
    "DepthwiseConv2D": "One spatial filter per input channel, without mixing channels.",
    "BatchNormalization": "Rescales each channel to zero mean and unit variance over the batch, then learns "
    "a scale and shift: steadier, faster training.",
    "LayerNormalization": "Rescales each example across its features to zero mean and unit variance.",
    "Activation": "Applies the non-linearity element-wise; without it stacked layers collapse into one "
    "linear map.",
    "ReLU": "max(0, x): passes positive values, silences negative ones.",
    "LeakyReLU": "Like ReLU, but lets a small slope through for negative inputs, so units cannot die.",
    "ELU": "Like ReLU for positive inputs, a smooth exponential curve for negative ones.",
    "PReLU": "Like LeakyReLU with a learned negative slope.",
    "Softmax": "Turns scores into probabilities that sum to 1.",
    "MaxPooling1D": "Keeps the largest value of each window: shorter sequence, strongest responses kept.",
    "MaxPooling2D": "Keeps the largest value of each window: halves height and width, keeps the strongest "
    "responses.",
    "AveragePooling2D": "Averages each window: halves height and width, smoothing the feature maps.",
    "GlobalAveragePooling1D": "Averages each feature over all time steps: one number per feature.",
    "GlobalAveragePooling2D": "Averages each feature map to one number: far fewer parameters than flattening.",
    "GlobalMaxPooling1D": "Keeps each feature's largest value over all time steps.",
    "GlobalMaxPooling2D": "Keeps each feature map's largest value: one number per channel.",
    "Dropout": "Zeroes a random share of its inputs while training (never at inference), so the network "
    "cannot rely on any single unit: against overfitting.",
    "SpatialDropout2D": "Drops whole feature maps while training, against overfitting.",
    "WordDropout": "Hides a random share of a text's words while training (they become padding), so the "
    "network learns from all its words instead of a few telling ones; nothing is hidden at inference.",
    "Identity": "Passes its input through unchanged (in a saved text model: where word dropout was while "
    "training).",
    "Flatten": "Unrolls the feature maps into one long vector for the dense layers; no weights.",
    "Reshape": "Gives the values a new shape without changing them.",
    "Dense": "Fully connected: each unit computes a weighted sum of all inputs plus a bias, then its "
    "activation.",
    "Embedding": "Looks up a learned vector for each token id: words become points in a space where similar "
    "words end up close together.",
    "LSTM": "Reads the sequence step by step; a memory cell with input, forget and output gates decides what "
    "to keep.",
    "GRU": "Reads the sequence step by step with a gated memory; a lighter LSTM.",
    "SimpleRNN": "Reads the sequence step by step, feeding its output back in; forgets quickly.",
    "Bidirectional": "Runs its recurrent layer forwards and backwards over the sequence and joins both "
    "readings.",
    "Add": "Adds its inputs element-wise: joins branches, for example a residual (skip) connection.",
    "Concatenate": "Puts its inputs side by side along the last axis: joins branches.",
    "Multiply": "Multiplies its inputs element-wise, for example a gate.",
    "Average": "Averages its inputs element-wise.",
    "Maximum": "Keeps the element-wise maximum of its inputs.",
    "Subtract": "Subtracts its second input from its first.",
}


def categorize(layer: Any) -> str:
    """The category of a Keras layer (or operation) from its class, e.g. Conv2D -> conv."""
    import keras

    kind = type(layer).__name__
    if isinstance(layer, keras.Model):
        return "model"
    if kind == "InputLayer":
        return "input"
    if kind.startswith("ConvLSTM") or kind in RECURRENT_TYPES:
        return "recurrent"
    if "Conv" in kind:
        return "conv"
    if "Pooling" in kind:
        return "pooling"
    if "Normalization" in kind:
        return "normalization"
    if kind in ACTIVATION_TYPES:
        return "activation"
    if "Dropout" in kind:
        return "dropout"
    if kind in RESHAPE_TYPES or kind.startswith(("Cropping", "ZeroPadding", "UpSampling")):
        return "reshape"
    if kind in ("Dense", "EinsumDense"):
        return "dense"
    if kind == "Embedding":
        return "embedding"
    if kind in MERGE_TYPES:
        return "merge"
    return "other"


def describe(layer_type: str, category: str) -> str:
    """One line on what the layer does, falling back to its category's explanation."""
    return DESCRIPTIONS.get(layer_type, CATEGORIES.get(category, CATEGORIES["other"]).description)


def legend(types: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """One entry per distinct (layer_type, category) present, in order of first appearance."""
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for layer_type, category in types:
        if layer_type in seen:
            continue
        seen.add(layer_type)
        style = CATEGORIES.get(category, CATEGORIES["other"])
        entries.append(
            {
                "type": layer_type,
                "category": category,
                "color": style.color,
                "shape": style.shape,
                "description": describe(layer_type, category),
            }
        )
    return entries
