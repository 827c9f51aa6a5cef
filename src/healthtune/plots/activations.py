"""What units do: CNN feature maps / LSTM hidden states for one test example, and dormant units per layer."""

from __future__ import annotations

import copy
import logging
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.data.base import DataKind
from healthtune.health.probes import ACTIVATION_LAYERS, RECURRENT_LAYERS
from healthtune.plots.base import TrialPlot, short, token_words
from healthtune.plots.context import PlotContext

logger = logging.getLogger(__name__)

FEATURE_MAPS = 15
"""Feature maps (channels) shown next to the input image."""
MAX_UNITS = 128
"""Hidden units shown in the LSTM heatmap (a bidirectional layer: half from each direction)."""
WORD_TICKS_MAX = 40
"""Time steps are labelled with their words up to this many steps."""


def model_inputs(model: Any) -> Any:
    """The model's input tensor (or list of them), for sub-models that share its layers."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def _numpy(value: Any) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)


def feature_layer(model: Any) -> Any:
    """The first conv block's activation: `act_1`, else the first conv layer's own non-linearity, else the
    first activation layer right after it, else the conv layer itself."""
    layers = [layer for layer in model.layers if _is_4d(layer)]
    named = [layer for layer in layers if layer.name == "act_1"]
    if named:
        return named[0]
    convs = [index for index, layer in enumerate(layers) if type(layer).__name__.startswith("Conv")]
    if not convs:
        return next((layer for layer in layers if type(layer).__name__ in ACTIVATION_LAYERS), None)
    conv = layers[convs[0]]
    if getattr(getattr(conv, "activation", None), "__name__", "linear") != "linear":
        return conv
    for layer in layers[convs[0] + 1 :]:
        if type(layer).__name__.startswith("Conv"):
            break
        if type(layer).__name__ in ACTIVATION_LAYERS:
            return layer
    return conv


def _is_4d(layer: Any) -> bool:
    try:
        return len(layer.output.shape) == 4
    except (AttributeError, ValueError):  # a layer never called in a graph has no output
        return False


def recurrent_layer(model: Any) -> Any:
    layers = [layer for layer in model.layers if type(layer).__name__ in RECURRENT_LAYERS]
    return layers[-1] if layers else None


def rnn_name(layer: Any) -> str:
    """`LSTM`, `GRU`, ... or `bidirectional LSTM`."""
    inner = getattr(layer, "forward_layer", None)
    return f"bidirectional {type(inner).__name__}" if inner is not None else type(layer).__name__


def sequence_twin(layer: Any, input_shape: tuple[int | None, ...]) -> Any:
    """A copy of a recurrent layer with the same weights that returns its hidden state at every step."""
    config = copy.deepcopy(layer.get_config())
    if type(layer).__name__ == "Bidirectional":
        config["layer"]["config"]["return_sequences"] = True
        if config.get("backward_layer"):
            config["backward_layer"]["config"]["return_sequences"] = True
    else:
        config["return_sequences"] = True
    twin = type(layer).from_config(config)
    twin.build(input_shape)
    twin.set_weights(layer.get_weights())
    return twin


def hidden_states(model: Any, layer: Any, example: np.ndarray) -> tuple[np.ndarray, float | None]:
    """(time steps x units) hidden states of `layer` for one example, and the largest difference between
    the twin's final state and the layer's own output (None when the layer returns sequences itself)."""
    import keras

    inputs = layer.input if isinstance(layer.input, list | tuple) else [layer.input]
    sequence = next(t for t in inputs if len(t.shape) == 3)
    masks = [t for t in inputs if len(t.shape) == 2 and "bool" in str(t.dtype)]
    probe = keras.Model(model_inputs(model), [sequence, *masks[:1], layer.output])
    values = probe(example, training=False)
    sequence_value, output = values[0], values[-1]
    mask = values[1] if masks else None
    twin = sequence_twin(layer, tuple(sequence.shape))
    states = _numpy(twin(sequence_value, mask=mask, training=False))[0]
    output_value = _numpy(output)[0]
    if output_value.ndim == 2:  # the layer returns sequences already: the twin is only a check
        return output_value, None
    valid = np.flatnonzero(_numpy(mask)[0]) if mask is not None else np.arange(states.shape[0])
    first, last = (int(valid[0]), int(valid[-1])) if valid.size else (0, states.shape[0] - 1)
    if type(layer).__name__ == "Bidirectional":  # the backward half ends at the first step
        half = states.shape[1] // 2
        final = np.concatenate([states[last, :half], states[first, half:]])
    else:
        final = states[last]
    return states, float(np.max(np.abs(final - output_value)))


class ActivationMapsPlot(TrialPlot):
    name = "activation_maps"
    title = "Activation maps"
    caption = "CNN: where each filter of the first block fires on one test image. LSTM: its hidden units word by word."
    image_caption = (
        "Each map shows where one filter fires on the input (same color scale for all; yellow = strong). "
        "An all-dark map is a channel that never fires: a dormant unit."
    )
    text_caption = (
        "Rows: units, columns: words. Units that change color where a telling word appears carry the "
        "signal; a row that stays flat all along is a unit that does nothing for this text."
    )

    def applies_to(self, context: PlotContext) -> bool:
        if len(context.dataset.y_test) == 0:
            return False
        if context.dataset.kind is DataKind.IMAGE:
            return feature_layer(context.model) is not None
        return recurrent_layer(context.model) is not None

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        if context.dataset.kind is DataKind.IMAGE:
            return self._feature_maps(context)
        return self._hidden_states(context)

    def _feature_maps(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        import keras

        layer = feature_layer(context.model)
        index = 0
        image = context.dataset.x_test[index : index + 1]
        maps = _numpy(keras.Model(model_inputs(context.model), layer.output)(image, training=False))[0]
        channels = maps.shape[-1]
        shown = list(range(min(FEATURE_MAPS, channels)))
        names = context.dataset.class_names
        true, predicted = int(context.dataset.y_test[index]), int(context.test_predictions[index])
        figure = self.figure(
            f"Feature maps of `{layer.name}` ({len(shown)} of {channels} channels), test image #{index}",
            self.image_caption,
        )
        grid = figure.add_gridspec(3, 7)
        axes = figure.add_subplot(grid[:, :2])
        pixels = image[0]
        axes.imshow(
            pixels[..., 0] if pixels.shape[-1] == 1 else pixels,
            cmap="gray" if pixels.shape[-1] == 1 else None,
        )
        axes.set_title(
            f"input\ntrue: {short(names[true], 12)}\npredicted: {short(names[predicted], 12)}", fontsize=8
        )
        axes.axis("off")
        low, high = float(maps.min()), float(maps.max())
        for position, channel in enumerate(shown):
            panel = figure.add_subplot(grid[position // 5, 2 + position % 5])
            panel.imshow(maps[..., channel], cmap="viridis", vmin=low, vmax=high if high > low else low + 1)
            dead = " (0)" if not np.any(maps[..., channel]) else ""
            panel.set_title(f"ch {channel}{dead}", fontsize=7)
            panel.axis("off")
        data = {
            "kind": "feature_maps",
            "caption": self.image_caption,
            "layer": layer.name,
            "example_index": index,
            "true_label": names[true],
            "predicted_label": names[predicted],
            "map_shape": list(maps.shape),
            "channels_shown": shown,
            "mean_activation": maps.mean(axis=(0, 1)),
            "maps": [maps[..., channel] for channel in shown],
            "input": pixels[..., 0] if pixels.shape[-1] == 1 else pixels,
        }
        return figure, data

    def _hidden_states(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        layer = recurrent_layer(context.model)
        tokens = np.asarray(context.dataset.x_test)
        lengths = (tokens != 0).sum(axis=1)
        index = int(np.argmax(lengths >= min(5, int(lengths.max()))))  # the first text of 5+ words
        example = tokens[index : index + 1]
        words = token_words(context.dataset.extras.get("vocabulary"), example[0], keep_padding=True)
        present = np.flatnonzero(example[0])
        steps = int(present[-1]) + 1 if present.size else len(words)  # up to the last word, not the padding
        kind = "hidden_states"
        try:
            states, difference = hidden_states(context.model, layer, example)
            states = states[:steps]
            what = (
                f"hidden state of `{layer.name}` at every word (same weights, run with return_sequences=True)"
            )
        except Exception:  # an exotic recurrent layer: show something honest instead
            logger.info("hidden states of %s unavailable; showing embedding norms", layer.name, exc_info=True)
            states, difference, kind = (
                self._embedding_norms(context, example)[:steps],
                None,
                "embedding_norms",
            )
            what = "L2 norm of each word's embedding (hidden states unavailable for this layer)"
        units = states.shape[1]
        rows = list(range(units))
        if units > MAX_UNITS:
            half = units // 2
            rows = (
                list(range(MAX_UNITS // 2)) + list(range(half, half + MAX_UNITS // 2))
                if type(layer).__name__ == "Bidirectional"
                else list(range(MAX_UNITS))
            )
        shown = states[:, rows]
        names = context.dataset.class_names
        true, predicted = int(context.dataset.y_test[index]), int(context.test_predictions[index])
        figure = self.figure(
            f"{rnn_name(layer)} at work: test text #{index} (true: {names[true]}, predicted: {names[predicted]})",
            self.text_caption,
        )
        axes = figure.subplots()
        limit = float(np.max(np.abs(shown))) or 1.0
        image = axes.imshow(
            shown.T,
            aspect="auto",
            cmap="RdBu_r",
            vmin=-limit if kind == "hidden_states" else 0,
            vmax=limit,
            interpolation="nearest",
        )
        figure.colorbar(
            image, ax=axes, shrink=0.85, label="activation" if kind == "hidden_states" else "norm"
        )
        axes.set_title(what, fontsize=9)
        if steps <= WORD_TICKS_MAX:
            axes.set_xticks(range(steps), [short(w, 10) for w in words[:steps]], rotation=90, fontsize=7)
        axes.set_xlabel("time step (word)" + ("" if steps <= WORD_TICKS_MAX else " index"))
        half = units // 2 if type(layer).__name__ == "Bidirectional" and kind == "hidden_states" else 0
        axes.set_ylabel("unit" + (f" (0-{len(rows) // 2 - 1} forward, then backward)" if half else ""))
        data = {
            "kind": kind,
            "caption": self.text_caption,
            "layer": layer.name,
            "example_index": index,
            "true_label": names[true],
            "predicted_label": names[predicted],
            "words": words[:steps],
            "units_shown": rows,
            "states": shown,
            "final_state_difference": difference,
        }
        return figure, data

    @staticmethod
    def _embedding_norms(context: PlotContext, example: np.ndarray) -> np.ndarray:
        import keras

        embedding = next(layer for layer in context.model.layers if type(layer).__name__ == "Embedding")
        embed = keras.Model(model_inputs(context.model), embedding.output)
        vectors = _numpy(embed(example, training=False))[0]
        return np.asarray(np.linalg.norm(vectors, axis=-1, keepdims=True))
