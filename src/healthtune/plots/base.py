"""TrialPlot base class, the one figure size and dpi, and helpers shared by every plot family."""

from __future__ import annotations

import abc
import enum
import math
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

import matplotlib
import numpy as np

if "matplotlib.pyplot" not in sys.modules:  # headless; never switch a backend a user already chose
    matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from healthtune.plots.context import PlotContext

FIGSIZE: tuple[float, float] = (8.0, 5.0)
"""Every trial plot is 8 x 5 inches ..."""

DPI = 100
"""... at 100 dpi: 800 x 500 pixel PNGs, the same for every plot so the UI can lay them out in a grid."""

TITLE_SIZE = 12
CAPTION_SIZE = 8.5
CAPTION_WIDTH = 125
TITLE_WIDTH = 75
LEGEND_MAX_ENTRIES = 10
"""Legends list at most this many series (layers, classes); the rest are drawn but not named."""

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"


class TrialPlot(abc.ABC):
    """One diagnostic plot of a trained trial: `draw` returns the figure and the data behind it."""

    name: str = ""  # file stem: {name}.png and {name}.json
    title: str = ""
    caption: str = ""  # one line under the figure: what to look for

    def applies_to(self, context: PlotContext) -> bool:
        """Whether the trial has what this plot needs (default: always)."""
        return True

    @abc.abstractmethod
    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        """The figure and its JSON-ready data (lists and numbers; NaN allowed, written as null)."""

    def figure(self, title: str | None = None, caption: str | None = None) -> Figure:
        """A new headless figure with this plot's title and caption (no pyplot: thread-safe)."""
        return new_figure(title or self.title, self.caption if caption is None else caption)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def new_figure(title: str, caption: str = "", figsize: tuple[float, float] = FIGSIZE) -> Figure:
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle("\n".join(textwrap.wrap(title, TITLE_WIDTH)), fontsize=TITLE_SIZE, fontweight="bold")
    if caption:  # as the figure's x label, so the constrained layout keeps room for it
        figure.supxlabel(
            "\n".join(textwrap.wrap(caption, CAPTION_WIDTH)),
            fontsize=CAPTION_SIZE,
            style="italic",
            color="#444444",
        )
    return figure


def message(axes: Axes, text: str) -> None:
    """Write a centered note in an empty panel (for example "no probe data")."""
    axes.text(
        0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, fontsize=10, color="#666666"
    )
    axes.set_xticks([])
    axes.set_yticks([])


def cap_legend(axes: Axes, limit: int = LEGEND_MAX_ENTRIES, **kwargs: Any) -> None:
    """A legend with at most `limit` entries, noting how many more series are drawn."""
    handles, labels = axes.get_legend_handles_labels()
    if not handles:
        return
    if len(handles) > limit:
        hidden = len(handles) - limit
        handles, labels = handles[:limit], [*labels[: limit - 1], f"{labels[limit - 1]} (+{hidden} more)"]
    axes.legend(handles, labels, fontsize=7, **kwargs)


def positive(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Values for a log axis: zero, negative and non-finite entries become NaN (not drawn)."""
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(array) & (array > 0), array, np.nan)


def short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy arrays and scalars to lists and numbers, NaN and infinities to None, enums and
    paths to strings; anything else is a TypeError."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum | PurePath):
        return str(value.value if isinstance(value, enum.Enum) else value)
    raise TypeError(f"no JSON form for {type(value).__name__}: {value!r}")


def token_words(
    vocabulary: object, tokens: Sequence[int] | np.ndarray, *, keep_padding: bool = False
) -> list[str]:
    """Token ids as words when a vocabulary (index -> word) is known, else as `#id`; padding (0) dropped
    unless `keep_padding` (then one entry per position)."""
    words = vocabulary if isinstance(vocabulary, list | tuple) else None
    result = []
    for token in (int(t) for t in np.asarray(tokens).reshape(-1).tolist()):
        if token == 0 and not keep_padding:
            continue
        result.append(str(words[token]) if words is not None and 0 <= token < len(words) else f"#{token}")
    return result
