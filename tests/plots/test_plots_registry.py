"""make_trial_plots: a failing plot is logged and skipped, plots that need health skip without it, JSON is plain."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from healthtune.plots import PLOTS, PlotContext, TrialPlot, make_trial_plots
from healthtune.plots.base import jsonable
from healthtune.plots.classification import ConfusionMatrixPlot
from healthtune.plots.examples import MisclassifiedExamplesPlot

HEALTH_PLOTS = {"gradient_flow", "gradient_norms", "dormant_units", "health_radar"}


class BrokenPlot(TrialPlot):
    name = "broken"
    title = "Always fails"

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        raise RuntimeError("planted failure")


class BrokenCheckPlot(TrialPlot):
    name = "broken_check"
    title = "Fails in applies_to"

    def applies_to(self, context: PlotContext) -> bool:
        raise KeyError("missing history key")

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:  # pragma: no cover - never reached
        raise AssertionError


class NotJsonPlot(ConfusionMatrixPlot):
    name = "not_json"

    def draw(self, context: PlotContext) -> tuple[Figure, dict[str, Any]]:
        figure, data = super().draw(context)
        return figure, {**data, "bad": {1, 2}}  # a set has no JSON form


def test_registry_names_are_unique_file_stems() -> None:
    names = [plot.name for plot in PLOTS]
    assert len(names) == len(set(names)) == 14
    assert all(name.isidentifier() and name.islower() for name in names)
    assert all(plot.title and plot.caption for plot in PLOTS)


def test_a_failing_plot_is_logged_and_skipped_and_the_others_are_written(
    cnn_trial, tmp_path: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    plots = [BrokenCheckPlot(), ConfusionMatrixPlot(), BrokenPlot(), NotJsonPlot()]
    with caplog.at_level(logging.WARNING, logger="healthtune.plots"):
        written = make_trial_plots(cnn_trial.context, tmp_path / "plots", plots=plots)
    assert written == ["confusion_matrix"]
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "confusion_matrix.json",
        "confusion_matrix.png",
    ]
    failed = {record.args[0]: record for record in caplog.records if record.levelno == logging.WARNING}  # type: ignore[index]
    assert set(failed) == {"broken", "broken_check", "not_json"}
    assert "planted failure" in str(failed["broken"].exc_info[1])  # type: ignore[index]
    assert all(record.exc_info for record in failed.values())


def test_a_failed_plot_leaves_no_stale_files_behind(cnn_trial, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "broken.png").write_bytes(b"old")
    (tmp_path / "broken.json").write_text("{}")
    assert make_trial_plots(cnn_trial.context, tmp_path, plots=[BrokenPlot()]) == []
    assert list(tmp_path.iterdir()) == []


def test_without_health_the_health_plots_do_not_apply(cnn_trial) -> None:  # type: ignore[no-untyped-def]
    context = dataclasses.replace(cnn_trial.context, health=None)
    applying = {plot.name for plot in PLOTS if plot.applies_to(context)}
    assert applying == {plot.name for plot in PLOTS} - HEALTH_PLOTS


def test_texts_without_a_vocabulary_show_token_ids(lstm_trial, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dataset = dataclasses.replace(lstm_trial.dataset, extras={})
    context = dataclasses.replace(lstm_trial.context, dataset=dataset)
    assert make_trial_plots(context, tmp_path, plots=[MisclassifiedExamplesPlot()]) == [
        "misclassified_examples"
    ]
    data = json.loads((tmp_path / "misclassified_examples.json").read_text())
    first = data["examples"][0]
    tokens = [int(t) for t in lstm_trial.dataset.x_test[first["index"]] if t != 0]
    assert first["decoded"] is False
    assert first["text"].split()[:3] == [f"#{t}" for t in tokens[:3]]


def test_jsonable_turns_numpy_and_nan_into_plain_json() -> None:
    value = {"a": np.array([1.0, np.nan, np.inf]), "b": np.int64(3), "c": (np.float32(0.5), None), 4: "x"}
    converted = jsonable(value)
    assert converted == {"a": [1.0, None, None], "b": 3, "c": [0.5, None], "4": "x"}
    text = json.dumps(converted, allow_nan=False)
    assert not any(token in text for token in ("NaN", "Infinity"))
    assert math.isclose(json.loads(text)["c"][0], 0.5)
