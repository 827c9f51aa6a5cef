"""Misclassified test examples, most confident mistakes first: an image grid or text snippets."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.data.base import DataKind
from healthtune.plots.base import TrialPlot, short, token_words
from healthtune.plots.context import PlotContext

MAX_IMAGES = 16
MAX_TEXTS = 6
SNIPPET_WORDS = 40
"""Words of each misclassified text shown (the JSON holds the same snippet)."""
WRAP_CHARS = 120
SNIPPET_LINES = 3


def mistakes(context: PlotContext, limit: int) -> list[dict[str, Any]]:
    """The `limit` most confident wrong test predictions."""
    y_true = np.asarray(context.dataset.y_test)
    predicted = context.test_predictions
    wrong = np.flatnonzero(predicted != y_true)
    confidence = context.test_probabilities.max(axis=1)
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][:limit]
    names = context.dataset.class_names
    return [
        {
            "index": int(i),
            "true_label": names[int(y_true[i])],
            "predicted_label": names[int(predicted[i])],
            "confidence": float(confidence[i]),
            "true_probability": float(context.test_probabilities[i, int(y_true[i])]),
        }
        for i in order
    ]


class MisclassifiedExamplesPlot(TrialPlot):
    name = "misclassified_examples"
    title = "Misclassified test examples (most confident mistakes first)"
    caption = (
        "Confident mistakes show what the model gets wrong with conviction: ambiguous examples, "
        "mislabelled data, or a confusion between two classes worth more training data."
    )

    def applies_to(self, context: PlotContext) -> bool:
        y_test = np.asarray(context.dataset.y_test)
        return len(y_test) > 0 and bool(np.any(context.test_predictions != y_test))

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        if context.dataset.kind is DataKind.IMAGE:
            return self._images(context)
        return self._texts(context)

    def _images(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        examples = mistakes(context, MAX_IMAGES)
        wrong = int(np.sum(context.test_predictions != np.asarray(context.dataset.y_test)))
        figure = self.figure(
            f"Misclassified test images: {len(examples)} most confident of {wrong} "
            f"({wrong / len(context.dataset.y_test):.1%} of the test set)"
        )
        columns = 8 if len(examples) > 8 else max(1, len(examples))
        rows = int(np.ceil(len(examples) / columns))
        panels = np.atleast_1d(figure.subplots(max(rows, 1), columns, squeeze=False)).reshape(-1)
        for axes, example in zip(panels, examples, strict=False):
            pixels = context.dataset.x_test[example["index"]]
            gray = pixels.shape[-1] == 1
            axes.imshow(pixels[..., 0] if gray else np.clip(pixels, 0, 1), cmap="gray" if gray else None)
            axes.set_title(
                f"true {short(example['true_label'], 9)}\npred {short(example['predicted_label'], 9)}"
                f"\n{example['confidence']:.0%} sure",
                fontsize=7,
                color="#b2182b",
            )
            axes.axis("off")
        for axes in panels[len(examples) :]:
            axes.set_visible(False)
        return figure, {
            "kind": "images",
            "wrong": wrong,
            "total": len(context.dataset.y_test),
            "examples": examples,
        }

    def _texts(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        examples = mistakes(context, MAX_TEXTS)
        wrong = int(np.sum(context.test_predictions != np.asarray(context.dataset.y_test)))
        vocabulary = context.dataset.extras.get("vocabulary")
        figure = self.figure(
            f"Misclassified test texts: {len(examples)} most confident of {wrong} "
            f"({wrong / len(context.dataset.y_test):.1%} of the test set)"
        )
        axes = figure.subplots()
        axes.axis("off")
        slot = 1.0 / max(len(examples), 1)
        for row, example in enumerate(examples):
            words = token_words(vocabulary, context.dataset.x_test[example["index"]])
            snippet = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
            example["text"] = snippet
            example["decoded"] = vocabulary is not None
            top = 1.0 - row * slot
            axes.text(
                0.0,
                top,
                f"#{example['index']}  true: {example['true_label']}  ->  predicted: "
                f"{example['predicted_label']} ({example['confidence']:.0%} sure)",
                fontsize=8.5,
                fontweight="bold",
                color="#b2182b",
                va="top",
                transform=axes.transAxes,
            )
            wrapped = "\n".join(textwrap.wrap(snippet, WRAP_CHARS)[:SNIPPET_LINES])
            axes.text(
                0.0,
                top - 0.045,
                wrapped,
                fontsize=7.5,
                va="top",
                family="monospace",
                transform=axes.transAxes,
            )
        if vocabulary is None:
            axes.text(
                1.0,
                0.0,
                "no vocabulary saved: token ids shown",
                fontsize=7,
                ha="right",
                va="bottom",
                color="#666666",
                transform=axes.transAxes,
            )
        return figure, {
            "kind": "texts",
            "wrong": wrong,
            "total": len(context.dataset.y_test),
            "examples": examples,
        }
